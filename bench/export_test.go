package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/exporter/producer"
	"github.com/nines-slo/nines/exporter/statuspage"
	"github.com/nines-slo/nines/sli"
)

// exported returns the middleware routes of n objectives (n/2 routes, an
// availability and a latency objective each) with an hour of traffic: a
// request a second, one in two thousand failed, latencies a tenth of the
// table's (median 5 ms), so that the objectives are met.
func exported(b *testing.B, n int) *MiddlewareRoutes {
	b.Helper()
	r := NewMiddlewareRoutes(n / 2)
	now := time.Now()
	for _, rt := range r.Handlers {
		for s := range 3600 {
			at := now.Add(-time.Duration(s) * time.Second)
			o := sli.Good
			if s%2000 == 0 {
				o = sli.Bad
			}
			rt.Availability().RecordAt(at, o)
			rt.Latency().RecordAt(at, latencies[s&4095]/10)
		}
	}
	if got := len(r.Registry.Objectives()); got != n {
		b.Fatalf("%d objectives, want %d", got, n)
	}
	return r
}

// BenchmarkExport is one collection or view of n objectives' state, for n
// of 10, 100 and 1,000: "collect", an OpenTelemetry ManualReader's
// collection of the producer (what a periodic OTLP export does each
// interval); "scrape", one scrape of /metrics through the OpenTelemetry
// Prometheus exporter with the producer (what Prometheus does each scrape
// interval); "page" and "json", the status page's HTML computed afresh
// (WithCache(0); a view within the cache's 5 s is a copy) and its JSON
// document. For scale, "peer-scrape" is one scrape of client_golang's
// series for the same routes (a request counter by outcome and a
// DefBuckets histogram per route; no SLO, budget or burn rate) and
// "peer-collect" the OpenTelemetry SDK's collection of its own series for
// them.
func BenchmarkExport(b *testing.B) {
	ctx := context.Background()
	for _, n := range Objectives {
		routes := exported(b, n)
		b.Run(fmt.Sprintf("collect/objectives=%d", n), func(b *testing.B) {
			p, err := producer.New(routes.Registry)
			if err != nil {
				b.Fatal(err)
			}
			reader := sdkmetric.NewManualReader(sdkmetric.WithProducer(p))
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			defer mp.Shutdown(ctx)
			var rm metricdata.ResourceMetrics
			b.ReportAllocs()
			for b.Loop() {
				if err := reader.Collect(ctx, &rm); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("scrape/objectives=%d", n), func(b *testing.B) {
			p, err := producer.New(routes.Registry)
			if err != nil {
				b.Fatal(err)
			}
			reg := prometheus.NewRegistry()
			reader, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithProducer(p))
			if err != nil {
				b.Fatal(err)
			}
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			defer mp.Shutdown(ctx)
			scrape(b, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		})
		for _, format := range []string{"page", "json"} {
			b.Run(fmt.Sprintf("%s/objectives=%d", format, n), func(b *testing.B) {
				h, err := statuspage.Handler(routes.Registry, statuspage.WithCache(0))
				if err != nil {
					b.Fatal(err)
				}
				target := "/"
				if format == "json" {
					target = "/?format=json"
				}
				req := httptest.NewRequest(http.MethodGet, target, nil)
				b.ReportAllocs()
				for b.Loop() {
					serve(b, h, req)
				}
			})
		}
		b.Run(fmt.Sprintf("peer-scrape/objectives=%d", n), func(b *testing.B) {
			reg := prometheus.NewRegistry()
			requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "requests_total"}, []string{"route", "outcome"})
			duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "request_duration_seconds", Buckets: prometheus.DefBuckets}, []string{"route"})
			reg.MustRegister(requests, duration)
			for k := range n / 2 {
				requests.WithLabelValues(RouteName(k), "good").Add(3564)
				requests.WithLabelValues(RouteName(k), "bad").Add(36)
				for s := range 3600 {
					duration.WithLabelValues(RouteName(k)).Observe(latencies[s&4095].Seconds())
				}
			}
			scrape(b, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		})
		b.Run(fmt.Sprintf("peer-collect/objectives=%d", n), func(b *testing.B) {
			o := NewOTelRoutes(n/2, false)
			for k := range n / 2 {
				for s := range 3600 {
					o.Record(k, s%100 != 0, latencies[s&4095])
				}
			}
			var rm metricdata.ResourceMetrics
			b.ReportAllocs()
			for b.Loop() {
				if err := o.Reader.Collect(ctx, &rm); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// scrape measures one GET /metrics of h, and reports the body's size and
// the number of series (sample lines) in it.
func scrape(b *testing.B, h http.Handler) {
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	var size int
	b.ReportAllocs()
	for b.Loop() {
		size = serve(b, h, req)
	}
	b.ReportMetric(float64(size), "bytes/scrape")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	series := 0
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			series++
		}
	}
	b.ReportMetric(float64(series), "series/scrape")
}

// serve serves req with h into a counting writer and returns the body's
// size, failing on a status other than 200 or an empty body.
func serve(b *testing.B, h http.Handler, req *http.Request) int {
	w := &counting{h: http.Header{}}
	h.ServeHTTP(w, req)
	if w.code != 0 && w.code != http.StatusOK || w.n == 0 {
		b.Fatalf("status %d, %d bytes", w.code, w.n)
	}
	return w.n
}

// counting is a ResponseWriter that keeps only the status and the number
// of bytes written.
type counting struct {
	h    http.Header
	code int
	n    int
}

func (c *counting) Header() http.Header         { return c.h }
func (c *counting) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }
func (c *counting) WriteHeader(code int)        { c.code = code }
