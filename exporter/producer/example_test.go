package producer_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/exporter/producer"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

// Export a registry through OpenTelemetry. A ManualReader stands in for a
// real reader (a PeriodicReader with an OTLP exporter, or the Prometheus
// exporter); the Producer is all it needs to carry every instrument.
func Example() {
	now := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	latency, _ := sli.NewLatency(300*time.Millisecond, sli.WithClock(now))
	for k := range 1000 {
		latency.Record(time.Duration(k) * time.Millisecond) // 301 within 300ms
	}
	o, _ := slo.New(slo.Config{Name: "search-latency", SLI: latency, Target: 0.25}, slo.WithClock(now))
	registry, _ := slo.NewRegistry(o)

	p, err := producer.New(registry)
	if err != nil {
		panic(err)
	}
	reader := sdkmetric.NewManualReader(sdkmetric.WithProducer(p))
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer provider.Shutdown(context.Background())

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

// Report deltas, for a backend that takes them: each collection holds the
// events since the one before. Pass the producer the selector the reader's
// exporter uses, and give each reader a producer of its own.
func ExampleWithTemporality() {
	availability, _ := sli.NewRatio()
	o, _ := slo.New(slo.Config{Name: "checkout", SLI: availability, Target: 0.99})
	registry, _ := slo.NewRegistry(o)

	p, err := producer.New(registry, producer.WithTemporality(sdkmetric.DeltaTemporalitySelector))
	if err != nil {
		panic(err)
	}
	reader := sdkmetric.NewManualReader(sdkmetric.WithProducer(p), sdkmetric.WithTemporalitySelector(sdkmetric.DeltaTemporalitySelector))
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer provider.Shutdown(context.Background())

	for _, n := range []int{30, 12} {
		for range n {
			availability.Record(sli.Good)
		}
		var rm metricdata.ResourceMetrics
		if err := reader.Collect(context.Background(), &rm); err != nil {
			panic(err)
		}
		for _, m := range rm.ScopeMetrics[0].Metrics {
			if d, ok := m.Data.(metricdata.Sum[float64]); ok && m.Name == "nines.slo.events.good" {
				fmt.Printf("%s: %v, %v\n", m.Name, d.DataPoints[0].Value, d.Temporality)
			}
		}
	}
	// Output:
	// nines.slo.events.good: 30, DeltaTemporality
	// nines.slo.events.good: 12, DeltaTemporality
}

// Export a middleware's requests as OpenTelemetry's HTTP server metrics,
// which dashboards built for otelhttp read.
func ExampleWithHTTPServer() {
	registry, _ := slo.NewRegistry()
	m, _ := middleware.New(middleware.Config{Registry: registry, Availability: 0.99, HTTPMetrics: true})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {})
	srv := httptest.NewServer(m.Handler(mux))
	defer srv.Close()
	for range 3 {
		resp, err := http.Get(srv.URL + "/users/7")
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
	}

	p, err := producer.New(registry, producer.WithHTTPServer(m))
	if err != nil {
		panic(err)
	}
	reader := sdkmetric.NewManualReader(sdkmetric.WithProducer(p))
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer provider.Shutdown(context.Background())
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		panic(err)
	}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if d, ok := m.Data.(metricdata.Histogram[float64]); ok && m.Name == "http.server.request.duration" {
			pt := d.DataPoints[0]
			route, _ := pt.Attributes.Value("http.route")
			code, _ := pt.Attributes.Value("http.response.status_code")
			fmt.Printf("%s: %d requests to %s answered %d\n", m.Name, pt.Count, route.AsString(), code.AsInt64())
		}
	}
	// Output:
	// http.server.request.duration: 3 requests to /users/{id} answered 200
}
