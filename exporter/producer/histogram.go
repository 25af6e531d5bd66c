package producer

import (
	"math"
	"time"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/internal/access"
	"github.com/nines-slo/nines/sli"
)

// toExplicit re-buckets an HDR histogram, given as the iteration over its
// non-zero buckets in increasing order (histogram.Snapshot's Counts, or
// the SLI's own without a copy: cumulativeOf), into explicit buckets with
// upper bounds bounds (ns, increasing; the last bucket is unbounded
// above). An HDR bucket that a bound cuts is split in proportion to the
// share of its values at or below the bound, taking its values as evenly
// spread; shares are rounded, so each bucket count grows with the HDR
// counts and never shrinks between collections. Sum takes each value at
// its bucket's middle; Min and Max are the HDR buckets' edges.
func toExplicit(each func(func(lo, hi time.Duration, n uint64)), bounds []int64) metricdata.HistogramDataPoint[float64] {
	p := metricdata.HistogramDataPoint[float64]{BucketCounts: make([]uint64, len(bounds)+1)}
	j := 0
	var t totals
	each(func(lo, hi time.Duration, n uint64) {
		t.add(lo, hi, n)
		l, h := int64(lo), int64(hi)
		for j < len(bounds) && bounds[j] < l {
			j++
		}
		if j < len(bounds) && bounds[j] < h {
			// The bound cuts the bucket: its share goes below, the rest to
			// the next bucket. Further bounds inside the same HDR bucket
			// (less than 0.78% apart) get none of it, so that every count is
			// round(n·f) or n − round(n·f) and only grows with n.
			below := share(n, float64(bounds[j]), float64(l), float64(h))
			p.BucketCounts[j] += below
			p.BucketCounts[j+1] += n - below
			return
		}
		p.BucketCounts[j] += n
	})
	p.Count, p.Sum, p.Min, p.Max = t.point()
	return p
}

// totals gathers what a histogram point holds besides its buckets, from
// the HDR buckets in increasing order.
type totals struct {
	count  uint64
	sum    float64 // in ns, each value at its bucket's middle
	mn, mx time.Duration
}

func (t *totals) add(lo, hi time.Duration, n uint64) {
	if t.count == 0 {
		t.mn = lo
	}
	t.mx = hi
	if t.count += n; t.count < n {
		t.count = math.MaxUint64 // only absurd decoded counts get here
	}
	t.sum += float64(n) * (float64(lo) + float64(hi-lo+1)/2)
}

// point returns the count, the sum in seconds and the extrema (the HDR
// buckets' edges), none if there are no values.
func (t *totals) point() (count uint64, sum float64, mn, mx metricdata.Extrema[float64]) {
	if t.count > 0 {
		mn, mx = metricdata.NewExtrema(t.mn.Seconds()), metricdata.NewExtrema(t.mx.Seconds())
	}
	return t.count, t.sum / 1e9, mn, mx
}

// share returns the part of an HDR bucket's n values, taken as evenly
// spread over its integers lo..hi, that lies at or below cut: rounded, so
// that it grows with n, and so does the rest.
func share(n uint64, cut, lo, hi float64) uint64 {
	return uint64(math.Round(float64(n) * (math.Floor(cut) - lo + 1) / (hi - lo + 1)))
}

// cumulativeOf returns the iteration over l's cumulative histogram: its
// own, without a copy, for nines' Latency; through Cumulative's snapshot
// for another LatencySource.
func cumulativeOf(l sli.LatencySource) func(func(lo, hi time.Duration, n uint64)) {
	return func(f func(lo, hi time.Duration, n uint64)) {
		if !access.LatencyCumulativeEach(l, f) {
			l.Cumulative().Counts(f)
		}
	}
}
