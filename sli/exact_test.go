package sli_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nines-slo/nines/sli"
)

// windowsToCheck are the rolling windows and calendar periods (as windows
// from their start to now) that restore and merge must keep exact.
func windowsToCheck(t *testing.T, now time.Time) []time.Duration {
	ws := []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour, 3 * 24 * time.Hour, 30 * 24 * time.Hour, 35 * 24 * time.Hour}
	for _, zone := range []string{"UTC", "Asia/Kolkata", "America/St_Johns", "Asia/Kathmandu"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		l := now.In(loc)
		y, m, d := l.Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, loc)
		week := time.Date(y, m, d-(int(l.Weekday())+6)%7, 0, 0, 0, 0, loc)
		month := time.Date(y, m, 1, 0, 0, 0, 0, loc)
		for _, start := range []time.Time{day, week, month} {
			ws = append(ws, now.Sub(start))
		}
	}
	return ws
}

// replica records 40 days of random traffic ending at now: bursts at
// random gaps, one event in twenty bad, latencies from 1 ms to 2 s.
func replica(t *testing.T, seed uint64, now time.Time) (*sli.Latency, *fakeClock) {
	rng := rand.New(rand.NewPCG(seed, 7))
	clock := newFakeClock(now.Add(-40 * 24 * time.Hour))
	l, err := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	for clock.Now().Before(now) {
		for range rng.IntN(4) {
			l.Record(time.Duration(rng.Int64N(int64(2*time.Second))) + time.Millisecond)
		}
		clock.Advance(time.Duration(rng.Int64N(int64(20 * time.Minute))))
	}
	clock.Set(now)
	l.Record(time.Millisecond)
	return l, clock
}

func histCounts(t *testing.T, l *sli.Latency, w time.Duration) map[time.Duration]uint64 {
	s, err := l.Histogram(w)
	if err != nil {
		t.Fatal(err)
	}
	m := map[time.Duration]uint64{}
	s.Counts(func(lo, _ time.Duration, n uint64) { m[lo] = n })
	return m
}

// TestRestoreAndMergeAreExact restores one replica's state, and the merge
// of three, into fresh SLIs at the states' time: every window and every
// calendar period counts what the source replicas counted, and every
// histogram window holds their values bucket for bucket.
func TestRestoreAndMergeAreExact(t *testing.T) {
	now := time.Date(2026, 11, 19, 15, 4, 7, 0, time.UTC)
	var reps []*sli.Latency
	var states []*sli.State
	for seed := range uint64(3) {
		l, _ := replica(t, seed, now)
		reps = append(reps, l)
		st, err := sli.DecodeState(l.State().Encode())
		if err != nil {
			t.Fatal(err)
		}
		states = append(states, st)
	}
	merged, err := sli.MergeStates(states...)
	if err != nil {
		t.Fatal(err)
	}
	fresh := func(st *sli.State) *sli.Latency {
		clock := newFakeClock(now)
		l, _ := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
		if err := l.Add(st); err != nil {
			t.Fatal(err)
		}
		return l
	}
	restored, all := fresh(states[0]), fresh(merged)
	for _, w := range windowsToCheck(t, now) {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			var sum sli.Counts
			for _, r := range reps {
				c, err := r.Counts(w)
				if err != nil {
					t.Fatal(err)
				}
				sum.Good += c.Good
				sum.Valid += c.Valid
			}
			src, _ := reps[0].Counts(w)
			if got, _ := restored.Counts(w); got != src {
				t.Errorf("restored: %+v, source %+v", got, src)
			}
			if got, _ := all.Counts(w); got != sum {
				t.Errorf("merged: %+v, sum of the replicas %+v", got, sum)
			}
		})
	}
	for _, w := range restored.Windows() {
		if diff := cmp.Diff(histCounts(t, reps[0], w), histCounts(t, restored, w)); diff != "" {
			t.Errorf("restored %v histogram (-source +restored):\n%s", w, diff)
		}
		want := map[time.Duration]uint64{}
		for _, r := range reps {
			for lo, n := range histCounts(t, r, w) {
				want[lo] += n
			}
		}
		if diff := cmp.Diff(want, histCounts(t, all, w)); diff != "" {
			t.Errorf("merged %v histogram (-sum +merged):\n%s", w, diff)
		}
	}
	if got, want := all.Totals(), merged.Totals(); got != want {
		t.Errorf("merged totals %+v, state's %+v", got, want)
	}
}

// TestStatesAddUpWhileRecording takes states while goroutines record and
// the clock moves: every state's cells hold exactly its totals.
func TestStatesAddUpWhileRecording(t *testing.T) {
	clock := newFakeClock(t0)
	r, err := sli.NewRatio(sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				if (w+k)%5 == 0 {
					r.Record(sli.Bad)
				} else {
					r.Record(sli.Good)
				}
				if w == 0 && k%100 == 0 {
					clock.Advance(time.Second)
				}
			}
		})
	}
	for range 300 {
		st := r.State()
		c := newFakeClock(clock.Now())
		x, _ := sli.NewRatio(sli.WithClock(c.Now))
		if err := x.Add(st); err != nil {
			t.Fatal(err)
		}
		got, _ := x.Counts(sli.DefaultRetention)
		tot := st.Totals()
		if got.Good != float64(tot.Good) || got.Valid != float64(tot.Good+tot.Bad) {
			close(stop)
			wg.Wait()
			t.Fatalf("a state's cells hold %+v, its totals %d good and %d bad", got, tot.Good, tot.Bad)
		}
	}
	close(stop)
	wg.Wait()
}

// TestRestoreKeepsOldFailuresOld restores a state whose failures all lie
// between 6 and 7 hours back, where counts move to wider cells: the
// restored 6-hour window sees none of them, as the source's does not.
func TestRestoreKeepsOldFailuresOld(t *testing.T) {
	now := time.Date(2026, 11, 19, 15, 4, 7, 0, time.UTC)
	clock := newFakeClock(now)
	src, _ := sli.NewRatio(sli.WithClock(clock.Now))
	for k := range 600 {
		src.RecordAt(now.Add(-7*time.Hour+time.Duration(k)*6*time.Second), sli.Bad)
	}
	for k := range 60 {
		src.RecordAt(now.Add(-time.Duration(k)*time.Minute), sli.Good)
	}
	dst, _ := sli.NewRatio(sli.WithClock(clock.Now))
	if err := dst.Add(src.State()); err != nil {
		t.Fatal(err)
	}
	for _, w := range []time.Duration{time.Hour, 6 * time.Hour, 7 * time.Hour, 24 * time.Hour} {
		want, _ := src.Counts(w)
		if got, _ := dst.Counts(w); got != want {
			t.Errorf("%v window: restored %+v, source %+v", w, got, want)
		}
	}
}

// TestRestoreWhileClockIsBehind restores a state on a clock behind the
// state's time: by an hour, the SLI's present moves up to the state's and
// every window counts what the source counts; by 40 days (beyond the
// retention), the history is kept at the present rather than lost.
func TestRestoreWhileClockIsBehind(t *testing.T) {
	now := time.Date(2026, 11, 19, 15, 4, 7, 0, time.UTC)
	src, _ := replica(t, 4, now)
	st := src.State()
	for _, behind := range []time.Duration{time.Minute, time.Hour, 40 * 24 * time.Hour} {
		t.Run(fmt.Sprint(behind), func(t *testing.T) {
			clock := newFakeClock(now.Add(-behind))
			l, _ := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
			if err := l.Add(st); err != nil {
				t.Fatal(err)
			}
			if behind <= sli.DefaultRetention {
				for _, w := range []time.Duration{5 * time.Minute, time.Hour, 24 * time.Hour, 30 * 24 * time.Hour} {
					want, _ := src.Counts(w)
					if got, _ := l.Counts(w); got != want {
						t.Errorf("%v window: %+v, source %+v", w, got, want)
					}
				}
				return
			}
			tot := st.Totals()
			held := tot.Good + tot.Bad - tot.OutOfRange - tot.Expired // in the state's cells
			if got, _ := l.Counts(30 * 24 * time.Hour); got.Valid != float64(held) {
				t.Errorf("30-day window holds %v valid events, the state's cells %d", got.Valid, held)
			}
		})
	}
}
