package producer_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/trace"

	"github.com/nines-slo/nines/exporter/producer"
	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// A slow request with a sampled trace is an exemplar on the objective's
// valid events counter (a count of one) and on its latency histogram
// (its duration), in explicit and exponential buckets; with delta
// temporality, only in the collection that covers it.
func TestExemplarsExported(t *testing.T) {
	clock := ninestest.NewClock(t0)
	l, _ := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
	o, _ := slo.New(slo.Config{Name: "checkout latency", SLI: l, Target: 0.99}, slo.WithClock(clock.Now))
	reg, _ := slo.NewRegistry(o)
	tid, sid := trace.TraceID{0x4b, 0xf9}, trace.SpanID{0x00, 0xf0}
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	clock.Advance(time.Second)
	l.RecordContext(ctx, 40*time.Millisecond) // fast: none
	l.RecordContext(ctx, 1500*time.Millisecond)
	at := clock.Now()
	clock.Advance(time.Second)
	want := func(v float64) []metricdata.Exemplar[float64] {
		return []metricdata.Exemplar[float64]{{Time: at, Value: v, TraceID: tid[:], SpanID: sid[:]}}
	}
	find := func(rm metricdata.ResourceMetrics, name string) any {
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				if m.Name == name {
					return m.Data
				}
			}
		}
		t.Fatalf("no %s", name)
		return nil
	}
	for _, opts := range [][]producer.Option{
		{producer.WithClock(clock.Now)},
		{producer.WithClock(clock.Now), producer.WithExponentialBuckets(producer.DefaultExponentialScale)},
	} {
		rm, _, _ := collect(t, reg, opts...)
		valid := find(rm, "nines.slo.events.valid").(metricdata.Sum[float64]).DataPoints[0]
		if diff := cmp.Diff(want(1), valid.Exemplars); diff != "" {
			t.Errorf("valid events' exemplars (-want +got):\n%s", diff)
		}
		var got []metricdata.Exemplar[float64]
		switch h := find(rm, "nines.slo.latency").(type) {
		case metricdata.Histogram[float64]:
			got = h.DataPoints[0].Exemplars
		case metricdata.ExponentialHistogram[float64]:
			got = h.DataPoints[0].Exemplars
		}
		if diff := cmp.Diff(want(1.5), got); diff != "" {
			t.Errorf("latency exemplars (-want +got):\n%s", diff)
		}
	}
	// Delta temporality: the first collection has the exemplar, the next
	// (covering the time after it) has none.
	delta := func(sdkmetric.InstrumentKind) metricdata.Temporality { return metricdata.DeltaTemporality }
	first, _, reader := collect(t, reg, producer.WithClock(clock.Now), producer.WithTemporality(delta))
	if valid := find(first, "nines.slo.events.valid").(metricdata.Sum[float64]).DataPoints[0]; len(valid.Exemplars) != 1 {
		t.Errorf("the first delta collection's exemplars: %+v", valid.Exemplars)
	}
	clock.Advance(time.Minute)
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	if valid := find(rm, "nines.slo.events.valid").(metricdata.Sum[float64]).DataPoints[0]; len(valid.Exemplars) != 0 {
		t.Errorf("a delta collection after the exemplar repeats it: %+v", valid.Exemplars)
	}
}
