package producer

import (
	"math"
	"time"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/histogram"
)

// toExplicit re-buckets an HDR snapshot into explicit buckets with upper
// bounds bounds (ns, increasing; the last bucket is unbounded above). An
// HDR bucket that a bound cuts is split in proportion to the share of its
// values at or below the bound, taking its values as evenly spread; shares
// are rounded, so each bucket count grows with the HDR counts and never
// shrinks between collections. Sum takes each value at its bucket's middle;
// Min and Max are the HDR buckets' edges.
func toExplicit(s *histogram.Snapshot, bounds []int64) metricdata.HistogramDataPoint[float64] {
	p := metricdata.HistogramDataPoint[float64]{Count: s.Count(), BucketCounts: make([]uint64, len(bounds)+1)}
	j := 0
	var sum float64
	s.Counts(func(lo, hi time.Duration, n uint64) {
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
	if mn, err := s.Min(); err == nil {
		p.Min = metricdata.NewExtrema(mn.Seconds())
	}
	if mx, err := s.Max(); err == nil {
		p.Max = metricdata.NewExtrema(mx.Seconds())
	}
	return p
}
