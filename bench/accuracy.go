package bench

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/histogram"
)

// Samples is how many values each distribution has.
const Samples = 1_000_000

// Quantiles are the quantiles compared.
var Quantiles = []float64{0.5, 0.95, 0.99, 0.999}

// Distributions are the fixed-seed samples of the histogram package's
// accuracy tests, by name.
var Distributions = []struct {
	Name   string
	Sample func() []time.Duration
}{{"lognormal", Lognormal}, {"bimodal", Bimodal}}

// Lognormal returns fixed-seed samples with a median of 50 ms and sigma 1.
func Lognormal() []time.Duration {
	rng := rand.New(rand.NewPCG(42, 1))
	out := make([]time.Duration, Samples)
	for i := range out {
		out[i] = time.Duration(math.Exp(math.Log(float64(50*time.Millisecond)) + rng.NormFloat64()))
	}
	return out
}

// Bimodal returns fixed-seed samples: 95% N(20 ms, 3 ms), 5% N(800 ms,
// 100 ms).
func Bimodal() []time.Duration {
	rng := rand.New(rand.NewPCG(42, 2))
	out := make([]time.Duration, Samples)
	for i := range out {
		mean, sd := 20*time.Millisecond, 3*time.Millisecond
		if rng.Float64() < 0.05 {
			mean, sd = 800*time.Millisecond, 100*time.Millisecond
		}
		out[i] = max(time.Duration(float64(mean)+rng.NormFloat64()*float64(sd)), 0)
	}
	return out
}

// Exact returns the q-quantile of sorted by nearest rank.
func Exact(sorted []time.Duration, q float64) time.Duration {
	k := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}

// Estimator records values and then answers quantiles the way its users
// read them.
type Estimator struct {
	Name     string
	Describe string
	Estimate func(values []time.Duration) func(q float64) time.Duration
}

// Estimators are the implementations compared for accuracy, nines first.
var Estimators = []Estimator{
	{"nines", "histogram.Recorder at the defaults (1 µs–1 h, 2 digits), Quantile (interpolated within the bucket)", ninesQuantiles},
	{"hdrhistogram-go", "New(1µs, 1h, 2 digits) in ns, ValueAtQuantile (the bucket's highest equivalent value)", hdrQuantiles},
	{"otel-explicit", "SDK histogram, default bounds, values in ms, PromQL-style linear interpolation", otelExplicitQuantiles},
	{"otel-exponential", "SDK base-2 exponential histogram, MaxSize 160, values in ms, bucket midpoint", otelExponentialQuantiles},
	{"prometheus-classic", "client_golang histogram, DefBuckets, seconds, histogram_quantile's linear interpolation", promClassicQuantiles},
	{"prometheus-native", "client_golang native histogram, bucket factor 1.1, max 160 buckets, read as Prometheus 3's histogram_quantile does (exponential interpolation within the bucket)", promNativeQuantiles},
}

func ninesQuantiles(values []time.Duration) func(float64) time.Duration {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r, _ := histogram.NewRecorder(histogram.Config{}, histogram.WithClock(func() time.Time { return at }))
	for _, v := range values {
		r.Record(v)
	}
	s, _ := r.Snapshot(time.Minute)
	return func(q float64) time.Duration {
		v, _ := s.Quantile(q)
		return v
	}
}

func hdrQuantiles(values []time.Duration) func(float64) time.Duration {
	h := hdrhistogram.New(int64(time.Microsecond), int64(time.Hour), 2)
	for _, v := range values {
		h.RecordValue(int64(max(v, time.Microsecond)))
	}
	return func(q float64) time.Duration { return time.Duration(h.ValueAtQuantile(q * 100)) }
}

// interpolate is histogram_quantile: the rank's bucket, linearly between
// its bounds; the lowest bucket starts at 0 (or its bound, if negative);
// ranks in the +Inf bucket answer the highest finite bound.
func interpolate(q float64, upper []float64, counts []uint64) float64 {
	var total uint64
	for _, c := range counts {
		total += c
	}
	rank := q * float64(total)
	var before float64
	for i, c := range counts {
		if before+float64(c) >= rank && c > 0 {
			if i == len(upper) {
				return upper[len(upper)-1]
			}
			lo := 0.0
			if i > 0 {
				lo = upper[i-1]
			}
			return lo + (upper[i]-lo)*(rank-before)/float64(c)
		}
		before += float64(c)
	}
	return upper[len(upper)-1]
}

func otelExplicitQuantiles(values []time.Duration) func(float64) time.Duration {
	o := NewOTel(false)
	ctx := context.Background()
	for _, v := range values {
		o.Duration.Record(ctx, Millis(v), o.Latency...)
	}
	var rm metricdata.ResourceMetrics
	o.Reader.Collect(ctx, &rm)
	p := findHistogram(rm).(metricdata.Histogram[float64]).DataPoints[0]
	return func(q float64) time.Duration {
		return time.Duration(interpolate(q, p.Bounds, p.BucketCounts) * float64(time.Millisecond))
	}
}

func otelExponentialQuantiles(values []time.Duration) func(float64) time.Duration {
	o := NewOTel(true)
	ctx := context.Background()
	for _, v := range values {
		o.Duration.Record(ctx, Millis(v), o.Latency...)
	}
	var rm metricdata.ResourceMetrics
	o.Reader.Collect(ctx, &rm)
	p := findHistogram(rm).(metricdata.ExponentialHistogram[float64]).DataPoints[0]
	base := math.Exp2(math.Exp2(-float64(p.Scale)))
	return func(q float64) time.Duration {
		rank := q * float64(p.Count)
		before := float64(p.ZeroCount)
		if rank <= before {
			return 0
		}
		for i, c := range p.PositiveBucket.Counts {
			if before+float64(c) >= rank && c > 0 {
				idx := float64(int(p.PositiveBucket.Offset) + i)
				lo, hi := math.Pow(base, idx), math.Pow(base, idx+1)
				return time.Duration((lo + hi) / 2 * float64(time.Millisecond))
			}
			before += float64(c)
		}
		mx, _ := p.Max.Value()
		return time.Duration(mx * float64(time.Millisecond))
	}
}

func findHistogram(rm metricdata.ResourceMetrics) metricdata.Aggregation {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == "request.duration" {
				return m.Data
			}
		}
	}
	return nil
}

func promHistogram(native bool, values []time.Duration) *dto.Histogram {
	p := NewPrometheus(native)
	for _, v := range values {
		p.Duration.Observe(v.Seconds())
	}
	var m dto.Metric
	p.Duration.(prometheus.Metric).Write(&m)
	return m.GetHistogram()
}

func promClassicQuantiles(values []time.Duration) func(float64) time.Duration {
	h := promHistogram(false, values)
	var upper []float64
	var counts []uint64
	var prev uint64
	for _, b := range h.GetBucket() {
		upper = append(upper, b.GetUpperBound())
		counts = append(counts, b.GetCumulativeCount()-prev)
		prev = b.GetCumulativeCount()
	}
	counts = append(counts, h.GetSampleCount()-prev) // +Inf
	return func(q float64) time.Duration {
		return time.Duration(interpolate(q, upper, counts) * float64(time.Second))
	}
}

func promNativeQuantiles(values []time.Duration) func(float64) time.Duration {
	h := promHistogram(true, values)
	base := math.Exp2(math.Exp2(-float64(h.GetSchema())))
	// Buckets: index i holds (base^(i-1), base^i]; spans and deltas encode
	// which indices and their counts.
	type bucket struct {
		lo, hi float64
		n      uint64
	}
	var buckets []bucket
	idx, count := int32(0), int64(0)
	deltas := h.GetPositiveDelta()
	k := 0
	for si, span := range h.GetPositiveSpan() {
		if si == 0 {
			idx = span.GetOffset()
		} else {
			idx += span.GetOffset()
		}
		for range span.GetLength() {
			count += deltas[k]
			k++
			buckets = append(buckets, bucket{math.Pow(base, float64(idx-1)), math.Pow(base, float64(idx)), uint64(count)})
			idx++
		}
	}
	zero := h.GetZeroCount()
	return func(q float64) time.Duration {
		rank := q * float64(h.GetSampleCount())
		before := float64(zero)
		if rank <= before {
			return 0
		}
		for _, b := range buckets {
			if before+float64(b.n) >= rank && b.n > 0 {
				// Prometheus 3's histogram_quantile interpolates within a
				// native bucket exponentially: lo·(hi/lo)^f.
				f := (rank - before) / float64(b.n)
				return time.Duration(b.lo * math.Pow(b.hi/b.lo, f) * float64(time.Second))
			}
			before += float64(b.n)
		}
		return time.Duration(buckets[len(buckets)-1].hi * float64(time.Second))
	}
}

// AccuracyRow is one estimator's relative errors on one distribution.
type AccuracyRow struct {
	Distribution, Estimator string
	Exact, Got              []time.Duration // per Quantiles
	Error                   []float64       // |got − exact| ÷ exact, per Quantiles
}

// Accuracy records each distribution into each estimator and compares the
// quantiles with the exact ones.
func Accuracy() []AccuracyRow {
	var rows []AccuracyRow
	for _, d := range Distributions {
		values := d.Sample()
		sorted := slices.Clone(values)
		slices.Sort(sorted)
		for _, e := range Estimators {
			quantile := e.Estimate(values)
			row := AccuracyRow{Distribution: d.Name, Estimator: e.Name}
			for _, q := range Quantiles {
				want, got := Exact(sorted, q), quantile(q)
				row.Exact = append(row.Exact, want)
				row.Got = append(row.Got, got)
				row.Error = append(row.Error, math.Abs(float64(got-want))/float64(want))
			}
			rows = append(rows, row)
		}
	}
	return rows
}
