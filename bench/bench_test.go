package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// latencies is a fixed table of lognormal durations (median 50 ms), so
// that every implementation touches many buckets, as a service does.
var latencies = func() []time.Duration {
	rng := rand.New(rand.NewPCG(7, 7))
	v := make([]time.Duration, 4096)
	for i := range v {
		v[i] = time.Duration(math.Exp(math.Log(float64(50*time.Millisecond)) + rng.NormFloat64()))
	}
	return v
}()

// run measures f serially and in parallel (one goroutine per GOMAXPROCS).
// In parallel each goroutine starts its i at a different point, so that
// where f picks a route by i, goroutines are on different routes, as a
// server's requests are, instead of meeting on the same ones.
func run(b *testing.B, f func(i int)) {
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			f(i)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		var goroutines atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for i := int(goroutines.Add(1)) * 1_000_003; pb.Next(); i++ {
				f(i)
			}
		})
	})
}

// BenchmarkOutcome records one request outcome: a good or bad event.
func BenchmarkOutcome(b *testing.B) {
	n, o, p := NewNines(), NewOTel(false), NewPrometheus(false)
	ctx := context.Background()
	b.Run("nines", func(b *testing.B) {
		run(b, func(i int) {
			if i&1023 == 0 {
				n.Availability.Record(sli.Bad)
			} else {
				n.Availability.Record(sli.Good)
			}
		})
	})
	b.Run("otel", func(b *testing.B) {
		run(b, func(i int) {
			if i&1023 == 0 {
				o.Requests.Add(ctx, 1, o.Bad...)
			} else {
				o.Requests.Add(ctx, 1, o.Good...)
			}
		})
	})
	b.Run("prometheus", func(b *testing.B) {
		run(b, func(i int) {
			if i&1023 == 0 {
				p.Bad.Inc()
			} else {
				p.Good.Inc()
			}
		})
	})
}

// BenchmarkLatency records one latency.
func BenchmarkLatency(b *testing.B) {
	n, o, oe := NewNines(), NewOTel(false), NewOTel(true)
	p, pn := NewPrometheus(false), NewPrometheus(true)
	ctx := context.Background()
	var mu sync.Mutex
	h := hdrhistogram.New(int64(time.Microsecond), int64(time.Hour), 2)
	for _, c := range []struct {
		name string
		f    func(i int)
	}{
		{"nines", func(i int) { n.Latency.Record(latencies[i&4095]) }},
		{"otel", func(i int) { o.Duration.Record(ctx, Millis(latencies[i&4095]), o.Latency...) }},
		{"otel-exponential", func(i int) { oe.Duration.Record(ctx, Millis(latencies[i&4095]), oe.Latency...) }},
		{"prometheus", func(i int) { p.Duration.Observe(latencies[i&4095].Seconds()) }},
		{"prometheus-native", func(i int) { pn.Duration.Observe(latencies[i&4095].Seconds()) }},
		// hdrhistogram-go is not safe for concurrent use: behind a mutex.
		{"hdrhistogram", func(i int) { mu.Lock(); h.RecordValue(int64(latencies[i&4095])); mu.Unlock() }},
	} {
		b.Run(c.name, func(b *testing.B) { run(b, c.f) })
	}
}

// BenchmarkRequest records one request's outcome and its latency, the
// work of a middleware per request: nines' availability and latency SLIs,
// OpenTelemetry's and Prometheus's request counter and duration histogram.
func BenchmarkRequest(b *testing.B) {
	for _, c := range []struct {
		name string
		r    Request
	}{{"nines", NewNines()}, {"otel", NewOTel(false)}, {"prometheus", NewPrometheus(false)}} {
		b.Run(c.name, func(b *testing.B) {
			run(b, func(i int) { c.r.Record(i&1023 != 0, latencies[i&4095]) })
		})
	}
}

// discard is a ResponseWriter that keeps nothing, so that the benchmark
// measures the handlers, not a recorder's allocations.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkMiddleware serves a request through each HTTP instrumentation
// wrapped around a handler that answers 200; "bare" is the handler alone,
// and each one's overhead is its time less bare's.
func BenchmarkMiddleware(b *testing.B) {
	hs := Middleware()
	for _, name := range []string{"bare", "nines", "promhttp", "otelhttp", "bare-mux", "nines-handler"} {
		h := hs[name]
		b.Run(name, func(b *testing.B) {
			b.Run("serial", func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, "/users/42", nil)
				w := &discard{h: http.Header{}}
				b.ReportAllocs()
				for b.Loop() {
					h.ServeHTTP(w, req)
				}
			})
			b.Run("parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					req := httptest.NewRequest(http.MethodGet, "/users/42", nil)
					w := &discard{h: http.Header{}}
					for pb.Next() {
						h.ServeHTTP(w, req)
					}
				})
			})
		})
	}
}

// statusObjective returns an objective over window with a request a
// minute of history across all of it.
func statusObjective(b *testing.B, window time.Duration) *slo.Objective {
	now := time.Now()
	// Retain the window and the 3-day alert window, and a day more.
	r, err := sli.NewRatio(sli.WithStorage(sli.Storage{Retention: max(window, 3*24*time.Hour) + 24*time.Hour}))
	if err != nil {
		b.Fatal(err)
	}
	for t := now.Add(-window); t.Before(now); t = t.Add(time.Minute) {
		r.RecordAt(t, sli.Good)
	}
	o, err := slo.New(slo.Config{Name: "checkout", SLI: r, Target: 0.999, Window: slo.Rolling(window)})
	if err != nil {
		b.Fatal(err)
	}
	return o
}

// BenchmarkStatus computes an objective's full status (SLI, budget, six
// burn rates, three alerts) against the window's length. The peers
// compute no SLO; a backend does, from their series.
func BenchmarkStatus(b *testing.B) {
	for _, w := range []struct {
		name string
		d    time.Duration
	}{{"1d", 24 * time.Hour}, {"30d", 30 * 24 * time.Hour}, {"365d", 365 * 24 * time.Hour}} {
		o := statusObjective(b, w.d)
		b.Run("nines/window="+w.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := o.Status(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkScale records requests (outcome and latency) into one of n
// routes, for n from 1 to 10,000, in each implementation with a series per
// route: "hot" sends every request to one route while the others exist
// (nothing per request grows with n: no map, no lock), "spread" to a
// different route each time, so that each request touches memory no cache
// holds any more. In parallel, each goroutine starts on a route of its own
// (see run), so that goroutines meet on one route only when it is hot.
func BenchmarkScale(b *testing.B) {
	for _, n := range RouteCounts {
		for _, impl := range []struct {
			name string
			new  func(n int) Routes
		}{
			{"nines", func(n int) Routes { return NewNinesRoutes(n) }},
			{"otel", func(n int) Routes { return NewOTelRoutes(n, false) }},
			{"prometheus", func(n int) Routes { return NewPrometheusRoutes(n) }},
		} {
			routes := impl.new(n)
			for _, pattern := range []string{"hot", "spread"} {
				pick := func(int) int { return 0 }
				if pattern == "spread" {
					pick = func(i int) int { return (i * 7919) % n }
				}
				b.Run(fmt.Sprintf("%s/routes=%d/%s", impl.name, n, pattern), func(b *testing.B) {
					run(b, func(i int) { routes.Record(pick(i), i&1023 != 0, latencies[i&4095]) })
				})
			}
		}
	}
}

// BenchmarkMiddlewareOverhead measures each instrumentation's overhead
// interleaved at a fine grain: every iteration serves a chunk of requests
// through each handler in turn, so that the machine's slow and fast
// moments fall on all of them alike, and reports each one's overhead per
// request (its time less its bare handler's: bare for nines' Wrap and the
// peers, the bare mux or router for Handler and each router adapter) and
// nines' ratios to the peers, in one run. The parallel form serves each
// chunk from GOMAXPROCS goroutines at once.
func BenchmarkMiddlewareOverhead(b *testing.B) {
	hs := Middleware()
	base := map[string]string{
		"nines": "bare", "nines-handler": "bare-mux", "promhttp": "bare", "otelhttp": "bare",
		"nines-chi": "bare-chi", "nines-gorilla": "bare-gorilla", "nines-echo": "bare-echo", "nines-gin": "bare-gin",
	}
	var names []string // every handler, the bare ones included
	for n := range hs {
		names = append(names, n)
	}
	slices.Sort(names)
	nines := []string{"nines", "nines-handler", "nines-chi", "nines-gorilla", "nines-echo", "nines-gin"}
	const chunk = 512
	for _, mode := range []string{"serial", "parallel"} {
		b.Run(mode, func(b *testing.B) {
			procs := 1
			if mode == "parallel" {
				procs = runtime.GOMAXPROCS(0)
			}
			spent := make([]time.Duration, len(names))
			serve := func(h http.Handler) {
				req := httptest.NewRequest(http.MethodGet, "/users/42", nil)
				w := &discard{h: http.Header{}}
				for range chunk {
					h.ServeHTTP(w, req)
				}
			}
			var wg sync.WaitGroup
			var rounds int
			for b.Loop() {
				for k := range names {
					i := (k + rounds) % len(names) // rotate who goes first
					h := hs[names[i]]
					start := time.Now()
					if procs == 1 {
						serve(h)
					} else {
						for range procs {
							wg.Go(func() { serve(h) })
						}
						wg.Wait()
					}
					spent[i] += time.Since(start)
				}
				rounds++
			}
			per := func(name string) float64 {
				i := slices.Index(names, name)
				return float64(spent[i]) / float64(rounds*chunk*procs) // as RunParallel counts
			}
			over := func(name string) float64 { return per(name) - per(base[name]) }
			for _, n := range append(slices.Clone(nines), "promhttp", "otelhttp") {
				b.ReportMetric(over(n), n+"-ns/req")
			}
			for _, n := range nines {
				b.ReportMetric(over(n)/over("promhttp"), n+"/promhttp")
				b.ReportMetric(over(n)/over("otelhttp"), n+"/otelhttp")
			}
		})
	}
}
