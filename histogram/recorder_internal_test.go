package histogram

import (
	"sync"
	"testing"
	"time"
)

// TestTimerRotationConservation records on the default clock (no clock
// read) while ticks rotate the windows, as the timer does: every value ends
// up in every window, exactly once.
func TestTimerRotationConservation(t *testing.T) {
	r, err := NewRecorder(Config{})
	if err != nil {
		t.Fatal(err)
	}
	r.timer.Stop()
	start := time.Now()
	// 20 ticks of 10 s: well within the 5m window, whose far edge is
	// rounded to a cell boundary, so that the first cell (which a writer
	// that runs before the first tick records into) is in it whatever the
	// clock's phase within a cell.
	const writers, each, ticks = 4, 20000, 20
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range each {
				r.record(time.Duration(w*each+k) * time.Microsecond)
			}
		}()
	}
	for k := 1; k <= ticks; k++ {
		r.tickAt(start.Add(time.Duration(k) * 10 * time.Second))
	}
	wg.Wait()
	end := start.Add(ticks * 10 * time.Second)
	for _, w := range []time.Duration{5 * time.Minute, time.Hour} {
		s, err := r.SnapshotAt(end, w)
		if err != nil {
			t.Fatal(err)
		}
		if s.Count() != writers*each {
			t.Errorf("window %v holds %d values, %d recorded", w, s.Count(), writers*each)
		}
	}
}

// TestRotationKeepsTheEdgeCounts: values under the range, over it and
// invalid (negative) recorded on the default clock keep their counts in
// the cumulative histogram and in every window across rotations, as the
// timer does them.
func TestRotationKeepsTheEdgeCounts(t *testing.T) {
	r, err := NewRecorder(Config{})
	if err != nil {
		t.Fatal(err)
	}
	r.timer.Stop()
	start := time.Now()
	for k := 1; k <= 3; k++ {
		r.record(time.Nanosecond)  // under 1 µs
		r.record(2 * time.Hour)    // over 1 h
		r.record(-time.Second)     // invalid
		r.record(time.Millisecond) // in range
		r.tickAt(start.Add(time.Duration(k) * 10 * time.Second))
		want := uint64(k)
		for name, s := range map[string]*Snapshot{"cumulative": r.Cumulative(), "5m": must(r.SnapshotAt(start.Add(time.Duration(k)*10*time.Second), 5*time.Minute))} {
			if s.Underflow() != want || s.Overflow() != want || s.Invalid() != want || s.Count() != 3*want {
				t.Errorf("after %d rotations, %s: underflow %d, overflow %d, invalid %d, count %d; want %d, %d, %d, %d",
					k, name, s.Underflow(), s.Overflow(), s.Invalid(), s.Count(), want, want, want, 3*want)
			}
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
