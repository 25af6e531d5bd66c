package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

// RouteCounts are the numbers of routes the scaling benchmarks and
// measurements have, and Objectives the numbers of objectives the export
// and status-page benchmarks serve.
var (
	RouteCounts = []int{1, 100, 1000, 10000}
	Objectives  = []int{10, 100, 1000}
)

// Routes is n routes of one implementation, each with its own series, as
// a service with n routes has them. Record records a request to route k,
// in [0, n).
type Routes interface {
	Record(k int, good bool, d time.Duration)
}

// RouteName is the name of route k.
func RouteName(k int) string { return fmt.Sprintf("GET /r%d", k) }

// NinesRoutes is n routes' availability and latency SLIs.
type NinesRoutes []*Nines

// NewNinesRoutes returns n routes' SLIs.
func NewNinesRoutes(n int) NinesRoutes {
	r := make(NinesRoutes, n)
	for k := range r {
		r[k] = NewNines()
	}
	return r
}

// Record implements Routes.
func (r NinesRoutes) Record(k int, good bool, d time.Duration) { r[k].Record(good, d) }

// MiddlewareRoutes is n routes of one middleware, declared with
// [middleware.Middleware.Route]: each route's SLIs and objectives, its
// failed-requests histogram and its in-flight count.
type MiddlewareRoutes struct {
	Registry *slo.Registry
	Handlers []*middleware.Route
}

// NewMiddlewareRoutes returns n routes of a new middleware on a new
// registry, each with an availability objective of 99.9% and a latency
// objective of 99% within [Threshold]'s default, 100 ms.
func NewMiddlewareRoutes(n int) *MiddlewareRoutes {
	reg, _ := slo.NewRegistry()
	mw, _ := middleware.New(middleware.Config{Registry: reg, Availability: 0.999, Latency: 0.99, MaxRoutes: n + 1})
	r := &MiddlewareRoutes{Registry: reg, Handlers: make([]*middleware.Route, n)}
	for k := range r.Handlers {
		r.Handlers[k] = mw.Route(RouteName(k))
	}
	return r
}

// Record implements Routes as the middleware records a request, from
// [middleware.Route.Begin] to [middleware.Route.End]: the latency is the
// time between the two, not d.
func (r *MiddlewareRoutes) Record(k int, good bool, _ time.Duration) {
	rt := r.Handlers[k]
	rt.End(rt.Begin(), outcome(good))
}

// OTelRoutes is n routes' OpenTelemetry series on one MeterProvider: a
// request counter by route and outcome and a duration histogram by route,
// each series' option slices built once.
type OTelRoutes struct {
	*OTel
	good, bad [][]metric.AddOption
	latency   [][]metric.RecordOption
}

// NewOTelRoutes returns n routes' series; exponential as for [NewOTel].
func NewOTelRoutes(n int, exponential bool) *OTelRoutes {
	r := &OTelRoutes{OTel: NewOTel(exponential), good: make([][]metric.AddOption, n),
		bad: make([][]metric.AddOption, n), latency: make([][]metric.RecordOption, n)}
	for k := range n {
		r.good[k], r.bad[k], r.latency[k] = OTelOptions(RouteName(k))
	}
	return r
}

// Record implements Routes.
func (r *OTelRoutes) Record(k int, good bool, d time.Duration) {
	ctx := context.Background()
	if good {
		r.Requests.Add(ctx, 1, r.good[k]...)
	} else {
		r.Requests.Add(ctx, 1, r.bad[k]...)
	}
	r.Duration.Record(ctx, Millis(d), r.latency[k]...)
}

// Collect collects the series once, as a periodic reader does: what the
// SDK keeps between collections is part of what a route costs.
func (r *OTelRoutes) Collect() *metricdata.ResourceMetrics {
	var rm metricdata.ResourceMetrics
	r.Reader.Collect(context.Background(), &rm)
	return &rm
}

// PrometheusRoutes is n routes' client_golang series: a counter child per
// route and outcome and a classic histogram child (DefBuckets) per route,
// resolved once.
type PrometheusRoutes struct {
	good, bad []prometheus.Counter
	duration  []prometheus.Observer
}

// NewPrometheusRoutes returns n routes' series.
func NewPrometheusRoutes(n int) *PrometheusRoutes {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "requests_total"}, []string{"route", "outcome"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "request_duration_seconds", Buckets: prometheus.DefBuckets}, []string{"route"})
	r := &PrometheusRoutes{good: make([]prometheus.Counter, n), bad: make([]prometheus.Counter, n), duration: make([]prometheus.Observer, n)}
	for k := range n {
		route := RouteName(k)
		r.good[k] = requests.WithLabelValues(route, "good")
		r.bad[k] = requests.WithLabelValues(route, "bad")
		r.duration[k] = duration.WithLabelValues(route)
	}
	return r
}

// Record implements Routes.
func (r *PrometheusRoutes) Record(k int, good bool, d time.Duration) {
	if good {
		r.good[k].Inc()
	} else {
		r.bad[k].Inc()
	}
	r.duration[k].Observe(d.Seconds())
}

// HDRRoutes is n routes' hdrhistogram-go histograms (1 µs–1 h at 2
// digits), each behind its own mutex: it is not safe for concurrent use,
// and it keeps latencies only.
type HDRRoutes []struct {
	mu sync.Mutex
	h  *hdrhistogram.Histogram
}

// NewHDRRoutes returns n routes' histograms.
func NewHDRRoutes(n int) HDRRoutes {
	r := make(HDRRoutes, n)
	for k := range r {
		r[k].h = hdrhistogram.New(int64(time.Microsecond), int64(time.Hour), 2)
	}
	return r
}

// Record implements Routes; the outcome is not kept.
func (r HDRRoutes) Record(k int, _ bool, d time.Duration) {
	r[k].mu.Lock()
	r[k].h.RecordValue(int64(d))
	r[k].mu.Unlock()
}
