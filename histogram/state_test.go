package histogram_test

import (
	"errors"
	"testing"
	"time"

	"github.com/nines-slo/nines/histogram"
)

func TestStateRoundTripAndAging(t *testing.T) {
	r, clock := newRecorder(t, histogram.Config{})
	// Ten minutes ago: 100 slow values; now: 50 fast ones.
	for range 100 {
		r.Record(time.Second)
	}
	clock.Advance(10 * time.Minute)
	for range 50 {
		r.Record(time.Millisecond)
	}
	st, err := histogram.DecodeState(r.State().Encode())
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Config(); c.Digits != 2 || c.Lowest != time.Microsecond || len(c.Windows) != 3 {
		t.Errorf("state config = %+v", c)
	}
	// Restored at once: the same windows.
	same, sameClock := newRecorder(t, histogram.Config{})
	sameClock.Set(clock.Now())
	if err := same.Add(st); err != nil {
		t.Fatal(err)
	}
	for _, w := range []time.Duration{time.Minute, 5 * time.Minute, time.Hour} {
		if a, b := count(t, r, w), count(t, same, w); a != b {
			t.Errorf("window %v: original %d values, restored %d", w, a, b)
		}
	}
	// Restored 55 minutes later: the slow values, 65 minutes old, have
	// left the hour; the fast ones have not.
	later, laterClock := newRecorder(t, histogram.Config{})
	laterClock.Set(clock.Now().Add(55 * time.Minute))
	if err := later.Add(st); err != nil {
		t.Fatal(err)
	}
	if got := count(t, later, time.Hour); got != 50 {
		t.Errorf("hour window 55 minutes later holds %d values, want the 50 recent ones", got)
	}
	if got := count(t, later, time.Minute); got != 0 {
		t.Errorf("minute window 55 minutes later holds %d values, want 0", got)
	}
}

func TestMergeStates(t *testing.T) {
	a, clock := newRecorder(t, histogram.Config{})
	b, _ := newRecorder(t, histogram.Config{})
	for i := range 1000 {
		a.Record(time.Duration(i) * time.Millisecond)
		b.Record(time.Duration(i) * time.Microsecond)
	}
	m, err := histogram.MergeStates(a.State(), b.State())
	if err != nil {
		t.Fatal(err)
	}
	fleet, fleetClock := newRecorder(t, histogram.Config{})
	fleetClock.Set(clock.Now())
	if err := fleet.Add(m); err != nil {
		t.Fatal(err)
	}
	sa, _ := a.Snapshot(time.Minute)
	sb, _ := b.Snapshot(time.Minute)
	want, _ := histogram.Merge(sa, sb)
	got, _ := fleet.Snapshot(time.Minute)
	if got.Count() != 2000 {
		t.Fatalf("fleet holds %d values, want 2000", got.Count())
	}
	for _, q := range []float64{0.5, 0.9, 0.99} {
		x, _ := got.Quantile(q)
		y, _ := want.Quantile(q)
		if x != y {
			t.Errorf("q=%v: merged state %v, merged snapshots %v", q, x, y)
		}
	}
	other, _ := newRecorder(t, histogram.Config{Digits: 3})
	if _, err := histogram.MergeStates(a.State(), other.State()); !errors.Is(err, histogram.ErrLayoutMismatch) {
		t.Errorf("MergeStates across layouts: %v, want ErrLayoutMismatch", err)
	}
	if err := other.Add(a.State()); !errors.Is(err, histogram.ErrLayoutMismatch) {
		t.Errorf("Add across layouts: %v, want ErrLayoutMismatch", err)
	}
}

func TestDecodeStateRejects(t *testing.T) {
	r, _ := newRecorder(t, histogram.Config{})
	for i := range 100 {
		r.Record(time.Duration(i) * time.Millisecond)
	}
	good := r.State().Encode()
	for name, data := range map[string][]byte{
		"empty": {}, "version": append([]byte{9}, good[1:]...), "truncated": good[:len(good)-3],
		"trailing": append(append([]byte{}, good...), 0), "half": good[:len(good)/2],
	} {
		if _, err := histogram.DecodeState(data); !errors.Is(err, histogram.ErrCorrupt) {
			t.Errorf("%s: DecodeState error = %v, want ErrCorrupt", name, err)
		}
	}
}

// TestStateFromAClockAhead: a state taken on a clock five minutes ahead
// of the recorder's moves the recorder's present up to the state's, so
// that its cells keep their times: at the state's time, the last minute
// holds only the value of its last minute, and five minutes hold both.
func TestStateFromAClockAhead(t *testing.T) {
	src, srcClock := newRecorder(t, histogram.Config{})
	srcClock.Advance(2 * time.Minute)
	src.Record(time.Second)
	srcClock.Advance(3 * time.Minute)
	src.Record(time.Millisecond)

	dst, _ := newRecorder(t, histogram.Config{}) // five minutes behind
	if err := dst.Add(src.State()); err != nil {
		t.Fatal(err)
	}
	at := srcClock.Now()
	for _, c := range []struct {
		w    time.Duration
		want uint64
	}{{time.Minute, 1}, {5 * time.Minute, 2}} {
		s, err := dst.SnapshotAt(at, c.w)
		if err != nil {
			t.Fatal(err)
		}
		if s.Count() != c.want {
			t.Errorf("window %v at the state's time: %d values, want %d", c.w, s.Count(), c.want)
		}
	}
}
