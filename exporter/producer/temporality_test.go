package producer_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/exporter/internal/fixture"
	"github.com/nines-slo/nines/exporter/internal/names"
	"github.com/nines-slo/nines/exporter/producer"
)

// TestDeltaTemporality collects the fixture three times with delta
// temporality: each collection holds the events recorded since the one
// before, from its time on, counters and histogram alike; the deltas add
// up to what a cumulative producer reports.
func TestDeltaTemporality(t *testing.T) {
	f := newFixture(t)
	clock := f.Clock.Now
	rm, _, reader := collect(t, f.Registry, producer.WithClock(clock), producer.WithTemporality(sdkmetric.DeltaTemporalitySelector))
	cum, err := producer.New(f.Registry, producer.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	checkout := key(names.GoodEvents, attribute.NewSet(names.Name.String("checkout"), names.Service.String("shop")))
	var sumGood float64
	var sumBuckets []uint64
	var sumCount uint64
	prev := t0 // New's time: the first collection starts there
	for round := range 3 {
		if round > 0 {
			f.Clock.Advance(time.Minute)
			for k := range 10 * round {
				f.Checkout.Record(fixture.Outcome(k%5 != 0))
				f.Latency.Record(time.Duration(20+k) * time.Millisecond)
			}
			if err := reader.Collect(context.Background(), &rm); err != nil {
				t.Fatal(err)
			}
		}
		want := map[int]float64{0: 995, 1: 8, 2: 16}[round]
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				switch d := m.Data.(type) {
				case metricdata.Sum[float64]:
					if d.Temporality != metricdata.DeltaTemporality {
						t.Errorf("round %d: %s is %v", round, m.Name, d.Temporality)
					}
					for _, p := range d.DataPoints {
						if !p.StartTime.Equal(prev) || !p.Time.Equal(f.Clock.Now()) {
							t.Errorf("round %d: %s from %v to %v, want %v to %v", round, m.Name, p.StartTime, p.Time, prev, f.Clock.Now())
						}
						if key(m.Name, p.Attributes) == checkout {
							if p.Value != want {
								t.Errorf("round %d: %v good checkouts, want %v", round, p.Value, want)
							}
							sumGood += p.Value
						}
					}
				case metricdata.Histogram[float64]:
					if d.Temporality != metricdata.DeltaTemporality {
						t.Errorf("round %d: %s is %v", round, m.Name, d.Temporality)
					}
					p := d.DataPoints[0]
					if wantN := map[int]uint64{0: 100, 1: 10, 2: 20}[round]; p.Count != wantN || !p.StartTime.Equal(prev) {
						t.Errorf("round %d: histogram of %d values from %v, want %d from %v", round, p.Count, p.StartTime, wantN, prev)
					}
					if _, ok := p.Min.Value(); ok {
						t.Errorf("round %d: a delta histogram with a minimum", round)
					}
					sumCount += p.Count
					if sumBuckets == nil {
						sumBuckets = make([]uint64, len(p.BucketCounts))
					}
					for j, n := range p.BucketCounts {
						sumBuckets[j] += n
					}
				}
			}
		}
		prev = f.Clock.Now()
	}
	all, err := cum.Produce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all[0].Metrics {
		switch d := m.Data.(type) {
		case metricdata.Sum[float64]:
			for _, p := range d.DataPoints {
				if key(m.Name, p.Attributes) == checkout && p.Value != sumGood {
					t.Errorf("deltas add up to %v good checkouts, cumulative %v", sumGood, p.Value)
				}
			}
		case metricdata.Histogram[float64]:
			p := d.DataPoints[0]
			if p.Count != sumCount || !cmp.Equal(p.BucketCounts, sumBuckets) {
				t.Errorf("deltas add up to %d values %v, cumulative %d %v", sumCount, sumBuckets, p.Count, p.BucketCounts)
			}
		}
	}
}

// TestTemporalityPerKind: counters and histograms follow the selector
// each; a selector the producer cannot follow is refused.
func TestTemporalityPerKind(t *testing.T) {
	f := newFixture(t)
	histOnly := func(k sdkmetric.InstrumentKind) metricdata.Temporality {
		if k == sdkmetric.InstrumentKindHistogram {
			return metricdata.DeltaTemporality
		}
		return metricdata.CumulativeTemporality
	}
	rm, _, _ := collect(t, f.Registry, producer.WithTemporality(histOnly))
	for _, m := range rm.ScopeMetrics[0].Metrics {
		switch d := m.Data.(type) {
		case metricdata.Sum[float64]:
			if d.Temporality != metricdata.CumulativeTemporality {
				t.Errorf("%s is %v, want cumulative", m.Name, d.Temporality)
			}
		case metricdata.Histogram[float64]:
			if d.Temporality != metricdata.DeltaTemporality {
				t.Errorf("%s is %v, want delta", m.Name, d.Temporality)
			}
		}
	}
	undefined := func(sdkmetric.InstrumentKind) metricdata.Temporality { return metricdata.Temporality(0) }
	for _, sel := range []sdkmetric.TemporalitySelector{nil, undefined} {
		if _, err := producer.New(f.Registry, producer.WithTemporality(sel)); !errors.Is(err, producer.ErrInvalidOption) {
			t.Errorf("WithTemporality: error %v, want ErrInvalidOption", err)
		}
	}
}

// TestExponentialBuckets exports the latency histogram as an exponential
// one, cumulative and then as deltas that add up to it; a scale native
// histograms cannot take is refused.
func TestExponentialBuckets(t *testing.T) {
	f := newFixture(t)
	expOf := func(rm metricdata.ResourceMetrics) metricdata.ExponentialHistogram[float64] {
		t.Helper()
		for _, m := range rm.ScopeMetrics[0].Metrics {
			if d, ok := m.Data.(metricdata.ExponentialHistogram[float64]); ok && m.Name == names.Latency {
				return d
			}
		}
		t.Fatal("no exponential latency histogram")
		return metricdata.ExponentialHistogram[float64]{}
	}
	rm, _, _ := collect(t, f.Registry, producer.WithExponentialBuckets(0))
	cum := expOf(rm)
	p := cum.DataPoints[0]
	if cum.Temporality != metricdata.CumulativeTemporality || p.Count != 100 || p.Scale != producer.DefaultExponentialScale {
		t.Fatalf("cumulative: %v, %d values at scale %d", cum.Temporality, p.Count, p.Scale)
	}
	// 60 values of 7 ms, 20 of 40 ms and 20 of 300 ms: each in the buckets
	// within 2% of it (an HDR bucket that an edge cuts is split).
	held := map[float64]uint64{}
	base := math.Exp2(math.Exp2(-float64(p.Scale)))
	for j, n := range p.PositiveBucket.Counts {
		if n == 0 {
			continue
		}
		lo := math.Pow(base, float64(p.PositiveBucket.Offset)+float64(j))
		for _, v := range []float64{0.007, 0.04, 0.3} {
			if lo >= v*0.98 && lo*base <= v*1.02 {
				held[v] += n
			}
		}
	}
	if held[0.007] != 60 || held[0.04] != 20 || held[0.3] != 20 {
		t.Errorf("buckets near 7 ms, 40 ms, 300 ms hold %v, want 60, 20, 20", held)
	}

	rm, _, reader := collect(t, f.Registry, producer.WithExponentialBuckets(0), producer.WithTemporality(sdkmetric.DeltaTemporalitySelector))
	first := expOf(rm).DataPoints[0]
	f.Clock.Advance(time.Minute)
	for range 50 {
		f.Latency.Record(5 * time.Millisecond) // below every bucket so far
	}
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	second := expOf(rm)
	if second.Temporality != metricdata.DeltaTemporality {
		t.Errorf("deltas as %v", second.Temporality)
	}
	d := second.DataPoints[0]
	if first.Count != 100 || d.Count != 50 {
		t.Errorf("deltas of %d and %d values, want 100 and 50", first.Count, d.Count)
	}
	var inDelta uint64
	for _, n := range d.PositiveBucket.Counts {
		inDelta += n
	}
	if inDelta != 50 {
		t.Errorf("the second delta's buckets hold %d values: %v", inDelta, d.PositiveBucket)
	}
	for _, scale := range []int{-5, 9} {
		if _, err := producer.New(f.Registry, producer.WithExponentialBuckets(scale)); !errors.Is(err, producer.ErrInvalidOption) {
			t.Errorf("scale %d: error %v, want ErrInvalidOption", scale, err)
		}
	}
}
