package producer

import (
	"fmt"
	"slices"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/slo"
)

// WithTemporality makes the producer report its event counters and latency
// histograms with the temporality that sel chooses for counters
// ([sdkmetric.InstrumentKindCounter]) and histograms
// ([sdkmetric.InstrumentKindHistogram]): pass the selector the reader's
// exporter uses, such as [sdkmetric.DeltaTemporalitySelector] for a backend
// that takes deltas. The default is cumulative, whatever the exporter
// prefers, as an SDK passes a producer's metrics through as they are.
//
// With delta temporality, each collection reports what was recorded since
// the one before, starting at the previous collection's time (New's for the
// first); an objective's first report holds all its SLI recorded. A
// histogram's delta carries no minimum or maximum, which only the
// interval's values would give. Deltas hold only while one reader collects
// from the Producer: give each reader its own.
func WithTemporality(sel sdkmetric.TemporalitySelector) Option {
	return optionFunc(func(p *Producer) error {
		if sel == nil {
			return fmt.Errorf("%w: WithTemporality: nil selector", ErrInvalidOption)
		}
		for _, k := range []sdkmetric.InstrumentKind{sdkmetric.InstrumentKindCounter, sdkmetric.InstrumentKindHistogram} {
			switch t := sel(k); t {
			case metricdata.CumulativeTemporality, metricdata.DeltaTemporality:
			default:
				return fmt.Errorf("%w: WithTemporality: temporality %v for %v", ErrInvalidOption, t, k)
			}
		}
		p.counterDelta = sel(sdkmetric.InstrumentKindCounter) == metricdata.DeltaTemporality
		p.histDelta = sel(sdkmetric.InstrumentKindHistogram) == metricdata.DeltaTemporality
		return nil
	})
}

// reported is what the previous collection reported of one objective, as
// cumulative values, for the next one's deltas.
type reported struct {
	good, valid float64
	hist        metricdata.HistogramDataPoint[float64]            // its Count, Sum and BucketCounts
	exp         metricdata.ExponentialHistogramDataPoint[float64] // its Count, Sum and positive buckets
}

// deltas turns the cumulative counters and histograms of collection c into
// what changed since the previous collection, for the instruments the
// producer reports as deltas, and keeps the cumulative values for the
// next. counted are the objectives of c.good and c.valid, latency those of
// c.latency, in order. An objective first seen, or whose counts went back
// (another SLI under the same objective), reports all it holds. The
// caller holds p.deltaMu.
func (p *Producer) deltas(c *collection, counted, latency []*slo.Objective) {
	if !p.counterDelta && !p.histDelta {
		return
	}
	since := p.lastAt
	if since.IsZero() {
		since = p.start
	}
	next := make(map[*slo.Objective]*reported, len(p.last))
	// state returns what the previous collection reported of o, to be
	// updated for the next, and whether it reported o at all.
	state := func(o *slo.Objective) (*reported, bool) {
		old, seen := p.last[o]
		r := next[o]
		if r == nil {
			r = &reported{}
			if seen {
				*r = *old
			}
			next[o] = r
		}
		return r, seen
	}
	if p.counterDelta {
		for i, o := range counted {
			r, seen := state(o)
			g, v := c.good[i].Value, c.valid[i].Value
			if seen && g >= r.good && v >= r.valid {
				c.good[i].Value, c.valid[i].Value = g-r.good, v-r.valid
			}
			c.good[i].StartTime, c.valid[i].StartTime = since, since
			r.good, r.valid = g, v
		}
	}
	if p.histDelta && p.exponential {
		for i, o := range latency {
			r, seen := state(o)
			pt := &c.expLatency[i]
			cum := metricdata.ExponentialHistogramDataPoint[float64]{Count: pt.Count, Sum: pt.Sum, Scale: pt.Scale,
				PositiveBucket: metricdata.ExponentialBucket{Offset: pt.PositiveBucket.Offset, Counts: slices.Clone(pt.PositiveBucket.Counts)}}
			if seen && grewExp(r.exp, cum) {
				pt.Count -= r.exp.Count
				pt.Sum -= r.exp.Sum
				for j, n := range r.exp.PositiveBucket.Counts {
					pt.PositiveBucket.Counts[r.exp.PositiveBucket.Offset-pt.PositiveBucket.Offset+int32(j)] -= n
				}
			}
			pt.StartTime = since
			pt.Min, pt.Max = metricdata.Extrema[float64]{}, metricdata.Extrema[float64]{}
			r.exp = cum
		}
	}
	if p.histDelta && !p.exponential {
		for i, o := range latency {
			r, seen := state(o)
			r.hist = explicitDelta(&c.latency[i], r.hist, seen, since)
		}
	}
	if p.histDelta {
		nextHTTP := make(map[httpKey]metricdata.HistogramDataPoint[float64], len(c.httpKeys))
		for i, k := range c.httpKeys {
			old, seen := p.lastHTTP[k]
			nextHTTP[k] = explicitDelta(&c.http[i], old, seen, since)
		}
		p.lastHTTP = nextHTTP
	}
	p.last, p.lastAt = next, c.at
}

// explicitDelta turns cumulative point pt into what changed since old,
// the previous collection's cumulative point of the same series (if seen
// and pt holds all it did; else pt stays whole), starting at since, and
// returns pt's cumulative values for the next collection.
func explicitDelta(pt *metricdata.HistogramDataPoint[float64], old metricdata.HistogramDataPoint[float64], seen bool, since time.Time) metricdata.HistogramDataPoint[float64] {
	cum := metricdata.HistogramDataPoint[float64]{Count: pt.Count, Sum: pt.Sum, BucketCounts: slices.Clone(pt.BucketCounts)}
	if seen && grew(old, cum) {
		pt.Count -= old.Count
		pt.Sum -= old.Sum
		for j := range pt.BucketCounts {
			pt.BucketCounts[j] -= old.BucketCounts[j]
		}
	}
	pt.StartTime = since
	pt.Min, pt.Max = metricdata.Extrema[float64]{}, metricdata.Extrema[float64]{}
	return cum
}

// grew reports whether histogram b holds everything a does, bucket by
// bucket: b is a later cumulative state of the same histogram.
func grew(a, b metricdata.HistogramDataPoint[float64]) bool {
	if b.Count < a.Count || len(a.BucketCounts) != len(b.BucketCounts) {
		return false
	}
	for j := range a.BucketCounts {
		if b.BucketCounts[j] < a.BucketCounts[j] {
			return false
		}
	}
	return true
}

// grewExp is grew for exponential histograms of one scale: b's buckets
// span a's and hold at least as much in each.
func grewExp(a, b metricdata.ExponentialHistogramDataPoint[float64]) bool {
	if b.Count < a.Count || a.Scale != b.Scale {
		return false
	}
	ac, bc := a.PositiveBucket.Counts, b.PositiveBucket.Counts
	off := int(a.PositiveBucket.Offset - b.PositiveBucket.Offset) // a's first bucket in b's
	if len(ac) > 0 && (off < 0 || off+len(ac) > len(bc)) {
		return false
	}
	for j, n := range ac {
		if bc[off+j] < n {
			return false
		}
	}
	return true
}
