package exporter_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/exporter"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// Export a registry through an OpenTelemetry MeterProvider. A ManualReader
// stands in for a real one (a PeriodicReader with an OTLP exporter, or the
// Prometheus exporter); the Exporter goes to the reader as a Producer so
// that the latency histograms travel too.
func Example() {
	now := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	latency, _ := sli.NewLatency(300*time.Millisecond, sli.WithClock(now))
	for k := range 1000 {
		latency.Record(time.Duration(k) * time.Millisecond) // 301 within 300ms
	}
	o, _ := slo.New(slo.Config{Name: "search-latency", SLI: latency, Target: 0.25}, slo.WithClock(now))
	registry, _ := slo.NewRegistry(o)

	exp, err := exporter.New(registry)
	if err != nil {
		panic(err)
	}
	defer exp.Close()
	reader := sdkmetric.NewManualReader(sdkmetric.WithProducer(exp))
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer provider.Shutdown(context.Background())
	if err := exp.Register(provider); err != nil {
		panic(err)
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		panic(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[float64]:
				fmt.Printf("%s = %v\n", m.Name, d.DataPoints[0].Value)
			case metricdata.Histogram[float64]:
				p := d.DataPoints[0]
				fmt.Printf("%s: %d values, bounds %v\n", m.Name, p.Count, p.Bounds)
			}
		}
	}
	// Output:
	// nines.slo.events.good = 301
	// nines.slo.events.valid = 1000
	// nines.slo.latency: 1000 values, bounds [0.005 0.01 0.025 0.05 0.075 0.1 0.25 0.3 0.5 0.75 1 2.5 5 7.5 10]
}

// Serve the status page and its JSON document; here the document is
// fetched through the handler directly.
func ExampleStatusHandler() {
	now := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	availability, _ := sli.NewRatio(sli.WithClock(now))
	for k := range 1000 {
		if k%250 == 0 {
			availability.Record(sli.Bad)
		} else {
			availability.Record(sli.Good)
		}
	}
	o, _ := slo.New(slo.Config{Name: "checkout", SLI: availability, Target: 0.99}, slo.WithClock(now))
	registry, _ := slo.NewRegistry(o)

	status, err := exporter.StatusHandler(registry)
	if err != nil {
		panic(err)
	}
	// mux.Handle("GET /slo", status)
	rec := httptest.NewRecorder()
	status.ServeHTTP(rec, httptest.NewRequest("GET", "/slo?format=json", nil))
	doc, err := exporter.DecodeStatus(rec.Body)
	if err != nil {
		panic(err)
	}
	c := doc.Objectives[0]
	fmt.Printf("%s %s: SLI %.3f, %s, budget left %.0f%% (%.0f bad events more)\n",
		doc.Schema, c.Name, *c.SLI, c.State, c.Budget.Remaining*100, c.Budget.RemainingEvents)
	// Output:
	// nines.status/v1 checkout: SLI 0.996, met, budget left 60% (6 bad events more)
}
