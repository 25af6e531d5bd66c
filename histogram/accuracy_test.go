package histogram_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/nines-slo/nines/histogram"
	"github.com/nines-slo/nines/ninestest"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

const samples = 1_000_000

// lognormal returns fixed-seed samples with a median of 50 ms and sigma 1.
func lognormal() []time.Duration {
	rng := rand.New(rand.NewPCG(42, 1))
	out := make([]time.Duration, samples)
	for i := range out {
		out[i] = time.Duration(math.Exp(math.Log(float64(50*time.Millisecond)) + rng.NormFloat64()))
	}
	return out
}

// bimodal returns fixed-seed samples: 95% N(20 ms, 3 ms), 5% N(800 ms, 100 ms).
func bimodal() []time.Duration {
	rng := rand.New(rand.NewPCG(42, 2))
	out := make([]time.Duration, samples)
	for i := range out {
		mean, sd := 20*time.Millisecond, 3*time.Millisecond
		if rng.Float64() < 0.05 {
			mean, sd = 800*time.Millisecond, 100*time.Millisecond
		}
		out[i] = max(time.Duration(float64(mean)+rng.NormFloat64()*float64(sd)), 0)
	}
	return out
}

// normal returns a million values that follow N(100 ms, 20 ms), docs/concepts.md's
// example distribution, without sampling noise: the i-th value is the
// distribution's (i+½)/n quantile, and the values are shuffled with a fixed
// seed. A random sample's p99 wanders by ±0.07 ms around the population's
// 146.53 ms, which straddles the rounding point; this checks the histogram,
// not the random number generator.
func normal() []time.Duration {
	out := make([]time.Duration, samples)
	for i := range out {
		p := (float64(i) + 0.5) / samples
		z := math.Sqrt2 * math.Erfinv(2*p-1)
		out[i] = max(time.Duration(float64(100*time.Millisecond)+z*float64(20*time.Millisecond)), 0)
	}
	rng := rand.New(rand.NewPCG(42, 3))
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// exact returns the q-quantile of sorted by nearest rank.
func exact(sorted []time.Duration, q float64) time.Duration {
	k := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}

// recordAll records values into a recorder with the default configuration
// and returns the snapshot of its shortest window.
func recordAll(t testing.TB, values []time.Duration) *histogram.Snapshot {
	t.Helper()
	clock := ninestest.NewClock(t0)
	r, err := histogram.NewRecorder(histogram.Config{}, histogram.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range values {
		r.Record(v)
	}
	s, err := r.Snapshot(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if s.Count() != uint64(len(values)) {
		t.Fatalf("snapshot counts %d values, %d recorded", s.Count(), len(values))
	}
	return s
}

// TestQuantileAccuracy compares p50, p95, p99 and p99.9 at the default
// configuration with the exact percentiles of a million fixed-seed samples:
// each within 1% relative error.
func TestQuantileAccuracy(t *testing.T) {
	for name, gen := range map[string]func() []time.Duration{"lognormal": lognormal, "bimodal": bimodal} {
		t.Run(name, func(t *testing.T) {
			values := gen()
			s := recordAll(t, values)
			slices.Sort(values)
			for _, q := range []float64{0.5, 0.95, 0.99, 0.999} {
				got, err := s.Quantile(q)
				if err != nil {
					t.Fatal(err)
				}
				want := exact(values, q)
				rel := math.Abs(float64(got-want)) / float64(want)
				t.Logf("q=%v: exact %v, histogram %v, error %.4f%%", q, want, got, rel*100)
				if rel > 0.01 {
					t.Errorf("q=%v: %v, exact %v: %.3f%% off, want ≤ 1%%", q, got, want, rel*100)
				}
			}
		})
	}
}

// TestConceptsNormalPercentiles reproduces docs/concepts.md's example: a normal
// distribution with mean 100 ms and standard deviation 20 ms has p50 100 ms,
// p95 133 ms and p99 147 ms, to the millisecond.
func TestConceptsNormalPercentiles(t *testing.T) {
	values := normal()
	s := recordAll(t, values)
	slices.Sort(values)
	for _, tt := range []struct {
		name string
		get  func() (time.Duration, error)
		q    float64
		want time.Duration
	}{
		{"p50", s.P50, 0.50, 100 * time.Millisecond},
		{"p95", s.P95, 0.95, 133 * time.Millisecond},
		{"p99", s.P99, 0.99, 147 * time.Millisecond},
	} {
		got, err := tt.get()
		if err != nil {
			t.Fatal(err)
		}
		if got.Round(time.Millisecond) != tt.want {
			t.Errorf("%s = %v, want %v to the millisecond", tt.name, got, tt.want)
		}
		if exact := exact(values, tt.q); math.Abs(float64(got-exact))/float64(exact) > 0.01 {
			t.Errorf("%s = %v, more than 1%% from the exact %v", tt.name, got, exact)
		}
	}
	mean, _ := s.Mean()
	if mean.Round(time.Millisecond) != 100*time.Millisecond {
		t.Errorf("mean = %v, want 100ms", mean)
	}
}
