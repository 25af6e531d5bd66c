package sli_test

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/nines-slo/nines/internal/access"
	"github.com/nines-slo/nines/sli"
)

// sliceModel judges slices the way the documentation says, from every
// event's time, independently of the store.
type sliceModel struct {
	length  time.Duration
	minGood float64
	empty   sli.EmptySlices
	since   int64 // the first slice's start, ns
	counts  map[int64][2]int
}

func newSliceModel(length time.Duration, minGood float64, empty sli.EmptySlices, created time.Time) *sliceModel {
	return &sliceModel{length: length, minGood: minGood, empty: empty, since: created.Truncate(length).UnixNano(), counts: map[int64][2]int{}}
}

func (m *sliceModel) add(t time.Time, good bool) {
	k := t.Truncate(m.length).UnixNano()
	c := m.counts[k]
	if good {
		c[0]++
	} else {
		c[1]++
	}
	m.counts[k] = c
	m.since = min(m.since, k)
}

// at returns the slices ending in (t − w, t] and their events.
func (m *sliceModel) at(t time.Time, w time.Duration) (slices, events sli.Counts) {
	L := int64(m.length)
	for end := t.Truncate(m.length).UnixNano(); end > t.Add(-w).UnixNano(); end -= L {
		start := end - L
		c, ok := m.counts[start]
		switch {
		case ok:
			events.Good += float64(c[0])
			events.Valid += float64(c[0] + c[1])
			slices.Valid++
			if float64(c[0])/float64(c[0]+c[1]) >= m.minGood {
				slices.Good++
			}
		case start < m.since:
		case m.empty == sli.EmptyGood:
			slices.Good++
			slices.Valid++
		case m.empty == sli.EmptyBad:
			slices.Valid++
		}
	}
	return slices, events
}

// TestSlicesMatchModel records events now and in the past while the clock
// moves over 30 hours, for several slice lengths and empty-slice policies,
// and checks windows ending now, in the past and inside a slice against
// the model.
func TestSlicesMatchModel(t *testing.T) {
	for _, tc := range []struct {
		length time.Duration
		empty  sli.EmptySlices
	}{{10 * time.Second, sli.EmptyNotValid}, {time.Minute, sli.EmptyNotValid}, {time.Minute, sli.EmptyGood}, {5 * time.Minute, sli.EmptyBad}, {time.Hour, sli.EmptyGood}} {
		t.Run(tc.length.String()+"/"+tc.empty.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.length), uint64(tc.empty)))
			clock := newFakeClock(t0.Add(17 * time.Second))
			s, err := sli.NewRatioSlices(0.9, sli.WithClock(clock.Now), sli.WithSlice(tc.length), sli.WithEmptySlices(tc.empty),
				sli.WithStorage(sli.Storage{Retention: 3 * 24 * time.Hour}))
			if err != nil {
				t.Fatal(err)
			}
			m := newSliceModel(tc.length, 0.9, tc.empty, clock.Now())
			check := func() {
				t.Helper()
				now := clock.Now()
				ws := []time.Duration{time.Minute, 5 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour, 2 * 24 * time.Hour}
				for _, back := range []time.Duration{0, 7*time.Minute + 3*time.Second, 5 * time.Hour} {
					at := now.Add(-back)
					// All the windows at once, as an objective's status reads them.
					good, valid := make([]float64, len(ws)), make([]float64, len(ws))
					if ok, err := access.CountsManyAt(s, at, ws, good, valid); !ok || err != nil {
						t.Fatalf("CountsManyAt: %v, %v", ok, err)
					}
					for i, w := range ws {
						if want, _ := m.at(at, w); (sli.Counts{Good: good[i], Valid: valid[i]}) != want {
							t.Fatalf("at %v, %v back, window %v read with the others: %v of %v slices, model %+v", now.Sub(t0), back, w, good[i], valid[i], want)
						}
					}
					for _, w := range ws {
						got, err := s.CountsAt(at, w)
						if err != nil {
							t.Fatal(err)
						}
						ev, err := s.EventsAt(at, w)
						if err != nil {
							t.Fatal(err)
						}
						want, wantEv := m.at(at, w)
						if got != want || ev != wantEv {
							t.Fatalf("at %v, %v back, window %v: slices %+v events %+v, model %+v %+v", now.Sub(t0), back, w, got, ev, want, wantEv)
						}
					}
				}
			}
			for step := range 3000 {
				clock.Advance(time.Duration(rng.Int64N(int64(70 * time.Second))))
				for range rng.IntN(4) {
					good := rng.IntN(8) != 0
					o := sli.Bad
					if good {
						o = sli.Good
					}
					s.Record(o)
					m.add(clock.Now(), good)
				}
				if rng.IntN(4) == 0 {
					at := clock.Now().Add(-time.Duration(rng.Int64N(int64(30 * time.Hour))))
					s.RecordAt(at, sli.Bad)
					m.add(at, false)
				}
				if rng.IntN(10) == 0 {
					s.Record(sli.Invalid) // in no slice's counts
				}
				if step%300 == 0 {
					check()
				}
			}
			check()
		})
	}
}

// TestLatencySlicesArePercentiles checks the judgement against the p99 of
// each slice's latencies sorted: the nearest-rank percentile is within the
// threshold exactly when the slice is good.
func TestLatencySlicesArePercentiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const threshold = 300 * time.Millisecond
	clock := newFakeClock(t0)
	s, err := sli.NewLatencySlices(0.99, threshold, sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	var wantGood float64
	const minutes = 200
	for range minutes {
		// Slices near the edge: 100 or 200 latencies, 0 to 3 of each
		// hundred over the threshold.
		n := 100 * (1 + rng.IntN(2))
		slow := rng.IntN(n/100*3 + 1)
		lat := make([]time.Duration, n)
		for i := range lat {
			lat[i] = time.Duration(rng.Int64N(int64(threshold))) + 1
			if i < slow {
				lat[i] = threshold + time.Duration(rng.Int64N(int64(time.Second))) + 1
			}
		}
		if rng.IntN(2) == 0 {
			lat[0] = threshold // exactly at the threshold is within it
		}
		for _, d := range lat {
			s.Record(d)
		}
		sorted := slices.Clone(lat)
		slices.Sort(sorted)
		rank := (99*n + 99) / 100 // ⌈0.99 n⌉
		if sorted[rank-1] <= threshold {
			wantGood++
		}
		clock.Advance(time.Minute)
	}
	got, err := s.Counts(minutes * time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if want := (sli.Counts{Good: wantGood, Valid: minutes}); got != want {
		t.Fatalf("slices %+v, sorted p99s say %+v", got, want)
	}
	if wantGood == 0 || wantGood == minutes {
		t.Fatalf("every slice judged alike (%v good): the test does not test", wantGood)
	}
}

// TestSlicesRestoreAndMergeAreExact: a slice whose events two replicas
// share is judged on them all, after a restore from bytes and a merge.
func TestSlicesRestoreAndMergeAreExact(t *testing.T) {
	clock := newFakeClock(t0)
	newSLI := func() *sli.RatioSlices {
		s, err := sli.NewRatioSlices(0.9, sli.WithClock(clock.Now), sli.WithEmptySlices(sli.EmptyBad))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b, all := newSLI(), newSLI(), newSLI()
	rng := rand.New(rand.NewPCG(7, 8))
	for range 3 * 24 * 60 {
		for range rng.IntN(30) {
			o := sli.Good
			if rng.IntN(10) == 0 {
				o = sli.Bad
			}
			if rng.IntN(2) == 0 {
				a.Record(o)
			} else {
				b.Record(o)
			}
			all.Record(o)
		}
		clock.Advance(time.Minute)
	}
	// One slice good on a alone, bad on b alone, good merged.
	for range 19 {
		a.Record(sli.Good)
		all.Record(sli.Good)
	}
	b.Record(sli.Bad)
	all.Record(sli.Bad)
	clock.Advance(2 * time.Minute)

	decoded := func(s *sli.RatioSlices) *sli.State {
		st, err := sli.DecodeState(s.State().Encode())
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	merged, err := sli.MergeStates(decoded(a), decoded(b))
	if err != nil {
		t.Fatal(err)
	}
	restored := newSLI()
	if err := restored.Add(merged); err != nil {
		t.Fatal(err)
	}
	clock.Advance(10 * time.Minute) // they age alike
	for _, w := range []time.Duration{5 * time.Minute, time.Hour, 24 * time.Hour, 30 * 24 * time.Hour} {
		want, _ := all.Counts(w)
		got, err := restored.Counts(w)
		if err != nil {
			t.Fatal(err)
		}
		ga, _ := a.Counts(w)
		gb, _ := b.Counts(w)
		if got != want {
			t.Errorf("window %v: merged %+v, recorded in one %+v (replicas %+v, %+v)", w, got, want, ga, gb)
		}
	}
	// The 15-minute window holds the edge slice: good only merged.
	want, _ := all.Counts(15 * time.Minute)
	ga, _ := a.Counts(15 * time.Minute)
	gb, _ := b.Counts(15 * time.Minute)
	if got, _ := restored.Counts(15 * time.Minute); got != want || ga.Good+gb.Good == want.Good {
		t.Errorf("15m: merged %+v, one SLI %+v; the replicas' verdicts %+v and %+v add up to it", got, want, ga, gb)
	}
}

// TestSlicesBeforeTheSLIDoNotCount: a new SLI's window reaches back before
// it began; those slices are no data, whatever an empty slice counts as.
func TestSlicesBeforeTheSLIDoNotCount(t *testing.T) {
	clock := newFakeClock(t0.Add(30 * time.Second))
	for _, tc := range []struct {
		empty sli.EmptySlices
		want  sli.Counts
	}{{sli.EmptyNotValid, sli.Counts{Good: 1, Valid: 1}}, {sli.EmptyGood, sli.Counts{Good: 10, Valid: 10}}, {sli.EmptyBad, sli.Counts{Good: 1, Valid: 10}}} {
		clock.Set(t0.Add(30 * time.Second))
		s, err := sli.NewRatioSlices(0.5, sli.WithClock(clock.Now), sli.WithEmptySlices(tc.empty))
		if err != nil {
			t.Fatal(err)
		}
		s.Record(sli.Good)
		clock.Advance(10 * time.Minute)
		got, err := s.Counts(24 * time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("empty slices %v: %+v over a day, want %+v (10 slices since it began)", tc.empty, got, tc.want)
		}
	}
}

func TestSlicesConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func() error
	}{
		{"minGood 0", func() error { _, err := sli.NewRatioSlices(0); return err }},
		{"minGood over 1", func() error { _, err := sli.NewRatioSlices(1.01); return err }},
		{"p 0.4", func() error { _, err := sli.NewLatencySlices(0.4, time.Second); return err }},
		{"p 0.9999", func() error { _, err := sli.NewLatencySlices(0.9999, time.Second); return err }},
		{"threshold 0", func() error { _, err := sli.NewLatencySlices(0.99, 0); return err }},
		{"slice 7s", func() error { _, err := sli.NewRatioSlices(0.9, sli.WithSlice(7*time.Second)); return err }},
		{"slice 7m", func() error { _, err := sli.NewRatioSlices(0.9, sli.WithSlice(7*time.Minute)); return err }},
		{"slice a day, retention 1h", func() error {
			_, err := sli.NewRatioSlices(0.9, sli.WithSlice(24*time.Hour), sli.WithStorage(sli.Storage{Retention: time.Hour}))
			return err
		}},
		{"empty policy 9", func() error { _, err := sli.NewRatioSlices(0.9, sli.WithEmptySlices(9)); return err }},
		{"too many slices", func() error {
			_, err := sli.NewRatioSlices(0.9, sli.WithSlice(10*time.Second), sli.WithStorage(sli.Storage{Retention: 400 * 24 * time.Hour}))
			return err
		}},
	} {
		if err := tc.make(); !errors.Is(err, sli.ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", tc.name, err)
		}
	}
	s, err := sli.NewLatencySlices(0.99, 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	want := sli.Slicing{Length: time.Minute, Empty: sli.EmptyNotValid, MinGood: 0.99, Threshold: 300 * time.Millisecond}
	if got := s.Slicing(); got != want || got.String() != "p99 ≤ 300ms in each 1m0s slice" {
		t.Errorf("Slicing %+v %q", got, got)
	}
	r, _ := sli.NewRatioSlices(0.95, sli.WithSlice(5*time.Minute))
	if got := r.Slicing().String(); got != "≥ 95% good in each 5m0s slice" {
		t.Errorf("Slicing %q", got)
	}
	if _, err := sli.NewAggregated([]sli.Part{{Name: "x", SLI: r}}); !errors.Is(err, sli.ErrInvalidConfig) {
		t.Errorf("aggregating slices: %v, want ErrInvalidConfig", err)
	}
}

// TestSliceStatesFitOnlyTheirKind: states of events and of other slice
// lengths are refused, changing nothing.
func TestSliceStatesFitOnlyTheirKind(t *testing.T) {
	clock := newFakeClock(t0)
	r, _ := sli.NewRatio(sli.WithClock(clock.Now))
	l, _ := sli.NewLatency(time.Second, sli.WithClock(clock.Now))
	s1, _ := sli.NewRatioSlices(0.9, sli.WithClock(clock.Now))
	s5, _ := sli.NewRatioSlices(0.9, sli.WithClock(clock.Now), sli.WithSlice(5*time.Minute))
	r.Record(sli.Good)
	s1.Record(sli.Good)
	s5.Record(sli.Bad)
	clock.Advance(10 * time.Minute)
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"ratio into slices", s1.Add(r.State())},
		{"5m slices into 1m", s1.Add(s5.State())},
		{"slices into ratio", r.Add(s1.State())},
		{"slices into latency", l.Add(s1.State())},
	} {
		if !errors.Is(tc.err, sli.ErrStateMismatch) {
			t.Errorf("%s: %v, want ErrStateMismatch", tc.name, tc.err)
		}
	}
	if _, err := sli.MergeStates(s1.State(), s5.State()); !errors.Is(err, sli.ErrStateMismatch) {
		t.Errorf("merging slice lengths: %v", err)
	}
	if got, _ := s1.Counts(time.Hour); got != (sli.Counts{Good: 1, Valid: 1}) {
		t.Errorf("after refused states: %+v", got)
	}
	if got := s5.State().Slice(); got != 5*time.Minute {
		t.Errorf("State.Slice %v", got)
	}
	// Damaged slice states are refused.
	enc := s1.State().Encode()
	for _, bad := range [][]byte{append([]byte{3}, enc[1:len(enc)-3]...), {3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0}} {
		if _, err := sli.DecodeState(bad); !errors.Is(err, sli.ErrCorruptState) {
			t.Errorf("DecodeState(%x): %v", bad, err)
		}
	}
}

// latencySlicesMemory fills a p99 ≤ 300 ms time-slice SLI with 30 days of
// 1-minute slices at 100 requests a second — rate ± 10% a second when rng
// is not nil — about 1% of them slow, and returns the heap bytes it holds
// (see ratioMemoryOf).
func latencySlicesMemory(tb testing.TB, rng *rand.Rand) uint64 {
	clock := newFakeClock(t0)
	s, err := sli.NewLatencySlices(0.99, 300*time.Millisecond, sli.WithClock(clock.Now), sli.WithStorage(sli.Storage{Retention: 30 * 24 * time.Hour}))
	if err != nil {
		tb.Fatal(err)
	}
	lat := rand.New(rand.NewPCG(9, 10))
	for range 30 * 24 * 3600 {
		k := 100
		if rng != nil {
			k = 90 + rng.IntN(21)
		}
		for range k {
			d := 20 * time.Millisecond
			if lat.IntN(100) == 0 {
				d = time.Second
			}
			s.Record(d)
		}
		clock.Advance(time.Second)
	}
	return held(s)
}

// BenchmarkLatencySlicesMemory reports what a time-slice latency SLI holds
// after 30 days of 1-minute slices at 100 requests a second, steady or
// varying by the second, in B/SLI (run it with -benchtime 1x).
func BenchmarkLatencySlicesMemory(b *testing.B) { benchmarkMemory(b, latencySlicesMemory) }

// TestLatencySlicesMemory holds a p99 time-slice SLI with 30 days of
// 1-minute slices at a steady 100 requests a second to 64 KiB. .ci/run
// runs it without the race detector, under which it skips.
func TestLatencySlicesMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("records 30 days at 100 a second; run without -short and -race")
	}
	n := latencySlicesMemory(t, nil)
	t.Logf("a p99 time-slice SLI after 30 days of 1-minute slices at 100 requests a second: %d bytes (%.1f KiB)", n, float64(n)/1024)
	if n > 64<<10 {
		t.Errorf("it takes %d bytes, want at most 64 KiB", n)
	}
}

// sliceState writes a version-3 time-slice state by hand: its totals of
// good and bad events, its present at, its slice length and first slice
// since, and one run of k cells a slice wide from start whose pairs of
// counts are raw, written as given.
func sliceState(good, bad uint64, at int64, slice time.Duration, since, start int64, k int, raw []byte) []byte {
	b := []byte{3}
	for _, v := range []uint64{good, bad, 0, 0, 0, 0, 0, 0} {
		b = binary.AppendUvarint(b, v)
	}
	b = binary.AppendVarint(b, at)
	b = binary.AppendUvarint(b, uint64(slice))
	b = binary.AppendVarint(b, since)
	b = binary.AppendUvarint(b, uint64(k))
	if k > 0 {
		b = binary.AppendUvarint(b, uint64(k))
		b = binary.AppendVarint(b, start)
		b = binary.AppendUvarint(b, uint64(slice))
		b = append(b, raw...)
	}
	return append(b, 0)
}

// TestSliceWithoutValidEventsIsEmpty: a slice whose cells hold no valid
// events (here 2^64 − 1 good and 1 bad, which add up to 0 modulo 2^64) is
// empty, read cell by cell as its block's tally reads it once packed.
func TestSliceWithoutValidEventsIsEmpty(t *testing.T) {
	clock := newFakeClock(t0)
	s, err := sli.NewRatioSlices(0.9, sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	now, start := t0.UnixNano(), t0.Add(-30*time.Minute).UnixNano()
	raw := binary.AppendUvarint(binary.AppendUvarint(nil, math.MaxUint64), 1)
	st, err := sli.DecodeState(sliceState(math.MaxUint64, 1, now, time.Minute, start, start, 1, raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add(st); err != nil {
		t.Fatal(err)
	}
	got, _ := s.CountsAt(clock.Now(), time.Hour)
	ev, _ := s.EventsAt(clock.Now(), time.Hour)
	if got != (sli.Counts{}) || ev != (sli.Counts{}) {
		t.Errorf("slices %+v, events %+v; want none", got, ev)
	}
	// Four hours of one good event a minute pack the block of the slice
	// (the 12 hours to noon UTC) once the next has begun. A window that
	// holds the whole block reads its tally; one that ends inside it, read
	// with the other, reads its cells.
	for range 4 * 60 {
		s.Record(sli.Good)
		clock.Advance(time.Minute)
	}
	want := sli.Counts{Good: 240, Valid: 240}
	if got, _ := s.CountsAt(clock.Now(), 5*time.Hour); got != want {
		t.Errorf("from the tally: %+v, want %+v", got, want)
	}
	ws := []time.Duration{3 * time.Hour, 5 * time.Hour}
	good, valid := make([]float64, 2), make([]float64, 2)
	if ok, err := access.CountsManyAt(s, clock.Now(), ws, good, valid); !ok || err != nil {
		t.Fatalf("CountsManyAt: %v, %v", ok, err)
	}
	if got := (sli.Counts{Good: good[1], Valid: valid[1]}); got != want {
		t.Errorf("cell by cell: %+v, want %+v", got, want)
	}
}

// TestExpiredSlicesDoNotCount: a window that reaches back past the
// retention, read in the past or as long as it, counts no slice that has
// expired, whatever an empty slice counts as.
func TestExpiredSlicesDoNotCount(t *testing.T) {
	for _, empty := range []sli.EmptySlices{sli.EmptyGood, sli.EmptyBad} {
		clock := newFakeClock(t0)
		s, err := sli.NewRatioSlices(0.9, sli.WithClock(clock.Now), sli.WithEmptySlices(empty), sli.WithStorage(sli.Storage{Retention: 2 * time.Hour}))
		if err != nil {
			t.Fatal(err)
		}
		for range 5 * 60 { // five hours, a good event a minute
			s.Record(sli.Good)
			clock.Advance(time.Minute)
		}
		now := clock.Now()
		for _, tc := range []struct {
			back, w time.Duration
			want    float64 // good slices, all of them valid
		}{
			{time.Hour, 2 * time.Hour, 61},         // the 2 hours kept and the slice before
			{90 * time.Minute, time.Hour, 31},      // half in the retention
			{0, 2 * time.Hour, 120},                // the whole retention
			{30 * time.Second, 2 * time.Hour, 120}, // inside a slice
			{3 * time.Hour, time.Hour, 0},          // all expired
		} {
			got, err := s.CountsAt(now.Add(-tc.back), tc.w)
			if err != nil {
				t.Fatal(err)
			}
			if want := (sli.Counts{Good: tc.want, Valid: tc.want}); got != want {
				t.Errorf("empty slices %v, %v back over %v: %+v, want %+v", empty, tc.back, tc.w, got, want)
			}
		}
	}
}
