package producer

import (
	"fmt"
	"math"
	"time"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// Scales of the exponential latency histogram ([WithExponentialBuckets]):
// Prometheus's native histograms take schemas -4 to 8.
const (
	minExpScale = -4
	maxExpScale = 8
	// DefaultExponentialScale is the scale WithExponentialBuckets(0) means:
	// buckets 1.09% wide, so that a quantile PromQL reads off them is within
	// 2% of the exact one, the HDR histogram's own 0.78% included.
	DefaultExponentialScale = 6
)

// WithExponentialBuckets exports the latency histograms as base-2
// exponential histograms of the given scale (each bucket 2^(2^−scale)
// times as wide as the one before; 0 means [DefaultExponentialScale]),
// instead of explicit buckets: Prometheus's native histograms, through its
// OTLP receiver or the OpenTelemetry Prometheus exporter (scraped with
// native histograms enabled). Merged across replicas, they give fleet-wide
// percentiles as fine as the scale, where explicit buckets give them only
// between two boundaries. Scales are -4 to 8, what native histograms take.
func WithExponentialBuckets(scale int) Option {
	return optionFunc(func(p *Producer) error {
		if scale == 0 {
			scale = DefaultExponentialScale
		}
		if scale < minExpScale || scale > maxExpScale {
			return fmt.Errorf("%w: WithExponentialBuckets: scale %d not in [%d, %d]", ErrInvalidOption, scale, minExpScale, maxExpScale)
		}
		p.expScale, p.exponential = int32(scale), true
		return nil
	})
}

// toExponential re-buckets an HDR histogram, given as the iteration over
// its non-zero buckets in increasing order, into base-2 exponential
// buckets of scale: bucket i holds the values in (2^(i/2^scale),
// 2^((i+1)/2^scale)] seconds. An HDR bucket that a boundary cuts is split
// as toExplicit splits one (at its first boundary, the share rounded), so
// that bucket counts grow with the HDR counts and never shrink.
func toExponential(each func(func(lo, hi time.Duration, n uint64)), scale int32) metricdata.ExponentialHistogramDataPoint[float64] {
	// The zero bucket's threshold is 1 ns, below every value an HDR
	// histogram keeps: a positive one tells older Prometheus servers that
	// the histogram is native (2.4x reads one of threshold 0 as classic).
	p := metricdata.ExponentialHistogramDataPoint[float64]{Scale: scale, ZeroThreshold: 1e-9}
	perOctave := math.Exp2(float64(scale))
	// index returns the bucket of a value of ns nanoseconds.
	index := func(ns float64) int32 { return int32(math.Ceil(math.Log2(ns/1e9)*perOctave)) - 1 }
	// upper returns bucket i's upper edge, in ns.
	upper := func(i int32) float64 { return math.Exp2(float64(i+1)/perOctave) * 1e9 }
	base := math.Exp2(1 / perOctave)
	counts := make([]uint64, 0, 64)
	add := func(i int32, n uint64) {
		if len(counts) == 0 {
			p.PositiveBucket.Offset = i
		}
		for int(i-p.PositiveBucket.Offset) >= len(counts) {
			counts = append(counts, 0)
		}
		counts[i-p.PositiveBucket.Offset] += n
	}
	var t totals
	i, ub := int32(0), math.Inf(-1) // the bucket of the HDR bucket before, and its upper edge
	each(func(lo, hi time.Duration, n uint64) {
		t.add(lo, hi, n)
		// The HDR bucket's values are the integers l..h. Past the bucket
		// before's exponential bucket, find its own afresh.
		l, h := float64(max(lo, 1)), float64(hi)
		if l > ub {
			// Edges are a function of i alone, whatever came before, so
			// that an HDR bucket lands in the same place at every
			// collection. Log2's rounding may be one bucket off at an edge.
			i = index(l)
			ub = upper(i)
			for l > ub {
				i++
				ub = upper(i)
			}
			for l <= ub/base*(1+1e-9) { // near the lower edge: look closely
				if lower := upper(i - 1); l > lower {
					break
				}
				i--
				ub = upper(i)
			}
		}
		if h <= ub {
			add(i, n)
			return
		}
		below := share(n, ub, l, h)
		add(i, below)
		add(i+1, n-below)
	})
	p.Count, p.Sum, p.Min, p.Max = t.point()
	p.PositiveBucket.Counts = counts
	return p
}
