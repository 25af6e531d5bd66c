package producer_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/exporter/producer"
	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

// TestHTTPServer serves requests through a middleware with HTTPMetrics
// over a real loopback server and collects them as OpenTelemetry's HTTP
// server metrics: a duration series per method, route, status code and
// scheme, error.type on a 5xx, the requests in flight per route; with
// delta temporality, each collection holds the requests since the last.
func TestHTTPServer(t *testing.T) {
	reg, _ := slo.NewRegistry()
	m, err := middleware.New(middleware.Config{Registry: reg, Availability: 0.99, HTTPMetrics: true})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "0" {
			w.WriteHeader(503)
		}
	})
	srv := httptest.NewServer(m.Handler(mux))
	defer srv.Close()
	get := func(paths ...string) {
		for _, p := range paths {
			resp, err := http.Get(srv.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
	}
	get("/users/1", "/users/2", "/users/0")

	rm, _, reader := collect(t, reg, producer.WithHTTPServer(m), producer.WithTemporality(sdkmetric.DeltaTemporalitySelector))
	counts := func(rm metricdata.ResourceMetrics) (map[string]uint64, bool) {
		out, active := map[string]uint64{}, false
		for _, m := range rm.ScopeMetrics[0].Metrics {
			switch m.Name {
			case "http.server.request.duration":
				h := m.Data.(metricdata.Histogram[float64])
				if h.Temporality != metricdata.DeltaTemporality || m.Unit != "s" {
					t.Errorf("duration: %v in %q", h.Temporality, m.Unit)
				}
				for _, p := range h.DataPoints {
					out[key(m.Name, p.Attributes)] = p.Count
					if len(p.Bounds) != 14 || p.Bounds[0] != 0.005 || p.Bounds[13] != 10 {
						t.Errorf("bounds %v", p.Bounds)
					}
				}
			case "http.server.active_requests":
				active = true
				for _, p := range m.Data.(metricdata.Sum[int64]).DataPoints {
					if r, _ := p.Attributes.Value(attribute.Key("http.route")); r.AsString() == "/users/{id}" && p.Value != 0 {
						t.Errorf("%d requests in flight after they all ended", p.Value)
					}
				}
			}
		}
		return out, active
	}
	ok := `http.server.request.duration{http.request.method=GET,http.response.status_code=200,http.route=/users/{id},url.scheme=http}`
	failed := `http.server.request.duration{error.type=503,http.request.method=GET,http.response.status_code=503,http.route=/users/{id},url.scheme=http}`
	got, active := counts(rm)
	if got[ok] != 2 || got[failed] != 1 || !active {
		t.Errorf("first collection: %v, active requests %v; want 2 OK and 1 failed", got, active)
	}
	get("/users/3")
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	if got, _ := counts(rm); got[ok] != 1 || got[failed] != 0 {
		t.Errorf("second collection: %v; want the one request since", got)
	}
}
