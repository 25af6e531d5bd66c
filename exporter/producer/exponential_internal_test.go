package producer

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/histogram"
	"github.com/nines-slo/nines/ninestest"
)

// quantileOf reads quantile q off an exponential histogram as PromQL's
// histogram_quantile does for a native histogram: the bucket holding the
// rank, and a linear interpolation inside it.
func quantileOf(p metricdata.ExponentialHistogramDataPoint[float64], q float64) float64 {
	rank := q * float64(p.Count)
	base := math.Exp2(math.Exp2(-float64(p.Scale)))
	var seen float64
	for j, n := range p.PositiveBucket.Counts {
		if n == 0 {
			continue
		}
		if seen+float64(n) >= rank {
			i := float64(p.PositiveBucket.Offset) + float64(j)
			lo, hi := math.Pow(base, i), math.Pow(base, i+1)
			return lo + (hi-lo)*(rank-seen)/float64(n)
		}
		seen += float64(n)
	}
	return math.NaN()
}

// TestToExponentialQuantiles: from lognormal and bimodal latencies, the
// exponential buckets at the default scale give p50, p95, p99 and p99.9
// within 2% of the exact values, as PromQL reads them, and hold every
// value; at scale 0 (buckets twice as wide as the one before) they do not, as a check that the test can fail.
func TestToExponentialQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	sets := map[string][]time.Duration{}
	for range 20000 {
		sets["lognormal"] = append(sets["lognormal"], time.Duration(float64(50*time.Millisecond)*math.Exp(rng.NormFloat64())))
		d := time.Duration(float64(2*time.Millisecond) * math.Exp(0.3*rng.NormFloat64()))
		if rng.IntN(10) == 0 {
			d = time.Duration(float64(800*time.Millisecond) * math.Exp(0.2*rng.NormFloat64()))
		}
		sets["bimodal"] = append(sets["bimodal"], d)
	}
	for name, values := range sets {
		r, err := histogram.NewRecorder(histogram.Config{}, histogram.WithClock(ninestest.NewClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)).Now))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			r.Record(v)
		}
		sorted := slices.Clone(values)
		slices.Sort(sorted)
		for _, scale := range []int32{DefaultExponentialScale, 0} {
			p := toExponential(r.Cumulative().Counts, scale)
			var total uint64
			for _, n := range p.PositiveBucket.Counts {
				total += n
			}
			if total != uint64(len(values)) || p.Count != total {
				t.Fatalf("%s, scale %d: buckets hold %d of %d values (Count %d)", name, scale, total, len(values), p.Count)
			}
			worst := 0.0
			for _, q := range []float64{0.5, 0.95, 0.99, 0.999} {
				exact := sorted[int(math.Ceil(q*float64(len(sorted))))-1].Seconds()
				worst = max(worst, math.Abs(quantileOf(p, q)-exact)/exact)
			}
			t.Logf("%s, scale %d: %d buckets, worst quantile error %.3f%%", name, scale, len(p.PositiveBucket.Counts), 100*worst)
			if scale == DefaultExponentialScale && worst > 0.02 {
				t.Errorf("%s: a quantile %.2f%% off at the default scale, want within 2%%", name, 100*worst)
			}
			if scale == 0 && worst <= 0.02 {
				t.Errorf("%s: scale 0 within %.2f%%: the test would not see coarse buckets", name, 100*worst)
			}
		}
	}
}

// TestToExponentialNeverShrinks adds values one at a time across a bucket
// edge: every bucket count only grows, and none is lost.
func TestToExponentialNeverShrinks(t *testing.T) {
	r, err := histogram.NewRecorder(histogram.Config{}, histogram.WithClock(ninestest.NewClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)).Now))
	if err != nil {
		t.Fatal(err)
	}
	edge := math.Exp2(10.0/64) * 1e9 // an edge at scale 6, in ns: about 1.11 s
	var prev metricdata.ExponentialHistogramDataPoint[float64]
	for k := range 3000 {
		r.Record(time.Duration(edge * (0.98 + 0.04*float64(k%300)/300)))
		p := toExponential(r.Cumulative().Counts, DefaultExponentialScale)
		if k > 0 && !grewExp(prev, p) {
			t.Fatalf("after %d values the buckets went from %d%v to %d%v", k+1, prev.PositiveBucket.Offset, prev.PositiveBucket.Counts, p.PositiveBucket.Offset, p.PositiveBucket.Counts)
		}
		if p.Count != uint64(k+1) {
			t.Fatalf("after %d values Count is %d", k+1, p.Count)
		}
		prev = p
	}
}
