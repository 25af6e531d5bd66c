package sli_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nines-slo/nines/sli"
)

// TestConservationUnderConcurrency records from several goroutines while
// another advances the clock across many bucket boundaries, fine and coarse:
// the counts over all buckets must equal the events recorded, exactly.
func TestConservationUnderConcurrency(t *testing.T) {
	clock := newFakeClock(t0)
	r, err := sli.NewRatio(sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	lat, err := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	const (
		writers = 8
		each    = 20000
	)
	var good, bad, slow atomic.Uint64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range each {
				switch {
				case w%4 == 3:
					// Late recorders: a time read a while ago.
					at := clock.Now().Add(-time.Duration(k%300) * time.Second)
					if k%11 == 0 {
						r.RecordAt(at, sli.Bad)
						bad.Add(1)
					} else {
						r.RecordAt(at, sli.Good)
						good.Add(1)
					}
				case k%13 == 0:
					r.Record(sli.Bad)
					bad.Add(1)
				default:
					r.Record(sli.Good)
					good.Add(1)
				}
				d := time.Duration(k%200) * time.Millisecond
				if d > 100*time.Millisecond {
					slow.Add(1)
				}
				lat.Record(d)
			}
		}()
	}
	// Advance 7 seconds at a time while the writers run: fine buckets end
	// every 60s and coarse ones every hour.
	var ticks int
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !stop.Load() && ticks < 100000 {
			clock.Advance(7 * time.Second)
			ticks++
		}
	}()
	wg.Wait()
	stop.Store(true)
	<-done
	if elapsed := time.Duration(ticks) * 7 * time.Second; elapsed < 2*time.Minute {
		t.Logf("the clock advanced only %v while recording", elapsed)
	} else {
		t.Logf("the clock advanced %v while recording", elapsed)
	}

	all := r.Storage().Retention
	got, err := r.Counts(all)
	if err != nil {
		t.Fatal(err)
	}
	want := sli.Counts{Good: float64(good.Load()), Valid: float64(good.Load() + bad.Load())}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ratio counts over all buckets (-recorded +counted):\n%s", diff)
	}
	if tot := r.Totals(); tot.Good != good.Load() || tot.Bad != bad.Load() || tot.OutOfRange != 0 {
		t.Errorf("Totals = %+v, want %d good and %d bad", tot, good.Load(), bad.Load())
	}
	gotLat, err := lat.Counts(all)
	if err != nil {
		t.Fatal(err)
	}
	wantLat := sli.Counts{Good: float64(writers*each - slow.Load()), Valid: writers * each}
	if diff := cmp.Diff(wantLat, gotLat); diff != "" {
		t.Errorf("latency counts over all buckets (-recorded +counted):\n%s", diff)
	}
}

// TestClockSteps steps the clock back and forward by a minute, an hour and
// 40 days between two batches of events: none is lost or counted twice,
// and the events recorded since the step are in every window that holds
// now — after a step back too, when they are counted in the current cell.
// An event recorded with RecordAt keeps its own time (a replay).
func TestClockSteps(t *testing.T) {
	for _, step := range []time.Duration{time.Minute, time.Hour, 40 * 24 * time.Hour} {
		for _, dir := range []time.Duration{-1, 1} {
			t.Run(fmt.Sprintf("%v", dir*step), func(t *testing.T) {
				clock := newFakeClock(t0.Add(50 * 24 * time.Hour))
				r, err := sli.NewRatio(sli.WithClock(clock.Now))
				if err != nil {
					t.Fatal(err)
				}
				for range 10 {
					r.Record(sli.Good)
				}
				clock.Advance(dir * step)
				for range 5 {
					r.Record(sli.Bad)
				}
				for _, w := range []time.Duration{5 * time.Minute, time.Hour, 24 * time.Hour, 30 * 24 * time.Hour} {
					got, err := r.Counts(w)
					if err != nil {
						t.Fatal(err)
					}
					want := sli.Counts{Good: 10, Valid: 15}
					if dir > 0 && w < step {
						want = sli.Counts{Good: 0, Valid: 5} // the first batch is older than the window
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("Counts(%v) (-want +got):\n%s", w, diff)
					}
				}
				tot := r.Totals()
				if tot.Good != 10 || tot.Bad != 5 {
					t.Errorf("Totals = %+v, want 10 good and 5 bad", tot)
				}
				if dir > 0 && step > 35*24*time.Hour && tot.Expired != 10 {
					t.Errorf("Totals.Expired = %d, want the 10 events older than the retention", tot.Expired)
				}
			})
		}
	}
	// A replayed event keeps its time.
	clock := newFakeClock(t0.Add(10 * time.Hour))
	r, _ := sli.NewRatio(sli.WithClock(clock.Now))
	r.Record(sli.Good)
	r.RecordAt(t0.Add(8*time.Hour), sli.Bad)
	if got, _ := r.CountsAt(t0.Add(8*time.Hour), time.Minute); got != (sli.Counts{Valid: 1}) {
		t.Errorf("CountsAt(the replayed event's time) = %+v, want the one bad event", got)
	}
	if got, _ := r.Counts(time.Hour); got != (sli.Counts{Good: 1, Valid: 1}) {
		t.Errorf("Counts(1h) = %+v, want the one good event", got)
	}
}

// TestClockJumpsFarAhead moves the clock past the whole retention: old
// counts age out, totals keep them, and events recorded later at the old
// time are counted as out of range, not lost silently.
func TestClockJumpsFarAhead(t *testing.T) {
	clock := newFakeClock(t0)
	r, err := sli.NewRatio(sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	r.Record(sli.Good)
	clock.Advance(10 * time.Second)
	r.Record(sli.Bad)
	clock.Advance(100 * 24 * time.Hour)
	r.Record(sli.Good)
	r.RecordAt(t0, sli.Bad)
	got, err := r.Counts(35 * 24 * time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sli.Counts{Good: 1, Valid: 1}, got); diff != "" {
		t.Errorf("Counts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(sli.Totals{Good: 2, Bad: 2, OutOfRange: 1, Expired: 2}, r.Totals()); diff != "" {
		t.Errorf("Totals (-want +got):\n%s", diff)
	}
	r.RecordAt(time.Time{}, sli.Good) // the zero time: before 1678
	if got := r.Totals().OutOfRange; got != 2 {
		t.Errorf("OutOfRange after the zero time = %d, want 2", got)
	}
}

// TestFutureTimes records events stamped in the future: they are counted at
// the present (and in Totals.Future), and neither they nor the events after
// them vanish from the windows ending now, nor does history.
func TestFutureTimes(t *testing.T) {
	t.Run("default clock", func(t *testing.T) {
		r, err := sli.NewRatio()
		if err != nil {
			t.Fatal(err)
		}
		r.Record(sli.Good)
		r.RecordAt(time.Now().Add(10*time.Minute), sli.Good)
		for range 100 {
			r.Record(sli.Bad)
		}
		got, err := r.Counts(time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(sli.Counts{Good: 2, Valid: 102}, got); diff != "" {
			t.Errorf("Counts (-want +got):\n%s", diff)
		}
		if f := r.Totals().Future; f != 1 {
			t.Errorf("Totals().Future = %d, want 1", f)
		}
	})
	t.Run("injected clock, far future", func(t *testing.T) {
		clock := newFakeClock(t0)
		r, err := sli.NewRatio(sli.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		for range 1000 {
			r.Record(sli.Good)
			clock.Advance(time.Minute)
		}
		r.RecordAt(clock.Now().Add(40*24*time.Hour), sli.Good)
		r.RecordAt(clock.Now().Add(100*365*24*time.Hour), sli.Good)
		for range 50 {
			r.Record(sli.Bad)
		}
		got, err := r.Counts(30 * 24 * time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(sli.Counts{Good: 1002, Valid: 1052}, got); diff != "" {
			t.Errorf("Counts(30d) (-want +got):\n%s", diff)
		}
		if tot := r.Totals(); tot.Future != 2 || tot.OutOfRange != 0 {
			t.Errorf("Totals = %+v, want 2 future, none out of range", tot)
		}
	})
}

// TestLongRetention keeps 400 days: an event a day for 400 days is all in
// the 400-day window, and the oldest ones age out after.
func TestLongRetention(t *testing.T) {
	clock := newFakeClock(t0)
	r, err := sli.NewRatio(sli.WithClock(clock.Now), sli.WithStorage(sli.Storage{Retention: 400 * 24 * time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	for range 400 {
		r.Record(sli.Good)
		clock.Advance(24 * time.Hour)
	}
	clock.Advance(-24 * time.Hour)
	if got, _ := r.Counts(400 * 24 * time.Hour); got.Valid != 400 {
		t.Errorf("400-day window holds %v events, want 400", got.Valid)
	}
	// The window is rounded outward to whole buckets: the event exactly at
	// its start is in a bucket that overlaps it.
	if got, _ := r.Counts(90 * 24 * time.Hour); got.Valid != 91 {
		t.Errorf("quarter window holds %v events, want 91", got.Valid)
	}
	clock.Advance(30 * 24 * time.Hour)
	r.Record(sli.Bad)
	if got, _ := r.Counts(400 * 24 * time.Hour); got.Valid != 372 {
		t.Errorf("30 days later the 400-day window holds %v events, want 372 (370 retained days, both ends rounded out)", got.Valid)
	}
}
