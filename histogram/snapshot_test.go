package histogram_test

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/nines-slo/nines/histogram"
)

func snapshotOf(t testing.TB, c histogram.Config, values ...time.Duration) *histogram.Snapshot {
	t.Helper()
	r, _ := newRecorder(t, c)
	for _, v := range values {
		r.Record(v)
	}
	s, err := r.Snapshot(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEmptySnapshot(t *testing.T) {
	s := snapshotOf(t, histogram.Config{})
	calls := map[string]func() (time.Duration, error){
		"Min": s.Min, "Max": s.Max, "Mean": s.Mean, "P50": s.P50, "P95": s.P95, "P99": s.P99, "P999": s.P999,
	}
	for name, f := range calls {
		if _, err := f(); !errors.Is(err, histogram.ErrNoData) {
			t.Errorf("%s() on an empty snapshot: error = %v, want ErrNoData", name, err)
		}
	}
	if s.Count() != 0 {
		t.Errorf("Count() = %d", s.Count())
	}
}

func TestQuantileRejects(t *testing.T) {
	s := snapshotOf(t, histogram.Config{}, time.Millisecond)
	for _, q := range []float64{-0.1, 1.1, 99, math.NaN(), math.Inf(1)} {
		if _, err := s.Quantile(q); !errors.Is(err, histogram.ErrInvalidQuantile) {
			t.Errorf("Quantile(%v) error = %v, want ErrInvalidQuantile", q, err)
		}
	}
}

func TestQuantileEdges(t *testing.T) {
	values := []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 100 * time.Millisecond}
	s := snapshotOf(t, histogram.Config{}, values...)
	within := func(got, want time.Duration) bool {
		return math.Abs(float64(got-want)) <= float64(want)/128
	}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{
		{0, time.Millisecond}, {0.25, time.Millisecond}, {0.5, 2 * time.Millisecond},
		{0.75, 3 * time.Millisecond}, {1, 100 * time.Millisecond},
	} {
		got, err := s.Quantile(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if !within(got, tt.want) {
			t.Errorf("Quantile(%v) = %v, want %v within a bucket", tt.q, got, tt.want)
		}
	}
	min, _ := s.Min()
	max, _ := s.Max()
	if !within(min, time.Millisecond) || !within(max, 100*time.Millisecond) {
		t.Errorf("Min, Max = %v, %v; want 1ms, 100ms within a bucket", min, max)
	}
	mean, _ := s.Mean()
	if !within(mean, 26500*time.Microsecond) {
		t.Errorf("Mean() = %v, want 26.5ms", mean)
	}
}

// TestMergeIsExact splits values among three snapshots, as three replicas
// would record them: the merge equals the snapshot of all the values, bucket
// for bucket, so fleet-wide percentiles are exact.
func TestMergeIsExact(t *testing.T) {
	values := bimodal()[:30000]
	parts := make([]*histogram.Snapshot, 3)
	for k := range parts {
		var mine []time.Duration
		for i := k; i < len(values); i += 3 {
			mine = append(mine, values[i])
		}
		parts[k] = snapshotOf(t, histogram.Config{}, mine...)
	}
	merged, err := histogram.Merge(parts...)
	if err != nil {
		t.Fatal(err)
	}
	whole := snapshotOf(t, histogram.Config{}, values...)
	if !slices.Equal(bucketsOf(merged), bucketsOf(whole)) {
		t.Error("merged buckets differ from the buckets of all values")
	}
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		a, _ := merged.Quantile(q)
		b, _ := whole.Quantile(q)
		if a != b {
			t.Errorf("q=%v: merge %v, whole %v", q, a, b)
		}
	}
	// Percentiles do not average: the mean of the parts' p99 is not the p99.
	var avg time.Duration
	for _, p := range parts {
		p99, _ := p.P99()
		avg += p99 / 3
	}
	if p99, _ := whole.P99(); avg == p99 {
		t.Logf("the parts' p99 happened to average to the whole's")
	}
}

type bucket struct {
	Lo, Hi time.Duration
	N      uint64
}

func bucketsOf(s *histogram.Snapshot) []bucket {
	var out []bucket
	s.Counts(func(lo, hi time.Duration, n uint64) { out = append(out, bucket{lo, hi, n}) })
	return out
}

func TestMergeRejects(t *testing.T) {
	a := snapshotOf(t, histogram.Config{}, time.Millisecond)
	b := snapshotOf(t, histogram.Config{Digits: 3}, time.Millisecond)
	for name, snaps := range map[string][]*histogram.Snapshot{
		"nothing": nil, "nil": {a, nil}, "different digits": {a, b},
	} {
		if _, err := histogram.Merge(snaps...); !errors.Is(err, histogram.ErrLayoutMismatch) {
			t.Errorf("Merge(%s) error = %v, want ErrLayoutMismatch", name, err)
		}
	}
}

func TestMergeKeepsClampCounts(t *testing.T) {
	c := histogram.Config{Lowest: time.Millisecond, Highest: time.Second}
	a := snapshotOf(t, c, time.Microsecond, 2*time.Second)
	b := snapshotOf(t, c, -time.Second, time.Hour)
	m, err := histogram.Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if m.Count() != 3 || m.Underflow() != 1 || m.Overflow() != 2 || m.Invalid() != 1 {
		t.Errorf("merge: count %d, underflow %d, overflow %d, invalid %d; want 3, 1, 2, 1",
			m.Count(), m.Underflow(), m.Overflow(), m.Invalid())
	}
}
