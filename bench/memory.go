package bench

import (
	"runtime"
	"time"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/sli"
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
// more SLIs or series cost. For small n it builds several (enough for
// 1,000 items in all) and divides, so that the heap's noise is spread too.
func PerItem(n int, build func(n int) any) float64 {
	copies := max(1, 1000/n)
	before := heapInUse()
	keep := make([]any, copies)
	for i := range keep {
		keep[i] = build(n)
	}
	after := heapInUse()
	runtime.KeepAlive(keep)
	return (float64(after) - float64(before)) / float64(n*copies)
}

// MemoryCase is what one implementation keeps for n routes, built by
// Build with one request recorded on each.
type MemoryCase struct {
	Implementation, Holds string
	Build                 func(n int) any
	// Scaling is whether the case is in the table of memory against the
	// number of routes and GOMAXPROCS.
	Scaling bool
}

// record builds n routes with newRoutes and records a request on each.
func record[R Routes](newRoutes func(n int) R) func(n int) any {
	return func(n int) any {
		r := newRoutes(n)
		for k := range n {
			r.Record(k, true, 42*time.Millisecond)
		}
		return r
	}
}

// MemoryCases are the implementations whose memory per route is measured.
var MemoryCases = []MemoryCase{
	{"nines ratio SLI", "good/bad counts in cells of 10 s, 1 min and 15 min for 35 days, kept as traffic fills them", func(n int) any {
		out := make([]*sli.Ratio, n)
		for i := range out {
			out[i], _ = sli.NewRatio()
			out[i].Record(sli.Good)
		}
		return out
	}, false},
	{"nines latency SLI", "the ratio SLI's counts plus HDR histograms for 1m, 5m, 1h windows and since start, occupied buckets only", func(n int) any {
		out := make([]*sli.Latency, n)
		for i := range out {
			out[i], _ = sli.NewLatency(Threshold)
			out[i].Record(42 * time.Millisecond)
		}
		return out
	}, false},
	{"nines route SLIs", "an availability and a latency SLI, as above", record(NewNinesRoutes), true},
	{"nines middleware route", "availability and latency SLIs with their objectives, a failed-requests histogram (windows 5m, 1h), the in-flight count", record(NewMiddlewareRoutes), true},
	{"OpenTelemetry SDK", "a counter series per outcome and an explicit-bucket histogram series, collected once", record(func(n int) *otelCollected { return &otelCollected{NewOTelRoutes(n, false), nil} }), true},
	{"OpenTelemetry SDK, exponential", "as above, with a base-2 exponential histogram (MaxSize 160)", record(func(n int) *otelCollected { return &otelCollected{NewOTelRoutes(n, true), nil} }), false},
	{"prometheus/client_golang", "a counter child per outcome and a classic histogram child (DefBuckets)", record(NewPrometheusRoutes), true},
	{"hdrhistogram-go", "one histogram, 1 µs–1 h at 2 digits, behind a mutex, no time windows", record(NewHDRRoutes), true},
}

// otelCollected is OTelRoutes that collects after its first request on
// every route, so that what the SDK keeps for its readers counts too.
type otelCollected struct {
	*OTelRoutes
	rm *metricdata.ResourceMetrics
}

func (o *otelCollected) Record(k int, good bool, d time.Duration) {
	o.OTelRoutes.Record(k, good, d)
	if k == len(o.good)-1 {
		o.rm = o.Collect()
	}
}

// MemoryRow is the memory one route costs in one implementation.
type MemoryRow struct {
	Implementation, Holds string
	Bytes                 float64
}

// Memory measures, over n routes each recording one request, what a
// route costs in each implementation.
func Memory(n int) []MemoryRow {
	var rows []MemoryRow
	for _, c := range MemoryCases {
		rows = append(rows, MemoryRow{c.Implementation, c.Holds, PerItem(n, c.Build)})
	}
	return rows
}

// MemoryScalingRow is what a route costs in one implementation at each
// number of routes, at one GOMAXPROCS.
type MemoryScalingRow struct {
	Implementation string
	Procs          int
	Bytes          []float64 // per route, at each of the numbers of routes asked for
}

// MemoryScaling measures each implementation's memory per route at each
// number of routes in ns, at each GOMAXPROCS in procs (set while it
// measures, then restored): nines shards its counters by processor, so
// the number of processors is one of the dimensions its memory grows
// along.
func MemoryScaling(ns, procs []int) []MemoryScalingRow {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var rows []MemoryScalingRow
	for _, p := range procs {
		runtime.GOMAXPROCS(p)
		for _, c := range MemoryCases {
			if !c.Scaling {
				continue
			}
			row := MemoryScalingRow{Implementation: c.Implementation, Procs: p}
			for _, n := range ns {
				row.Bytes = append(row.Bytes, PerItem(n, c.Build))
			}
			rows = append(rows, row)
		}
	}
	return rows
}
