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
	var sum float64
	var mn, mx time.Duration
	each(func(lo, hi time.Duration, n uint64) {
		if p.Count == 0 {
			mn = lo
		}
		mx = hi
		if p.Count += n; p.Count < n {
			p.Count = math.MaxUint64 // only absurd decoded counts get here
		}
		l, h := int64(lo), int64(hi)
		sum += float64(n) * (float64(l) + float64(h-l+1)/2)
		for j < len(bounds) && bounds[j] < l {
			j++
		}
		if j < len(bounds) && bounds[j] < h {
			// The bound cuts the bucket: its share goes below, the rest to
			// the next bucket. Further bounds inside the same HDR bucket
			// (less than 0.78% apart) get none of it, so that every count is
			// round(n·f) or n − round(n·f) and only grows with n.
			below := uint64(math.Round(float64(n) * float64(bounds[j]-l+1) / float64(h-l+1)))
			p.BucketCounts[j] += below
			p.BucketCounts[j+1] += n - below
			return
		}
		p.BucketCounts[j] += n
	})
	p.Sum = sum / 1e9
	if p.Count > 0 {
		p.Min, p.Max = metricdata.NewExtrema(mn.Seconds()), metricdata.NewExtrema(mx.Seconds())
	}
	return p
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
