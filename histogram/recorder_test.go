package histogram_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nines-slo/nines/histogram"
	"github.com/nines-slo/nines/ninestest"
)

func newRecorder(t testing.TB, c histogram.Config) (*histogram.Recorder, *ninestest.Clock) {
	t.Helper()
	clock := ninestest.NewClock(t0)
	r, err := histogram.NewRecorder(c, histogram.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	return r, clock
}

func count(t *testing.T, r *histogram.Recorder, w time.Duration) uint64 {
	t.Helper()
	s, err := r.Snapshot(w)
	if err != nil {
		t.Fatal(err)
	}
	return s.Count()
}

// TestWindows records one value every second for two hours and checks that
// each window holds what its slots cover: at least the window, at most a
// sixth more.
func TestWindows(t *testing.T) {
	r, clock := newRecorder(t, histogram.Config{})
	for range 2 * 3600 {
		r.Record(10 * time.Millisecond)
		clock.Advance(time.Second)
	}
	clock.Advance(-time.Second) // now is the time of the last value
	for _, w := range []time.Duration{time.Minute, 5 * time.Minute, time.Hour} {
		got := count(t, r, w)
		lo, hi := uint64(w/time.Second), uint64((w+w/6)/time.Second)
		if got < lo || got > hi {
			t.Errorf("window %v holds %d values, want within [%d, %d]", w, got, lo, hi)
		}
	}
	// A shorter window than configured is served by the next longer one.
	if got := count(t, r, 30*time.Second); got < 30 || got > 70 {
		t.Errorf("30s window holds %d values, want within [30, 70]", got)
	}
	for _, w := range []time.Duration{0, -time.Second, 2 * time.Hour} {
		if _, err := r.Snapshot(w); !errors.Is(err, histogram.ErrInvalidWindow) {
			t.Errorf("Snapshot(%v) error = %v, want ErrInvalidWindow", w, err)
		}
	}
}

// TestWindowsForget checks that a window drops values once they are older
// than the window, also when nothing is recorded in between.
func TestWindowsForget(t *testing.T) {
	r, clock := newRecorder(t, histogram.Config{})
	for range 100 {
		r.Record(time.Second)
	}
	clock.Advance(2 * time.Minute)
	r.Record(time.Millisecond) // rotates
	if got := count(t, r, time.Minute); got != 1 {
		t.Errorf("1m window 2 minutes later holds %d values, want 1", got)
	}
	if got := count(t, r, 5*time.Minute); got != 101 {
		t.Errorf("5m window holds %d values, want 101", got)
	}
	clock.Advance(2 * time.Hour)
	if got := count(t, r, time.Hour); got != 0 {
		t.Errorf("1h window 2 hours later holds %d values, want 0", got)
	}
	r.Record(time.Millisecond)
	if got := count(t, r, time.Hour); got != 1 {
		t.Errorf("1h window after a 2-hour jump and one value holds %d, want 1", got)
	}
}

func TestClampsAndInvalid(t *testing.T) {
	c := histogram.Config{Lowest: time.Millisecond, Highest: time.Second}
	values := []time.Duration{0, time.Microsecond, 5 * time.Millisecond, time.Second, 2 * time.Second, time.Hour, -time.Second}
	type counts struct{ Count, Underflow, Overflow, Invalid uint64 }
	want := counts{Count: 6, Underflow: 2, Overflow: 2, Invalid: 1}
	check := func(t *testing.T, what string, s *histogram.Snapshot) {
		t.Helper()
		got := counts{s.Count(), s.Underflow(), s.Overflow(), s.Invalid()}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: counts (-want +got):\n%s", what, diff)
		}
		if min, _ := s.Min(); min > time.Millisecond {
			t.Errorf("%s: Min() = %v, want the clamped 1ms", what, min)
		}
		if max, _ := s.Max(); max < time.Second || max > time.Second+time.Second/128 {
			t.Errorf("%s: Max() = %v, want the clamped 1s (to the bucket)", what, max)
		}
	}
	snapshot := func(t *testing.T, r *histogram.Recorder) *histogram.Snapshot {
		t.Helper()
		s, err := r.Snapshot(time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	t.Run("fake clock", func(t *testing.T) {
		r, clock := newRecorder(t, c)
		for _, d := range values {
			r.Record(d)
		}
		// The current tick's histograms, then the same values folded into
		// the windows, into the cumulative histogram, and into a state.
		check(t, "current tick", snapshot(t, r))
		check(t, "cumulative", r.Cumulative())
		st := r.State()
		clock.Advance(10 * time.Second)
		check(t, "folded", snapshot(t, r))
		check(t, "folded cumulative", r.Cumulative())
		r2, _ := newRecorder(t, c)
		if err := r2.Add(st); err != nil {
			t.Fatal(err)
		}
		check(t, "restored state", snapshot(t, r2))
	})
	t.Run("wall clock", func(t *testing.T) {
		r, err := histogram.NewRecorder(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range values {
			r.Record(d)
		}
		check(t, "wall clock", snapshot(t, r))
	})
}

func TestNewRecorderRejects(t *testing.T) {
	tests := []struct {
		c     histogram.Config
		field string
	}{
		{histogram.Config{Lowest: -1}, "Lowest"},
		{histogram.Config{Lowest: time.Second, Highest: time.Second}, "Highest"},
		{histogram.Config{Digits: 4}, "Digits"},
		{histogram.Config{Digits: -1}, "Digits"},
		{histogram.Config{Windows: []time.Duration{time.Minute, time.Minute}}, "Windows"},
		{histogram.Config{Windows: []time.Duration{time.Second}}, "Windows"},
		{histogram.Config{Windows: []time.Duration{-time.Minute}}, "Windows"},
		{histogram.Config{Windows: []time.Duration{61500 * time.Millisecond}}, "Windows"},
		{histogram.Config{Windows: []time.Duration{9 * time.Second}}, "Windows"},
		{histogram.Config{Windows: make([]time.Duration, 9)}, "Windows"},
	}
	for _, tt := range tests {
		_, err := histogram.NewRecorder(tt.c)
		if !errors.Is(err, histogram.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("NewRecorder(%+v) error = %v, want ErrInvalidConfig naming %s", tt.c, err, tt.field)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	r, err := histogram.NewRecorder(histogram.Config{})
	if err != nil {
		t.Fatal(err)
	}
	want := histogram.Config{Lowest: time.Microsecond, Highest: time.Hour, Digits: 2, Windows: []time.Duration{time.Minute, 5 * time.Minute, time.Hour}}
	if diff := cmp.Diff(want, r.Config()); diff != "" {
		t.Errorf("Config() (-want +got):\n%s", diff)
	}
	r.Record(time.Millisecond)
	if got := count(t, r, time.Minute); got != 1 {
		t.Errorf("default-clock recorder: 1m window holds %d values, want 1", got)
	}
}

// TestConservationDuringRotation records from several goroutines while the
// clock crosses many slot boundaries: every value is in the longest window,
// exactly once.
func TestConservationDuringRotation(t *testing.T) {
	r, clock := newRecorder(t, histogram.Config{})
	const writers, each = 8, 20000
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		// 3s steps, at most 45 minutes: within the hour window.
		for k := 0; k < 900 && !stop.Load(); k++ {
			clock.Advance(3 * time.Second)
		}
	}()
	// The cumulative histogram only grows while rotations fold the hot
	// slots into it.
	var readerErr error
	reading := make(chan struct{})
	go func() {
		defer close(reading)
		var last uint64
		for !stop.Load() {
			n := r.Cumulative().Count()
			if n < last {
				readerErr = fmt.Errorf("Cumulative().Count() went from %d to %d", last, n)
				return
			}
			last = n
		}
	}()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range each {
				if w%4 == 3 {
					r.RecordAt(clock.Now().Add(-time.Duration(k%20)*time.Second), time.Duration(k)*time.Microsecond)
				} else {
					r.Record(time.Duration(k) * time.Microsecond)
				}
			}
		}()
	}
	wg.Wait()
	stop.Store(true)
	<-done
	<-reading
	if readerErr != nil {
		t.Error(readerErr)
	}
	s, err := r.Snapshot(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if s.Count() != writers*each || r.Late() != 0 {
		t.Errorf("hour window holds %d values (%d late), %d recorded", s.Count(), r.Late(), writers*each)
	}
	if diff := cmp.Diff(buckets(s), buckets(r.Cumulative())); diff != "" {
		t.Errorf("cumulative histogram differs from the hour window (-hour +cumulative):\n%s", diff)
	}
	// The value distribution survives too: each writer recorded 0–19.999 ms.
	if max, _ := s.Max(); max < 19900*time.Microsecond || max > 20100*time.Microsecond {
		t.Errorf("Max() = %v, want about 20ms", max)
	}
}

// TestClockStepsBack records after the clock stepped back: Record counts
// the value in the current tick, so that every window ending now holds it,
// while RecordAt puts a value in its own cell, and counts it as late when
// no window reaches it.
func TestClockStepsBack(t *testing.T) {
	r, clock := newRecorder(t, histogram.Config{})
	clock.Advance(30 * time.Minute)
	r.Record(time.Millisecond)
	clock.Advance(-10 * time.Minute)
	r.Record(2 * time.Millisecond)
	for _, w := range []time.Duration{time.Minute, 5 * time.Minute, time.Hour} {
		if got := count(t, r, w); got != 2 {
			t.Errorf("%v window after the step back holds %d values, want 2", w, got)
		}
	}
	r.RecordAt(clock.Now(), 3*time.Millisecond) // 10 minutes before the current tick
	clock.Advance(10 * time.Minute)
	if got := count(t, r, time.Hour); got != 3 {
		t.Errorf("1h window holds %d values, want 3", got)
	}
	if got := count(t, r, 5*time.Minute); got != 2 {
		t.Errorf("5m window holds %d values, want 2", got)
	}
	r.RecordAt(t0.Add(-10*time.Hour), time.Millisecond)
	r.RecordAt(time.Time{}, time.Millisecond)
	if r.Late() != 2 {
		t.Errorf("Late() = %d, want 2", r.Late())
	}
}

// TestFutureTimes: a value stamped in the future is counted at the present,
// and the values after it stay in the windows ending now.
func TestFutureTimes(t *testing.T) {
	r, clock := newRecorder(t, histogram.Config{})
	r.Record(time.Millisecond)
	r.RecordAt(clock.Now().Add(24*time.Hour), time.Millisecond)
	for range 10 {
		r.Record(time.Millisecond)
	}
	if got := count(t, r, time.Minute); got != 12 {
		t.Errorf("1m window holds %d values, want 12", got)
	}
	if r.Future() != 1 {
		t.Errorf("Future() = %d, want 1", r.Future())
	}
}

type bucketCount struct {
	Lo, Hi time.Duration
	N      uint64
}

func buckets(s *histogram.Snapshot) []bucketCount {
	var out []bucketCount
	s.Counts(func(lo, hi time.Duration, n uint64) { out = append(out, bucketCount{lo, hi, n}) })
	return out
}

// TestCumulative checks that the cumulative histogram holds every value
// recorded since the recorder was created — long after the windows have
// forgotten them, late ones, clamped ones — and nothing added from a state.
func TestCumulative(t *testing.T) {
	r, clock := newRecorder(t, histogram.Config{})
	if got := r.Cumulative().Count(); got != 0 {
		t.Fatalf("a new recorder's cumulative count = %d, want 0", got)
	}
	want, _ := histogram.NewRecorder(histogram.Config{Windows: []time.Duration{1000 * time.Hour}}, histogram.WithClock(clock.Now))
	for k := range 3 * 3600 {
		d := time.Duration(k%500) * time.Millisecond
		r.Record(d)
		want.Record(d)
		clock.Advance(time.Second)
	}
	r.RecordAt(clock.Now().Add(-5*time.Hour), 7*time.Millisecond) // older than every window
	want.Record(7 * time.Millisecond)
	r.Record(-time.Second)    // invalid: not in the histogram, counted
	r.Record(100 * time.Hour) // overflow: at the highest value
	r.Record(time.Nanosecond) // underflow: at the lowest value
	want.Record(100 * time.Hour)
	want.Record(time.Nanosecond)

	// Another replica's state adds to the windows, not to the cumulative.
	other, _ := newRecorder(t, histogram.Config{})
	other.Record(time.Second)
	if err := r.Add(other.State()); err != nil {
		t.Fatal(err)
	}

	got := r.Cumulative()
	if s, _ := r.Snapshot(time.Hour); s.Count() >= got.Count() {
		t.Errorf("hour window holds %d values, cumulative %d: want the cumulative to hold the 3 hours", s.Count(), got.Count())
	}
	ws, err := want.Snapshot(1000 * time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(buckets(ws), buckets(got)); diff != "" {
		t.Errorf("cumulative histogram (-want +got):\n%s", diff)
	}
	if got.Invalid() != 1 || got.Overflow() != 1 || got.Underflow() != ws.Underflow() {
		t.Errorf("cumulative invalid/overflow/underflow = %d/%d/%d, want 1/1/%d", got.Invalid(), got.Overflow(), got.Underflow(), ws.Underflow())
	}
}
