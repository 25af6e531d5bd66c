package producer

import (
	"testing"
	"time"

	"github.com/nines-slo/nines/histogram"
	"github.com/nines-slo/nines/ninestest"
)

// TestToExplicitSplits records values evenly across the HDR bucket that
// the 10 ms boundary cuts, and checks that the boundary splits its count in
// proportion, that no value is lost, and that bucket counts never shrink as
// values are added.
func TestToExplicitSplits(t *testing.T) {
	clock := ninestest.NewClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	r, err := histogram.NewRecorder(histogram.Config{}, histogram.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	// The HDR bucket holding 10 ms: find its edges.
	var lo, hi time.Duration
	probe, _ := histogram.NewRecorder(histogram.Config{}, histogram.WithClock(clock.Now))
	probe.Record(10 * time.Millisecond)
	probe.Cumulative().Counts(func(l, h time.Duration, _ uint64) { lo, hi = l, h })
	if !(lo < 10*time.Millisecond && hi > 10*time.Millisecond) {
		t.Fatalf("the HDR bucket of 10ms is [%v, %v]: the boundary does not cut it", lo, hi)
	}
	bounds := []int64{int64(5 * time.Millisecond), int64(10 * time.Millisecond), int64(20 * time.Millisecond)}
	width := hi - lo + 1
	var prev []uint64
	const n = 4096
	for k := range n {
		r.Record(lo + time.Duration(int64(width)*int64(k)/n))
		p := toExplicit(r.Cumulative().Counts, bounds)
		var total uint64
		for i, c := range p.BucketCounts {
			total += c
			if prev != nil && c < prev[i] {
				t.Fatalf("after %d values bucket %d shrank from %d to %d", k+1, i, prev[i], c)
			}
		}
		if total != uint64(k+1) || p.Count != total {
			t.Fatalf("after %d values the buckets hold %d (Count %d)", k+1, total, p.Count)
		}
		prev = p.BucketCounts
	}
	// The share at or below 10 ms is the share of the bucket's range.
	want := float64(n) * float64(10*time.Millisecond-lo+1) / float64(width)
	if got := float64(prev[1]); got < want-1 || got > want+1 {
		t.Errorf("values at or below 10ms: %v, want %.1f of %d", got, want, n)
	}
	if prev[0] != 0 || prev[3] != 0 {
		t.Errorf("bucket counts %v: values outside (5ms, 20ms]", prev)
	}
}

// TestToExplicitTwoCutsNeverShrink puts two bounds inside one HDR bucket
// (at 30% and 40% of it): no bucket count may shrink as values are added.
func TestToExplicitTwoCutsNeverShrink(t *testing.T) {
	clock := ninestest.NewClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	r, _ := histogram.NewRecorder(histogram.Config{}, histogram.WithClock(clock.Now))
	probe, _ := histogram.NewRecorder(histogram.Config{}, histogram.WithClock(clock.Now))
	probe.Record(100 * time.Millisecond)
	var lo, hi time.Duration
	probe.Cumulative().Counts(func(l, h time.Duration, _ uint64) { lo, hi = l, h })
	width := int64(hi - lo + 1)
	bounds := []int64{int64(lo) + width*3/10, int64(lo) + width*4/10}
	var prev []uint64
	for k := range 200 {
		r.Record(lo + time.Duration(int64(k)*7919%width))
		p := toExplicit(r.Cumulative().Counts, bounds)
		for i, c := range p.BucketCounts {
			if prev != nil && c < prev[i] {
				t.Fatalf("after %d values bucket %d shrank from %d to %d (%v → %v)", k+1, i, prev[i], c, prev, p.BucketCounts)
			}
		}
		prev = p.BucketCounts
	}
}
