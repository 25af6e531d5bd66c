package bench

import (
	"context"
	"fmt"
	"runtime"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// PerItem returns the heap that build(n) keeps alive, per item: what n
// more SLIs or series cost.
func PerItem(n int, build func(n int) any) float64 {
	before := heapInUse()
	keep := build(n)
	after := heapInUse()
	runtime.KeepAlive(keep)
	return float64(after-before) / float64(n)
}

// MemoryRow is the memory one SLI (one route's series) costs in one
// implementation.
type MemoryRow struct {
	Implementation, Holds string
	Bytes                 float64
}

// Memory measures, over n routes each recording one request, what a
// route's SLIs or series cost.
func Memory(n int) []MemoryRow {
	return []MemoryRow{
		{"nines ratio SLI", "good/bad counts in cells of 10 s, 1 min and 15 min for 35 days, kept as traffic fills them", PerItem(n, func(n int) any {
			out := make([]*sli.Ratio, n)
			for i := range out {
				out[i], _ = sli.NewRatio()
				out[i].Record(sli.Good)
			}
			return out
		})},
		{"nines latency SLI", "the ratio SLI's counts plus HDR histograms for 1m, 5m, 1h windows and since start, occupied buckets only", PerItem(n, func(n int) any {
			out := make([]*sli.Latency, n)
			for i := range out {
				out[i], _ = sli.NewLatency(Threshold)
				out[i].Record(42 * time.Millisecond)
			}
			return out
		})},
		{"nines middleware route", "availability and latency SLIs with objectives, a failed-requests histogram (windows 5m, 1h)", PerItem(n, func(n int) any {
			reg, _ := slo.NewRegistry()
			mw, _ := middleware.New(middleware.Config{Registry: reg, MaxRoutes: n + 1})
			hs := make([]any, n)
			for i := range hs {
				hs[i] = mw.Wrap(fmt.Sprintf("GET /r%d", i), OK)
			}
			return []any{reg, mw, hs}
		})},
		{"OpenTelemetry SDK", "a counter series per outcome and an explicit-bucket histogram series", PerItem(n, otelRoutes(false))},
		{"OpenTelemetry SDK, exponential", "as above, with a base-2 exponential histogram (MaxSize 160)", PerItem(n, otelRoutes(true))},
		{"prometheus/client_golang", "a counter child per outcome and a classic histogram child (DefBuckets)", PerItem(n, func(n int) any {
			requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "requests_total"}, []string{"route", "outcome"})
			duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "d", Buckets: prometheus.DefBuckets}, []string{"route"})
			for i := range n {
				route := fmt.Sprintf("GET /r%d", i)
				requests.WithLabelValues(route, "good").Inc()
				duration.WithLabelValues(route).Observe(0.042)
			}
			return []any{requests, duration}
		})},
		{"hdrhistogram-go", "one histogram, 1 µs–1 h at 2 digits, no time windows", PerItem(n, func(n int) any {
			out := make([]*hdrhistogram.Histogram, n)
			for i := range out {
				out[i] = hdrhistogram.New(int64(time.Microsecond), int64(time.Hour), 2)
				out[i].RecordValue(int64(42 * time.Millisecond))
			}
			return out
		})},
	}
}

// otelRoutes returns a builder of n routes' OpenTelemetry series: a
// request counted and its latency recorded on each, then collected once.
func otelRoutes(exponential bool) func(n int) any {
	return func(n int) any {
		o := NewOTel(exponential)
		ctx := context.Background()
		for i := range n {
			route := attribute.String("route", fmt.Sprintf("GET /r%d", i))
			o.Requests.Add(ctx, 1, metric.WithAttributeSet(attribute.NewSet(route, attribute.String("outcome", "good"))))
			o.Duration.Record(ctx, 0.042, metric.WithAttributeSet(attribute.NewSet(route)))
		}
		var rm metricdata.ResourceMetrics
		o.Reader.Collect(ctx, &rm)
		return []any{o, rm}
	}
}
