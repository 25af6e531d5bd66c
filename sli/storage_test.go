package sli_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nines-slo/nines/internal/heap"
	"github.com/nines-slo/nines/sli"
)

// cellModel computes, independently of the implementation, which events a
// window counts under the documented rules: 10-second cells for 25
// minutes, 1-minute cells to 6 h 30 m, 15-minute cells to the retention,
// each level reaching back its span from the current cell's start (rounded
// down to its width), a level's newest cell ending where the finer level
// begins; a window takes every cell that starts at or before its end and
// either holds the end or lies more than half after its start.
type cellModel struct {
	st    sli.Storage
	times []time.Time // of the events, oldest first
	bad   []bool
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func (m *cellModel) counts(now, t time.Time, w time.Duration) sli.Counts {
	levels := []struct{ width, span int64 }{
		{int64(10 * time.Second), int64(25 * time.Minute)},
		{int64(time.Minute), int64(6*time.Hour + 30*time.Minute)},
		{int64(15 * time.Minute), int64(m.st.Retention)},
	}
	hot := floorDiv(now.UnixNano(), int64(10*time.Second)) * int64(10*time.Second)
	frontier := func(k int) int64 { return floorDiv(hot-levels[k].span, levels[k].width) * levels[k].width }
	b := t.UnixNano()
	a := b - int64(w)
	var c sli.Counts
	for i, et := range m.times {
		e := et.UnixNano()
		start, end := hot, hot+int64(10*time.Second)
		if e < hot {
			k := 0
			for k < len(levels) && e < frontier(k) {
				k++
			}
			if k == len(levels) {
				continue // expired
			}
			start = floorDiv(e, levels[k].width) * levels[k].width
			bound := hot
			if k > 0 {
				bound = frontier(k - 1)
			}
			end = min(start+levels[k].width, bound)
		}
		if start <= b && (end > b || start+(end-start)/2 > a) {
			c.Valid++
			if !m.bad[i] {
				c.Good++
			}
		}
	}
	return c
}

// TestWindowsMatchCellModel records an event every 10 seconds for 40 days
// and checks windows from 5 minutes to 35 days, now and in the past,
// against the cell model: exact to the cell, old data in wider cells, data
// beyond the retention gone.
func TestWindowsMatchCellModel(t *testing.T) {
	clock := newFakeClock(t0)
	r, err := sli.NewRatio(sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	m := &cellModel{st: r.Storage()}
	const step = 10 * time.Second
	n := int(40 * 24 * time.Hour / step)
	for k := range n {
		bad := k%7 == 0
		m.times = append(m.times, clock.Now())
		m.bad = append(m.bad, bad)
		if bad {
			r.Record(sli.Bad)
		} else {
			r.Record(sli.Good)
		}
		if k < n-1 {
			clock.Advance(step)
		}
	}
	now := clock.Now()
	windows := []time.Duration{5 * time.Minute, 17 * time.Minute, 30 * time.Minute, time.Hour, 6 * time.Hour, 7 * time.Hour, 24 * time.Hour, 3 * 24 * time.Hour, 30 * 24 * time.Hour, 35 * 24 * time.Hour}
	ends := []time.Duration{0, 90 * time.Second, 3 * time.Hour, 7*time.Hour + 20*time.Minute, 10 * 24 * time.Hour}
	for _, back := range ends {
		for _, w := range windows {
			at := now.Add(-back)
			t.Run(fmt.Sprintf("%v back/%v", back, w), func(t *testing.T) {
				got, err := r.CountsAt(at, w)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(m.counts(now, at, w), got); diff != "" {
					t.Errorf("CountsAt (-model +got):\n%s", diff)
				}
			})
		}
	}
	// Every window ending now from 4 m 10 s to a day spans its length to
	// within 2%, longer ones to within 7.5 minutes (one event of 10 s for
	// the event grid).
	for _, w := range []time.Duration{250 * time.Second, 5 * time.Minute, 17 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 6*time.Hour + 20*time.Minute, 7 * time.Hour, 12 * time.Hour, 24 * time.Hour, 3 * 24 * time.Hour, 30 * 24 * time.Hour, 35 * 24 * time.Hour} {
		got, _ := r.Counts(w)
		tol := float64(w) * 0.02
		if w > 24*time.Hour {
			tol = float64(7*time.Minute + 30*time.Second)
		}
		tol += float64(step)
		if span := got.Valid * float64(step); math.Abs(span-float64(w)) > tol {
			t.Errorf("Counts(%v) spans %v, want within %v of the window", w, time.Duration(span), time.Duration(tol))
		}
	}
	if tot := r.Totals(); tot.Good+tot.Bad != uint64(n) {
		t.Errorf("Totals = %+v, want %d valid events", tot, n)
	}
}

func TestStorageDefaultsAndValidation(t *testing.T) {
	r, err := sli.NewRatio()
	if err != nil {
		t.Fatal(err)
	}
	want := sli.Storage{Retention: 35 * 24 * time.Hour}
	if diff := cmp.Diff(want, r.Storage()); diff != "" {
		t.Errorf("default Storage (-want +got):\n%s", diff)
	}
	long, err := sli.NewRatio(sli.WithStorage(sli.Storage{Retention: 400 * 24 * time.Hour}))
	if err != nil {
		t.Fatalf("400-day retention: %v", err)
	}
	if _, err := long.Counts(400 * 24 * time.Hour); err != nil {
		t.Errorf("400-day window: %v", err)
	}

	bad := []struct {
		s     sli.Storage
		field string
	}{
		{sli.Storage{Retention: time.Hour - time.Second}, "Retention"},
		{sli.Storage{Retention: -time.Hour}, "Retention"},
		{sli.Storage{Retention: time.Duration(math.MaxInt64)}, "Retention"},
		{sli.Storage{Retention: 30 * 365 * 24 * time.Hour}, "Retention"},
	}
	for _, tt := range bad {
		_, err := sli.NewRatio(sli.WithStorage(tt.s))
		if !errors.Is(err, sli.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("NewRatio(WithStorage(%+v)) error = %v, want ErrInvalidConfig naming %s", tt.s, err, tt.field)
		}
	}
}

func TestWindowValidation(t *testing.T) {
	r, err := sli.NewRatio()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []time.Duration{0, -time.Minute, 36 * 24 * time.Hour} {
		if _, err := r.Counts(w); !errors.Is(err, sli.ErrInvalidWindow) || !strings.Contains(err.Error(), "window") {
			t.Errorf("Counts(%v) error = %v, want ErrInvalidWindow naming the window", w, err)
		}
	}
	if _, err := r.CountsAt(time.Time{}, time.Hour); !errors.Is(err, sli.ErrInvalidWindow) {
		t.Errorf("CountsAt(zero time) error = %v, want ErrInvalidWindow", err)
	}
}

// TestMemoryPerSLI reports and bounds the memory of one SLI retaining 35
// days of counts.
func TestMemoryPerSLI(t *testing.T) {
	per, r, err := heap.PerValue(200, func() (*sli.Ratio, error) { return sli.NewRatio() })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one ratio SLI retaining %v: %d bytes (%.1f KiB)", r.Storage().Retention, per, float64(per)/1024)
	if per > 64<<10 {
		t.Errorf("one SLI takes %d bytes, want ≤ 64 KiB", per)
	}
}

// ratioMemory fills a ratio SLI with 35 days of traffic at rate events a
// second, one in a thousand bad, and returns the heap bytes it holds: the
// heap with it less the heap once it is gone, so that what the process
// allocates once (pools, the runtime's own) is not counted.
func ratioMemory(tb testing.TB, rate int) uint64 { return ratioMemoryOf(tb, rate, nil) }

// ratioMemoryOf is ratioMemory with the traffic of each second drawn from
// rng when it is not nil: rate ± 10% events, each bad with probability
// 1/1000, as real traffic varies.
func ratioMemoryOf(tb testing.TB, rate int, rng *rand.Rand) uint64 {
	clock := newFakeClock(t0)
	r, err := sli.NewRatio(sli.WithClock(clock.Now))
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for range 35 * 24 * 3600 {
		k := rate
		if rng != nil {
			k = rate*9/10 + rng.IntN(rate/5+1)
		}
		for range k {
			bad := rng == nil && n%1000 == 999 || rng != nil && rng.IntN(1000) == 0
			if n++; bad {
				r.Record(sli.Bad)
			} else {
				r.Record(sli.Good)
			}
		}
		clock.Advance(time.Second)
	}
	return held(r)
}

// held returns the heap bytes x holds: the heap with it less the heap
// once it is gone, so that what the process allocates once (pools, the
// runtime's own) is not counted. The caller must not keep x.
func held(x any) uint64 {
	with := heap.InUse()
	runtime.KeepAlive(x)
	x = nil
	without := heap.InUse()
	if with < without {
		return 0
	}
	return with - without
}

// benchmarkMemory reports what fill's SLI holds, for traffic steady and
// varying by the second, in B/SLI.
func benchmarkMemory(b *testing.B, fill func(testing.TB, *rand.Rand) uint64) {
	for _, tt := range []struct {
		name string
		rng  *rand.Rand
	}{{"steady", nil}, {"varying", rand.New(rand.NewPCG(1, 2))}} {
		b.Run(tt.name, func(b *testing.B) {
			var n uint64
			for b.Loop() {
				n = fill(b, tt.rng)
			}
			b.ReportMetric(float64(n), "B/SLI")
		})
	}
}

// BenchmarkRatioMemory reports what a ratio SLI holds after 35 days at 100
// events a second, steady or varying by the second, in B/SLI (run it with
// -benchtime 1x).
func BenchmarkRatioMemory(b *testing.B) {
	benchmarkMemory(b, func(tb testing.TB, rng *rand.Rand) uint64 { return ratioMemoryOf(tb, 100, rng) })
}

// TestRatioMemory holds a ratio SLI with 35 days of an event a second —
// every cell of the retention in use — to 16 KiB: closed blocks packed
// as differences (17.5 KiB unpacked).
func TestRatioMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("fills 35 days")
	}
	n := ratioMemory(t, 1)
	t.Logf("a ratio SLI after 35 days at 1 event a second: %d bytes (%.1f KiB)", n, float64(n)/1024)
	if n > 16<<10 {
		t.Errorf("a ratio SLI takes %d bytes, want at most 16 KiB", n)
	}
}

// TestPastWindowNearEdge: a window ending in the past takes the cell that
// holds its end whole, as CountsAt documents.
func TestPastWindowNearEdge(t *testing.T) {
	clock := newFakeClock(t0)
	r, err := sli.NewRatio(sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	end := t0.Add(time.Hour + 30*time.Second) // mid-minute
	clock.Set(end.Add(2 * time.Minute))
	r.RecordAt(end.Add(-2*time.Minute), sli.Good)
	r.RecordAt(end.Add(15*time.Second), sli.Bad) // after end, in its minute
	r.RecordAt(end.Add(45*time.Second), sli.Bad) // the next minute
	clock.Set(t0.Add(2 * time.Hour))             // an hour on,
	r.Record(sli.Good)                           // and a rotation: 1-minute cells
	c, err := r.CountsAt(end, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if c.Good != 1 || c.Valid != 2 {
		t.Errorf("5m ending mid-minute an hour ago: %+v, want 1 good of 2 (the minute holding the end, whole)", c)
	}
}
