package sli_test

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nines-slo/nines/sli"
)

func TestStateRestoreAges(t *testing.T) {
	clock := newFakeClock(t0)
	r, _ := sli.NewRatio(sli.WithClock(clock.Now))
	// An event a minute for 10 days, the bad ones on day 1.
	for m := range 10 * 24 * 60 {
		if m < 24*60 && m%100 == 0 {
			r.Record(sli.Bad)
		} else {
			r.Record(sli.Good)
		}
		clock.Advance(time.Minute)
	}
	data := r.State().Encode()
	st, err := sli.DecodeState(data)
	if err != nil {
		t.Fatal(err)
	}
	t0now := clock.Now()
	// Restored at once: every window as before.
	same, _ := sli.NewRatio(sli.WithClock(clock.Now))
	if err := same.Add(st); err != nil {
		t.Fatal(err)
	}
	for _, w := range []time.Duration{5 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour} {
		a, _ := r.Counts(w)
		b, _ := same.Counts(w)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("window %v after restore (-original +restored):\n%s", w, diff)
		}
	}
	if diff := cmp.Diff(r.Totals(), same.Totals()); diff != "" {
		t.Errorf("totals after restore (-original +restored):\n%s", diff)
	}
	// Restored 25 days later: the first 5 days (bad ones included) have aged
	// out of the 30-day window.
	clock.Set(t0now.Add(25 * 24 * time.Hour))
	later, _ := sli.NewRatio(sli.WithClock(clock.Now))
	later.Record(sli.Good)
	if err := later.Add(st); err != nil {
		t.Fatal(err)
	}
	c, _ := later.Counts(30 * 24 * time.Hour)
	if c.Valid < 5*24*60 || c.Valid > 5*24*60+61 || c.Good != c.Valid {
		t.Errorf("25 days later the 30-day window holds %+v, want the last 5 days (~7200 good) and the new event", c)
	}
	if tot := later.Totals(); tot.Good+tot.Bad != 10*24*60+1 {
		t.Errorf("totals after a late restore: %+v, want every event counted", tot)
	}
}

func TestStateMergeAndMismatch(t *testing.T) {
	clock := newFakeClock(t0)
	a, _ := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
	b, _ := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
	for i := range 1000 {
		a.Record(time.Duration(i) * time.Millisecond)
		b.Record(time.Duration(i) * time.Microsecond)
	}
	m, err := sli.MergeStates(a.State(), b.State())
	if err != nil {
		t.Fatal(err)
	}
	fleet, _ := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
	if err := fleet.Add(m); err != nil {
		t.Fatal(err)
	}
	c, _ := fleet.Counts(time.Hour)
	if diff := cmp.Diff(sli.Counts{Good: 1101, Valid: 2000}, c); diff != "" {
		t.Errorf("fleet counts (-want +got):\n%s", diff)
	}
	p, err := fleet.Percentiles(time.Minute)
	if err != nil || p.Count != 2000 {
		t.Errorf("fleet percentiles %+v, %v; want 2000 values", p, err)
	}
	r, _ := sli.NewRatio(sli.WithClock(clock.Now))
	if err := r.Add(a.State()); !errors.Is(err, sli.ErrStateMismatch) {
		t.Errorf("latency state into a ratio: %v, want ErrStateMismatch", err)
	}
	if err := a.Add(r.State()); !errors.Is(err, sli.ErrStateMismatch) {
		t.Errorf("ratio state into a latency SLI: %v, want ErrStateMismatch", err)
	}
	if _, err := sli.MergeStates(a.State(), r.State()); !errors.Is(err, sli.ErrStateMismatch) {
		t.Errorf("merging kinds: %v, want ErrStateMismatch", err)
	}
}

func TestDecodeStateRejects(t *testing.T) {
	clock := newFakeClock(t0)
	l, _ := sli.NewLatency(time.Second, sli.WithClock(clock.Now))
	for i := range 100 {
		l.Record(time.Duration(i) * time.Millisecond)
	}
	good := l.State().Encode()
	if _, err := sli.DecodeState(good); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"empty": {}, "version": append([]byte{7}, good[1:]...), "truncated": good[:len(good)-1],
		"trailing": append(append([]byte{}, good...), 0), "half": good[:len(good)/2],
		"more in buckets than totals": {1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 120, 5, 0, 0},
	} {
		if _, err := sli.DecodeState(data); !errors.Is(err, sli.ErrCorruptState) {
			t.Errorf("%s: DecodeState error = %v, want ErrCorruptState", name, err)
		}
	}
}

// TestStateAcrossStorage restores a day of one event a minute into an SLI
// with a longer retention: its cells are the same, so every window counts
// the same.
func TestStateAcrossStorage(t *testing.T) {
	clock := newFakeClock(t0)
	src, _ := sli.NewRatio(sli.WithClock(clock.Now))
	for range 24 * 60 { // a day, one event a minute
		src.Record(sli.Good)
		clock.Advance(time.Minute)
	}
	clock.Advance(-time.Minute)
	dst, _ := sli.NewRatio(sli.WithClock(clock.Now), sli.WithStorage(sli.Storage{Retention: 400 * 24 * time.Hour}))
	if err := dst.Add(src.State()); err != nil {
		t.Fatal(err)
	}
	for _, w := range []time.Duration{5 * time.Minute, 30 * time.Minute, time.Hour, 12 * time.Hour, 23 * time.Hour, 2 * 24 * time.Hour} {
		want, _ := src.Counts(w)
		if got, _ := dst.Counts(w); got != want {
			t.Errorf("window %v: restored %+v, source %+v", w, got, want)
		}
	}
	if c, _ := dst.Counts(2 * 24 * time.Hour); c.Valid != 24*60 {
		t.Errorf("restored 2-day window holds %v events, want %d", c.Valid, 24*60)
	}
}

// TestRecorded checks that Recorded counts what was recorded into the SLI
// itself, every event whatever its time, and not what states added: it is
// the counter an exporter exports, which must start from zero after a
// restore.
func TestRecorded(t *testing.T) {
	clock := newFakeClock(t0)
	before, _ := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
	for k := range 1000 {
		before.Record(time.Duration(k) * time.Millisecond) // 101 good
	}
	restarted, _ := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
	if err := restarted.Add(before.State()); err != nil {
		t.Fatal(err)
	}
	if got := restarted.Recorded(); got != (sli.Counts{}) {
		t.Errorf("Recorded() after a restore = %+v, want zero", got)
	}
	restarted.Record(time.Millisecond)
	restarted.Record(time.Second)
	restarted.Exclude()
	restarted.Record(-time.Second)
	restarted.RecordAt(clock.Now().Add(-90*24*time.Hour), time.Millisecond) // beyond the retention
	if got, want := restarted.Recorded(), (sli.Counts{Good: 2, Valid: 3}); got != want {
		t.Errorf("Recorded() = %+v, want %+v", got, want)
	}
	if got := restarted.Cumulative().Count(); got != 3 {
		t.Errorf("Cumulative().Count() = %d, want the 3 recorded durations", got)
	}
	if got, want := before.Recorded(), (sli.Counts{Good: 101, Valid: 1000}); got != want {
		t.Errorf("Recorded() = %+v, want %+v", got, want)
	}
	r, _ := sli.NewRatio(sli.WithClock(clock.Now))
	r.Record(sli.Good)
	r.Record(sli.Bad)
	r.Record(sli.Invalid)
	if err := r.Add(r.State()); err != nil {
		t.Fatal(err)
	}
	if got, want := r.Recorded(), (sli.Counts{Good: 1, Valid: 2}); got != want {
		t.Errorf("ratio Recorded() = %+v, want %+v", got, want)
	}
}

// TestDecodeStateRefusesLongVarints: a number written in more bytes than
// it needs is refused, so that a state's zero cell is the bytes of an
// empty one (a store keeps a state's cells as they are, and knows an
// empty cell by its bytes).
func TestDecodeStateRefusesLongVarints(t *testing.T) {
	now, start := t0.UnixNano(), t0.Add(-30*time.Minute).UnixNano()
	if _, err := sli.DecodeState(sliceState(0, 0, now, time.Minute, start, start, 1, []byte{0, 0})); err != nil {
		t.Fatalf("a zero cell: %v", err)
	}
	for name, data := range map[string][]byte{
		"a zero cell as 80 00":    sliceState(0, 0, now, time.Minute, start, start, 1, []byte{0x80, 0, 0}),
		"a cell of 1 as 81 00":    sliceState(1, 0, now, time.Minute, start, start, 1, []byte{0x81, 0, 0}),
		"a total of 0 as 80 00":   append([]byte{2, 0x80}, make([]byte, 11)...),
		"a present of 0 as 80 00": append(append([]byte{2}, make([]byte, 8)...), 0x80, 0, 0, 0),
	} {
		if _, err := sli.DecodeState(data); !errors.Is(err, sli.ErrCorruptState) {
			t.Errorf("%s: %v, want ErrCorruptState", name, err)
		}
	}
}

// withSince returns the version-3 state enc with its first slice at since.
func withSince(enc []byte, since int64) []byte {
	p := 1
	for range 8 { // totals
		_, n := binary.Uvarint(enc[p:])
		p += n
	}
	_, n := binary.Varint(enc[p:]) // present
	p += n
	_, n = binary.Uvarint(enc[p:]) // slice
	p += n
	_, n = binary.Varint(enc[p:])
	out := binary.AppendVarint(append([]byte(nil), enc[:p]...), since)
	return append(out, enc[p+n:]...)
}

// TestDecodeStateChecksTheFirstSlice: a time-slice state's first slice
// starts on a slice boundary, no later than its cells and its present.
// One earlier than any retention is not refused (an SLI keeps the slice it
// began in however long it runs), but counts, and is handed on, no earlier
// than the slices the SLI holds.
func TestDecodeStateChecksTheFirstSlice(t *testing.T) {
	clock := newFakeClock(t0.Add(30 * time.Minute))
	src, _ := sli.NewRatioSlices(0.9, sli.WithClock(clock.Now))
	src.RecordAt(t0, sli.Good) // 30 minutes back
	enc := src.State().Encode()
	now, first := clock.Now().UnixNano(), t0.UnixNano()
	const L = int64(time.Minute)
	for _, tc := range []struct {
		name  string
		since int64
		ok    bool
	}{
		{"as written", first, true},
		{"ten slices earlier", first - 10*L, true},
		{"before any retention", -(1 << 62) / L * L, true},
		{"off a slice boundary", first - 30*int64(time.Second), false},
		{"after the first cell", first + 10*L, false},
		{"after the present", now + L, false},
		{"in 2116", (1 << 62) / L * L, false},
	} {
		_, err := sli.DecodeState(withSince(enc, tc.since))
		if ok := err == nil; ok != tc.ok || !ok && !errors.Is(err, sli.ErrCorruptState) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// A state with no cells: its present bounds its first slice alone.
	empty := sliceState(0, 0, now, time.Minute, now+L, 0, 0, nil)
	if _, err := sli.DecodeState(empty); !errors.Is(err, sli.ErrCorruptState) {
		t.Errorf("no cells, first slice after the present: %v", err)
	}

	// The first slice in 1823: a fresh SLI counts from the oldest slice it
	// holds, and its state says so.
	st, err := sli.DecodeState(withSince(enc, -(1<<62)/L*L))
	if err != nil {
		t.Fatal(err)
	}
	dst, _ := sli.NewRatioSlices(0.9, sli.WithClock(clock.Now), sli.WithEmptySlices(sli.EmptyBad), sli.WithStorage(sli.Storage{Retention: 2 * time.Hour}))
	if err := dst.Add(st); err != nil {
		t.Fatal(err)
	}
	if got, want := must(dst.CountsAt(clock.Now().Add(-time.Hour), 2*time.Hour)), (sli.Counts{Good: 0, Valid: 60}); got != want {
		t.Errorf("an hour back over 2 hours: %+v, want %+v, the slices held", got, want)
	}
	again, _ := sli.DecodeState(dst.State().Encode())
	if got := since(again.Encode()); got < clock.Now().Add(-2*time.Hour-time.Minute).UnixNano() {
		t.Errorf("the SLI hands on a first slice %v back", clock.Now().Sub(time.Unix(0, got)))
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// since returns the first slice of the version-3 state enc.
func since(enc []byte) int64 {
	p := 1
	for range 8 {
		_, n := binary.Uvarint(enc[p:])
		p += n
	}
	_, n := binary.Varint(enc[p:])
	p += n
	_, n = binary.Uvarint(enc[p:])
	v, _ := binary.Varint(enc[p+n:])
	return v
}
