// Package bench measures nines against the libraries users compare it
// with — the OpenTelemetry SDK, prometheus/client_golang, otelhttp and
// hdrhistogram-go — doing the same work: recording request outcomes and
// latencies, instrumenting HTTP handlers, holding one SLI, and answering
// quantiles. It is a module of its own so that the peers never enter the
// library's go.mod. The benchmarks are in bench_test.go; go run ./cmd/report
// runs them all and writes BENCHMARKS.md (see README.md).
package bench

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	gorillamux "github.com/gorilla/mux"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/trace/noop"

	nineschi "github.com/nines-slo/nines/contrib/chi"
	ninesecho "github.com/nines-slo/nines/contrib/echo"
	ninesgin "github.com/nines-slo/nines/contrib/gin"
	ninesgorilla "github.com/nines-slo/nines/contrib/gorilla"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

// Threshold is the latency threshold of every latency SLI here.
const Threshold = 100 * time.Millisecond

// Request records one request's outcome and latency, the hot path every
// implementation is measured on.
type Request interface {
	Record(good bool, d time.Duration)
}

// Nines records into an availability and a latency SLI, as the middleware
// does.
type Nines struct {
	Availability *sli.Ratio
	Latency      *sli.Latency
}

// NewNines returns a route's two SLIs with the default storage.
func NewNines() *Nines {
	a, _ := sli.NewRatio()
	l, _ := sli.NewLatency(Threshold)
	return &Nines{a, l}
}

// Record implements Request, with sli.RecordRequest, as the middleware
// records.
func (n *Nines) Record(good bool, d time.Duration) {
	sli.RecordRequest(n.Availability, n.Latency, outcome(good), d)
}

// outcome is sli.Good when good, else sli.Bad.
func outcome(good bool) sli.Outcome {
	if good {
		return sli.Good
	}
	return sli.Bad
}

// OTel records into an OpenTelemetry SDK counter of requests by outcome and
// a histogram of durations in milliseconds, the unit the SDK's default
// bucket boundaries (0, 5, 10, 25, … 10000) are sized for. It is used as
// OpenTelemetry's own benchmarks use the SDK: attribute sets built once,
// each in an option slice built once too, so that a call allocates nothing
// for its options.
type OTel struct {
	Requests  metric.Int64Counter
	Duration  metric.Float64Histogram
	Good, Bad []metric.AddOption
	Latency   []metric.RecordOption
	Provider  *sdkmetric.MeterProvider
	Reader    *sdkmetric.ManualReader
}

// OTelOptions returns the option slices of a route's series: its good and
// bad request counts and its durations.
func OTelOptions(route string) (good, bad []metric.AddOption, latency []metric.RecordOption) {
	r := attribute.String("route", route)
	good = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(r, attribute.String("outcome", "good")))}
	bad = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(r, attribute.String("outcome", "bad")))}
	latency = []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(r))}
	return good, bad, latency
}

// Millis is d in milliseconds, the unit OTel's default buckets expect.
func Millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// NewOTel returns the instruments on a fresh SDK MeterProvider with a
// ManualReader; exponential selects the base-2 exponential histogram
// (MaxSize 160) instead of the default explicit buckets.
func NewOTel(exponential bool) *OTel {
	reader := sdkmetric.NewManualReader()
	// No cardinality limit: the SDK's default, 2,000 series an instrument,
	// would fold the routes past it into one overflow series, which a
	// service with 10,000 routes would raise so as to keep them.
	opts := []sdkmetric.Option{sdkmetric.WithReader(reader), sdkmetric.WithCardinalityLimit(0)}
	if exponential {
		opts = append(opts, sdkmetric.WithView(sdkmetric.NewView(sdkmetric.Instrument{Name: "request.duration"},
			sdkmetric.Stream{Aggregation: sdkmetric.AggregationBase2ExponentialHistogram{MaxSize: 160, MaxScale: 20}})))
	}
	mp := sdkmetric.NewMeterProvider(opts...)
	m := mp.Meter("bench")
	requests, _ := m.Int64Counter("requests")
	duration, _ := m.Float64Histogram("request.duration", metric.WithUnit("ms"))
	good, bad, latency := OTelOptions("GET /users/{id}")
	return &OTel{
		Requests: requests, Duration: duration,
		Good: good, Bad: bad, Latency: latency,
		Provider: mp, Reader: reader,
	}
}

// Record implements Request.
func (o *OTel) Record(good bool, d time.Duration) {
	ctx := context.Background()
	if good {
		o.Requests.Add(ctx, 1, o.Good...)
	} else {
		o.Requests.Add(ctx, 1, o.Bad...)
	}
	o.Duration.Record(ctx, Millis(d), o.Latency...)
}

// Prometheus records into a client_golang counter of requests by outcome
// and a histogram of durations in seconds, children resolved once.
type Prometheus struct {
	Good, Bad prometheus.Counter
	Duration  prometheus.Histogram
}

// NewPrometheus returns the metrics; native selects a native histogram
// (bucket factor 1.1) instead of the classic default buckets.
func NewPrometheus(native bool) *Prometheus {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "requests_total"}, []string{"route", "outcome"})
	opts := prometheus.HistogramOpts{Name: "request_duration_seconds", Buckets: prometheus.DefBuckets}
	if native {
		opts.Buckets = nil
		opts.NativeHistogramBucketFactor = 1.1
		opts.NativeHistogramMaxBucketNumber = 160
	}
	duration := prometheus.NewHistogramVec(opts, []string{"route"})
	return &Prometheus{
		Good:     requests.WithLabelValues("GET /users/{id}", "good"),
		Bad:      requests.WithLabelValues("GET /users/{id}", "bad"),
		Duration: duration.WithLabelValues("GET /users/{id}").(prometheus.Histogram),
	}
}

// Record implements Request.
func (p *Prometheus) Record(good bool, d time.Duration) {
	if good {
		p.Good.Inc()
	} else {
		p.Bad.Inc()
	}
	p.Duration.Observe(d.Seconds())
}

// OK is the bare handler the middlewares wrap: it answers 200 and nothing
// else.
var OK = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })

// Middleware returns OK wrapped by each implementation's HTTP
// instrumentation, by name: "bare", "nines", "promhttp", "otelhttp"; OK
// served by a ServeMux and by each router nines has an adapter for, bare
// ("bare-mux", "bare-chi", …) and with nines ("nines-handler",
// "nines-chi", …), each adapter added the way its router's users add
// middleware.
func Middleware() map[string]http.Handler {
	reg, _ := slo.NewRegistry()
	mw, _ := middleware.New(middleware.Config{Registry: reg})

	promReg := prometheus.NewRegistry()
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "http_request_duration_seconds", Buckets: prometheus.DefBuckets}, []string{"code", "method"})
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "http_requests_total"}, []string{"code", "method"})
	promReg.MustRegister(duration, requests)

	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	mux := http.NewServeMux()
	mux.Handle("GET /users/{id}", OK)
	bareMux := http.NewServeMux()
	bareMux.Handle("GET /users/{id}", OK)
	chiRouter := func(use ...func(http.Handler) http.Handler) http.Handler {
		r := chi.NewRouter()
		r.Use(use...)
		r.Method(http.MethodGet, "/users/{id}", OK)
		return r
	}
	gorillaRouter := func(use ...gorillamux.MiddlewareFunc) http.Handler {
		r := gorillamux.NewRouter()
		r.Handle("/users/{id}", OK).Methods(http.MethodGet)
		r.Use(use...)
		return r
	}
	echoServer := func(use ...echo.MiddlewareFunc) http.Handler {
		e := echo.New()
		e.Use(use...)
		e.GET("/users/:id", echo.WrapHandler(OK))
		return e
	}
	gin.SetMode(gin.ReleaseMode)
	ginEngine := func(use ...gin.HandlerFunc) http.Handler {
		e := gin.New()
		e.Use(use...)
		e.GET("/users/:id", gin.WrapH(OK))
		return e
	}
	return map[string]http.Handler{
		"bare-chi":      chiRouter(),
		"nines-chi":     chiRouter(nineschi.Middleware(mw)),
		"bare-gorilla":  gorillaRouter(),
		"nines-gorilla": gorillaRouter(ninesgorilla.Middleware(mw)),
		"bare-echo":     echoServer(),
		"nines-echo":    echoServer(ninesecho.Middleware(mw)),
		"bare-gin":      ginEngine(),
		"nines-gin":     ginEngine(ninesgin.Middleware(mw)),
		"bare":          OK,
		"nines":         mw.Wrap("GET /users/{id}", OK),
		// Handler around a ServeMux, as the docs show first; its overhead
		// is its time less bare-mux's.
		"bare-mux":      bareMux,
		"nines-handler": mw.Handler(mux),
		"promhttp":      promhttp.InstrumentHandlerDuration(duration, promhttp.InstrumentHandlerCounter(requests, OK)),
		"otelhttp": otelhttp.NewHandler(OK, "GET /users/{id}", otelhttp.WithMeterProvider(mp),
			otelhttp.WithTracerProvider(noop.NewTracerProvider())),
	}
}
