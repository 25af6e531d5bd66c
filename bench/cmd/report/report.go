package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/nines-slo/nines/bench"
)

type report struct {
	results   map[string]*samples
	ran       time.Time // when the benchmarks ran
	rounds    int
	benchtime string
	cpus      []string
	memory    []bench.MemoryRow
	scaling   []bench.MemoryScalingRow
	accuracy  []bench.AccuracyRow
}

// last is the largest GOMAXPROCS the benchmarks ran at, the one the
// scaling tables show.
func (r *report) last() string { return r.cpus[len(r.cpus)-1] }

// get returns a benchmark's samples at a GOMAXPROCS, nil if it did not run.
func (r *report) get(name, cpu string) *samples { return r.results[name+"@"+cpu] }

// ns returns the median ns/op of a benchmark at a GOMAXPROCS, NaN if it
// did not run.
func (r *report) ns(name, cpu string) float64 {
	if s := r.get(name, cpu); s != nil {
		return median(s.ns)
	}
	return math.NaN()
}

func (r *report) allocs(name, cpu string) float64 {
	if s := r.get(name, cpu); s != nil {
		return median(s.allocs)
	}
	return math.NaN()
}

// metric returns a benchmark's values of a metric of its own over the
// rounds, nil if it did not run.
func (r *report) metric(name, cpu, unit string) []float64 {
	if s := r.get(name, cpu); s != nil {
		return s.metrics[unit]
	}
	return nil
}

// anyCPU returns the samples of a benchmark run at one GOMAXPROCS only
// (the idle and rule benchmarks), whichever it was.
func (r *report) anyCPU(name string) *samples {
	for k, s := range r.results {
		if strings.HasPrefix(k, name+"@") {
			return s
		}
	}
	return nil
}

func num(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.1f", v)
	case math.Abs(v) >= 0.1 || v == 0:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

// spread writes the median of v and its range over the rounds: "9.3
// (8.9–9.8)", or the value alone when every round agrees or there is one.
func spread(v []float64) string {
	v = finite(v)
	if len(v) == 0 {
		return "—"
	}
	lo, hi := slices.Min(v), slices.Max(v)
	if len(v) == 1 || num(lo) == num(hi) {
		return num(median(v))
	}
	return fmt.Sprintf("%s (%s–%s)", num(median(v)), num(lo), num(hi))
}

// finite returns v without NaNs.
func finite(v []float64) []float64 {
	return slices.DeleteFunc(slices.Clone(v), math.IsNaN)
}

func ratio(a, b float64) string {
	if math.IsNaN(a) || math.IsNaN(b) || b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// table writes a comparison of implementations for one kind of work: ns/op
// and allocs at each GOMAXPROCS, serial and parallel, and nines' ratio to
// each peer.
func (r *report) table(w io.Writer, work string, impls []string) {
	fmt.Fprintf(w, "| implementation |")
	for _, cpu := range r.cpus {
		fmt.Fprintf(w, " serial, P=%s | parallel, P=%s |", cpu, cpu)
	}
	fmt.Fprintf(w, " allocs/op | nines ÷ this (serial / parallel, P=%s) |\n|---|", r.last())
	for range r.cpus {
		fmt.Fprintf(w, "---:|---:|")
	}
	fmt.Fprintf(w, "---:|---:|\n")
	last := r.last()
	for _, impl := range impls {
		fmt.Fprintf(w, "| %s |", impl)
		for _, cpu := range r.cpus {
			fmt.Fprintf(w, " %s ns | %s ns |", num(r.ns(work+"/"+impl+"/serial", cpu)), num(r.ns(work+"/"+impl+"/parallel", cpu)))
		}
		rel := "—"
		if impl != "nines" && impl != "bare" {
			rel = ratio(r.ns(work+"/nines/serial", last), r.ns(work+"/"+impl+"/serial", last)) + " / " +
				ratio(r.ns(work+"/nines/parallel", last), r.ns(work+"/"+impl+"/parallel", last))
		}
		fmt.Fprintf(w, " %s | %s |\n", num(r.allocs(work+"/"+impl+"/serial", last)), rel)
	}
	fmt.Fprintln(w)
}

// target is one of the project's targets: a measured value and its limit
// in each round (the i-th of each from round i), met when the value is at
// most the limit in every round.
type target struct {
	what       string
	got, limit []float64
	why        string
}

// rounds returns the rounds that have both a value and a limit, and how
// many of them meet the target.
func (t target) rounds() (n, met int) {
	for i := range min(len(t.got), len(t.limit)) {
		if math.IsNaN(t.got[i]) || math.IsNaN(t.limit[i]) {
			continue
		}
		n++
		if t.got[i] <= t.limit[i] {
			met++
		}
	}
	return n, met
}

// met reports whether every round with data meets the target, and there is
// one.
func (t target) met() bool {
	n, met := t.rounds()
	return n > 0 && met == n
}

// margins returns limit ÷ value in each round: above 1 is met with room.
func (t target) margins() []float64 {
	var out []float64
	for i := range min(len(t.got), len(t.limit)) {
		if t.limit[i] == 0 {
			continue // an allocation count: no room to speak of
		}
		out = append(out, t.limit[i]/t.got[i])
	}
	return out
}

// scaled returns v times k.
func scaled(v []float64, k float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x * k
	}
	return out
}

// constant returns v n times.
func constant(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// series returns a benchmark's ns/op in each round, nil if it did not run.
func (r *report) series(name, cpu string) []float64 {
	if s := r.get(name, cpu); s != nil {
		return s.ns
	}
	return nil
}

func (r *report) targets() []target {
	var out []target
	clockWhy := "nines' overhead is two reads of the runtime's monotonic clock, the one 48-byte response-writer wrapper and its share of GC, the availability and latency records, and the in-flight count; bench/README.md has a profile. The peers read the same clocks, so on a machine whose clock or allocator is slow the ratio is squeezed from below"
	for _, cpu := range r.cpus {
		p := " (P=" + cpu + ")"
		req := r.series("Request/nines/serial", cpu)
		out = append(out,
			target{what: "request outcome + latency ≤ 1/5 of OTel histogram Record, serial" + p, got: req, limit: scaled(r.series("Latency/otel/serial", cpu), 1.0/5)},
			target{what: "request outcome + latency ≤ prometheus Histogram.Observe, serial" + p, got: req, limit: r.series("Latency/prometheus/serial", cpu)})
		if cpu != "1" {
			par := r.series("Request/nines/parallel", cpu)
			out = append(out,
				target{what: "request outcome + latency ≤ 1/5 of OTel histogram Record, parallel" + p, got: par, limit: scaled(r.series("Latency/otel/parallel", cpu), 1.0/5)},
				target{what: "request outcome + latency ≤ 1/2 of prometheus Histogram.Observe, parallel" + p, got: par, limit: scaled(r.series("Latency/prometheus/parallel", cpu), 1.0/2)})
		}
		if s := r.get("Request/nines/serial", cpu); s != nil {
			out = append(out, target{what: "request recording allocations" + p, got: s.allocs, limit: constant(0, len(s.allocs))})
		}
		for _, mode := range []string{"serial", "parallel"} {
			if mode == "parallel" && cpu == "1" {
				continue
			}
			// Ratios measured within one benchmark, interleaved chunk by
			// chunk: the machine's slow moments fall on both alike.
			name := "MiddlewareOverhead/" + mode
			for _, peer := range []struct {
				name string
				k    float64
			}{{"promhttp", 7}, {"otelhttp", 30}} {
				got := r.metric(name, cpu, "nines/"+peer.name)
				out = append(out, target{what: fmt.Sprintf("middleware overhead ÷ %s's ≤ 1/%.0f, %s%s", peer.name, peer.k, mode, p),
					got: got, limit: constant(1/peer.k, len(got)), why: clockWhy})
			}
		}
		if s := r.get("Middleware/nines/serial", cpu); s != nil {
			out = append(out, target{what: "middleware allocations" + p, got: s.allocs, limit: constant(1, len(s.allocs))})
		}
	}
	worst := map[string]map[string]float64{}
	for _, a := range r.accuracy {
		if worst[a.Distribution] == nil {
			worst[a.Distribution] = map[string]float64{}
		}
		for _, e := range a.Error {
			worst[a.Distribution][a.Estimator] = math.Max(worst[a.Distribution][a.Estimator], e)
		}
	}
	for _, d := range bench.Distributions {
		n, o := worst[d.Name]["nines"], worst[d.Name]["otel-exponential"]
		out = append(out,
			target{what: "worst quantile error p50–p99.9 ≤ 1% (fixed seed, one round), " + d.Name, got: []float64{n * 100}, limit: []float64{1}},
			target{what: "worst quantile error ≤ 1/3 of OTel exponential's (MaxSize 160), " + d.Name, got: []float64{n * 100}, limit: []float64{o * 100 / 3}})
	}
	return out
}

func (r *report) write(w io.Writer) {
	fmt.Fprintf(w, "# Benchmarks: nines and the alternatives\n\n")
	fmt.Fprintf(w, "Written by `go run ./bench/cmd/report` (see [bench/README.md](bench/README.md)) from benchmarks run on %s: %d rounds, each running every benchmark once at GOMAXPROCS %s, `-benchtime %s -benchmem`; a figure is the median of the rounds, with the range over them in brackets where they differ. Lower is better. [docs/scale.md](docs/scale.md) turns these figures into a fleet.\n\n",
		r.ran.UTC().Format("2006-01-02 15:04 MST"), r.rounds, strings.Join(r.cpus, " and "), r.benchtime)
	r.machine(w)
	r.writeTargets(w)
	r.writePeers(w)

	fmt.Fprintf(w, "## Recording a request outcome\n\nnines: `Ratio.Record`; OpenTelemetry: `Int64Counter.Add` with a precomputed option slice; Prometheus: a `CounterVec` child resolved once, `Inc`. One series, every goroutine on it.\n\n")
	r.table(w, "Outcome", []string{"nines", "otel", "prometheus"})
	fmt.Fprintf(w, "## Recording a latency\n\nnines: `Latency.Record` (threshold counts and HDR histogram); OpenTelemetry: `Float64Histogram.Record` in milliseconds (default explicit buckets, or base-2 exponential); Prometheus: `Histogram.Observe` in seconds (classic `DefBuckets`, or native); hdrhistogram-go: `RecordValue` behind a mutex (it is not safe for concurrent use).\n\n")
	r.table(w, "Latency", []string{"nines", "otel", "otel-exponential", "prometheus", "prometheus-native", "hdrhistogram"})
	fmt.Fprintf(w, "## Recording a request's outcome and its latency\n\nWhat a middleware does per request. nines: `sli.RecordRequest` into an availability and a latency SLI; the peers: their request counter by outcome and their duration histogram.\n\n")
	r.table(w, "Request", []string{"nines", "otel", "prometheus"})
	r.writeMiddleware(w)
	r.writeGRPC(w)
	r.writeScale(w)
	r.writeMemory(w)
	r.writeExport(w)
	r.writeIdle(w)
	r.writeRules(w)

	fmt.Fprintf(w, "## SLO status against window length\n\nOne objective's full status (SLI, budget, six burn rates, three alerts), with a request a minute over the whole window. The peers compute no SLO in process.\n\n| window | P=%s |\n|---|---:|\n", r.last())
	for _, win := range []string{"1d", "30d", "365d"} {
		fmt.Fprintf(w, "| %s | %s ns |\n", win, spread(r.series("Status/nines/window="+win, r.last())))
	}
	fmt.Fprintln(w)
	r.writeAccuracy(w)
}

func (r *report) writeTargets(w io.Writer) {
	fmt.Fprintf(w, "## Targets\n\nA target is met only when every round meets it. *Margin* is the limit divided by the measured value in each round (above 1×: met, with that much room): the median, and the range over the rounds.\n\n")
	fmt.Fprintf(w, "| target | measured | limit | margin | rounds met | |\n|---|---:|---:|---:|---:|---|\n")
	var short []target
	for _, t := range r.targets() {
		n, met := t.rounds()
		mark := "met"
		switch {
		case n == 0:
			mark = "not measured"
		case !t.met():
			mark = "**falls short**"
			if met > 0 {
				mark = "**flips between rounds**"
			}
			short = append(short, t)
		}
		margin := "—"
		if m := t.margins(); len(m) > 0 {
			margin = spread(m) + "×"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %d of %d | %s |\n", t.what, spread(t.got), spread(t.limit), margin, met, n, mark)
	}
	fmt.Fprintln(w)
	if len(short) == 0 {
		return
	}
	fmt.Fprintf(w, "Where a target is not met in every round, and why:\n\n")
	whys := map[string][]target{}
	var order []string
	for _, t := range short {
		why := t.why
		if why == "" {
			why = "see the tables below"
		}
		if whys[why] == nil {
			order = append(order, why)
		}
		whys[why] = append(whys[why], t)
	}
	for _, why := range order {
		for _, t := range whys[why] {
			n, met := t.rounds()
			fmt.Fprintf(w, "- %s: %s against %s, met in %d of %d rounds.\n", t.what, spread(t.got), spread(t.limit), met, n)
		}
		fmt.Fprintf(w, "\n%s.\n\n", strings.ToUpper(why[:1])+why[1:])
	}
}

// writePeers says how each peer is used, next to the cases.
func (r *report) writePeers(w io.Writer) {
	fmt.Fprintf(w, `## How the peers are used

Each peer is used the way its maintainers benchmark and document it:

- **OpenTelemetry SDK** (go.opentelemetry.io/otel/sdk/metric): attribute sets built once with `+"`attribute.NewSet`"+`, each wrapped once in an option slice (`+"`[]metric.AddOption`, `[]metric.RecordOption`"+`) and passed as `+"`opts...`"+`, as the SDK's own benchmarks do, so a call allocates nothing for its options. Durations are recorded in milliseconds, the unit the SDK's default explicit bucket boundaries (0, 5, 10, 25, … 10,000) are sized for, on an instrument of unit "ms". A ManualReader, so no export runs during a measurement.
- **prometheus/client_golang**: children resolved once (`+"`WithLabelValues`"+` outside the loop), durations in seconds for `+"`DefBuckets`"+`, as its documentation does.
- **otelhttp and otelgrpc**: the SDK's MeterProvider and a no-op tracer provider, so that only their metrics are measured, as nines records only metrics.
- **hdrhistogram-go**: nanoseconds, 1 µs–1 h at 2 significant digits, behind a mutex, as it is not safe for concurrent use.
- **Parallel loops** (`+"`b.RunParallel`"+`): each goroutine starts at a different point of the request sequence, so that where a benchmark spreads requests over routes, goroutines are on different routes, as a server's are; the one-series benchmarks ("hot") put every goroutine on one series on purpose.

`)
}

func (r *report) writeMiddleware(w io.Writer) {
	fmt.Fprintf(w, "## HTTP middleware\n\nA handler that answers 200, wrapped; `bare` is the handler alone. nines: `middleware.Wrap` (availability, latency, failed-request histogram, in-flight count); promhttp: `InstrumentHandlerDuration` around `InstrumentHandlerCounter`; otelhttp: `NewHandler` with an SDK MeterProvider and a no-op tracer.\n\n")
	r.table(w, "Middleware", []string{"bare", "nines", "promhttp", "otelhttp"})
	fmt.Fprintf(w, "Overhead per request, interleaved (`MiddlewareOverhead`: every iteration serves 512 requests through each handler in turn, so that the machine's slow moments fall on all alike; each overhead is the handler's time less its bare handler's: `bare` for Wrap and the peers, the bare mux or router for Handler and the router adapters), P=%s:\n\n", r.last())
	fmt.Fprintf(w, "| instrumentation | overhead, serial | overhead, parallel | ÷ promhttp's, serial / parallel | ÷ otelhttp's, serial / parallel |\n|---|---:|---:|---:|---:|\n")
	for _, impl := range []string{"nines", "nines-handler", "nines-chi", "nines-gorilla", "nines-echo", "nines-gin", "promhttp", "otelhttp"} {
		m := func(mode, unit string) string { return spread(r.metric("MiddlewareOverhead/"+mode, r.last(), unit)) }
		rel := func(peer string) string {
			if !strings.HasPrefix(impl, "nines") {
				return "—"
			}
			return m("serial", impl+"/"+peer) + " / " + m("parallel", impl+"/"+peer)
		}
		fmt.Fprintf(w, "| %s | %s ns | %s ns | %s | %s |\n", impl, m("serial", impl+"-ns/req"), m("parallel", impl+"-ns/req"), rel("promhttp"), rel("otelhttp"))
	}
	fmt.Fprintln(w)
}

func (r *report) writeGRPC(w io.Writer) {
	fmt.Fprintf(w, "## gRPC\n\nA unary call to gRPC's health service, interleaved as above (P=%s). *In process*: the handler called directly, through nines' unary interceptor, and through otelgrpc's stats handler fed the events a server gives it for one call (SDK MeterProvider, no tracing). *Loopback*: real calls over a loopback connection to three servers (bare, nines, otelgrpc); a call costs tens of microseconds, so these overheads are differences of large numbers.\n\n", r.last())
	fmt.Fprintf(w, "| case | nines | otelgrpc | nines ÷ otelgrpc |\n|---|---:|---:|---:|\n")
	for _, c := range []struct{ name, bench string }{{"in process", "GRPCInterceptorOverhead"}, {"loopback", "GRPCOverhead"}} {
		m := func(unit string) string { return spread(r.metric(c.bench, r.last(), unit)) }
		fmt.Fprintf(w, "| %s | %s ns | %s ns | %s× |\n", c.name, m("nines-ns/call"), m("otelgrpc-ns/call"), m("nines/otelgrpc"))
	}
	if bare := r.metric("GRPCOverhead", r.last(), "bare-ns/call"); bare != nil {
		fmt.Fprintf(w, "\nA bare loopback call took %s ns.\n", spread(bare))
	}
	fmt.Fprintln(w)
}

func (r *report) writeScale(w io.Writer) {
	last := r.last()
	fmt.Fprintf(w, "## Recording against the number of routes\n\nOne request (outcome and latency) into one of n routes, each implementation with its own series per route, P=%s, serial / parallel, ns. *hot*: every request to one route while n exist; *spread*: a different route each time, so that once the routes outgrow the caches every request touches memory no cache holds.\n\n", last)
	fmt.Fprintf(w, "| routes | nines, hot | nines, spread | OTel, hot | OTel, spread | Prometheus, hot | Prometheus, spread |\n|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, n := range bench.RouteCounts {
		fmt.Fprintf(w, "| %d |", n)
		for _, impl := range []string{"nines", "otel", "prometheus"} {
			for _, pattern := range []string{"hot", "spread"} {
				name := fmt.Sprintf("Scale/%s/routes=%d/%s/", impl, n, pattern)
				fmt.Fprintf(w, " %s / %s |", num(r.ns(name+"serial", last)), num(r.ns(name+"parallel", last)))
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\nHot, nothing on nines' record path grows with n (no map, no lock). Spread across thousands of routes, every implementation pays cache and TLB misses; nines touches more memory per request than the peers (the counters of two SLIs and the latency histogram's page of the current tick, against a counter and a histogram), so it loses more: compare the spread columns at 10,000 routes. The first request to reach a histogram's bucket range allocates its page.\n\n")
}

func (r *report) writeMemory(w io.Writer) {
	fmt.Fprintf(w, "## Memory per route against routes and GOMAXPROCS\n\nLive heap per route with n routes, each having recorded one request, after a full collection; at GOMAXPROCS 2, 8 and 64 (nines keeps a shard of its live counters per processor, up to 64). At one route the figure includes what the implementation keeps whatever the number of routes (a MeterProvider, a metric family, a middleware).\n\n")
	fmt.Fprintf(w, "| implementation | GOMAXPROCS |")
	for _, n := range bench.RouteCounts {
		fmt.Fprintf(w, " %s |", plural(n, "route"))
	}
	fmt.Fprintf(w, " all %d routes |\n|---|---:|", bench.RouteCounts[len(bench.RouteCounts)-1])
	for range bench.RouteCounts {
		fmt.Fprintf(w, "---:|")
	}
	fmt.Fprintf(w, "---:|\n")
	for _, row := range r.scaling {
		fmt.Fprintf(w, "| %s | %d |", row.Implementation, row.Procs)
		for _, b := range row.Bytes {
			fmt.Fprintf(w, " %s |", bytesOf(b))
		}
		fmt.Fprintf(w, " %s |\n", bytesOf(row.Bytes[len(row.Bytes)-1]*float64(bench.RouteCounts[len(bench.RouteCounts)-1])))
	}
	fmt.Fprintf(w, "\nA nines route's memory also grows with its traffic, as its cells fill: about 61 KiB for a middleware route after an hour at 100 requests a second (slo/middleware's BenchmarkRouteMemory), 8 to 15 KiB for a ratio SLI with 35 days of traffic. The peers keep one cumulative set of counters per series and leave windows to a backend.\n\n")

	fmt.Fprintf(w, "### What each holds\n\nAt 1,000 routes, the default GOMAXPROCS (%d):\n\n| implementation | bytes per route | holds |\n|---|---:|---|\n", runtime.GOMAXPROCS(0))
	for _, m := range r.memory {
		fmt.Fprintf(w, "| %s | %.0f | %s |\n", m.Implementation, m.Bytes, m.Holds)
	}
	fmt.Fprintln(w)
}

// plural writes n things.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// bytesOf writes a size in B, KiB or MiB.
func bytesOf(b float64) string {
	switch {
	case math.IsNaN(b):
		return "—"
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", b/(1<<10))
	}
	return fmt.Sprintf("%.0f B", b)
}

func (r *report) writeExport(w io.Writer) {
	last := r.last()
	fmt.Fprintf(w, "## Export and status page against the number of objectives\n\nn objectives: n/2 middleware routes, an availability and a latency objective each, with an hour of traffic at a request a second. One OpenTelemetry collection of nines' producer through a ManualReader (what each export interval costs); one Prometheus scrape of it through the OpenTelemetry Prometheus exporter; the status page's HTML computed afresh (a view within its 5-second cache is a copy, about a microsecond) and its JSON document. For scale, the same routes in the peers, which carry no SLO, budget or burn rate: client_golang's scrape of a request counter by outcome and a `DefBuckets` histogram per route, and the OpenTelemetry SDK's collection of its own series. P=%s.\n\n", last)
	fmt.Fprintf(w, "| objectives | collection | scrape | scrape size, series | page (HTML) | JSON | peer: client_golang scrape | peer: OTel SDK collection |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, n := range bench.Objectives {
		cell := func(kind string) string {
			s := r.get(fmt.Sprintf("Export/%s/objectives=%d", kind, n), last)
			if s == nil {
				return "—"
			}
			return fmt.Sprintf("%s, %s", duration(median(s.ns)), bytesOf(median(s.bytes)))
		}
		size := "—"
		if v := r.metric(fmt.Sprintf("Export/scrape/objectives=%d", n), last, "bytes/scrape"); v != nil {
			size = bytesOf(median(v))
		}
		if v := r.metric(fmt.Sprintf("Export/scrape/objectives=%d", n), last, "series/scrape"); v != nil {
			size += fmt.Sprintf(", %.0f series", median(v))
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s | %s |\n", n, cell("collect"), cell("scrape"), size, cell("page"), cell("json"), cell("peer-scrape"), cell("peer-collect"))
	}
	fmt.Fprintf(w, "\nEach cell is the time of one, and what it allocates. Every figure grows linearly with the objectives.\n\n")
}

// duration writes ns as a readable duration.
func duration(ns float64) string {
	switch {
	case math.IsNaN(ns):
		return "—"
	case ns >= 1e6:
		return fmt.Sprintf("%s ms", num(ns/1e6))
	case ns >= 1e3:
		return fmt.Sprintf("%s µs", num(ns/1e3))
	}
	return fmt.Sprintf("%s ns", num(ns))
}

func (r *report) writeIdle(w io.Writer) {
	fmt.Fprintf(w, "## Idle CPU\n\nAn idle process holding n middleware routes (two objectives each, one request recorded), watched for a minute (two 30-second windows) per round: its CPU time, user and system, as a share of one core. What runs is the rotation timers that close the SLIs' cells at their 10-second boundaries and the objectives' alert evaluations every 30 seconds; routes=0 is the Go runtime alone.\n\n| routes | CPU, %% of a core | rounds |\n|---:|---:|---:|\n")
	for _, n := range []int{0, 1000, 10000} {
		s := r.anyCPU(fmt.Sprintf("Idle/routes=%d", n))
		if s == nil {
			fmt.Fprintf(w, "| %d | not measured | 0 |\n", n)
			continue
		}
		fmt.Fprintf(w, "| %d | %s%% | %d |\n", n, spread(s.metrics["%cpu"]), len(s.metrics["%cpu"]))
	}
	fmt.Fprintln(w)
}

func (r *report) writeRules(w io.Writer) {
	fmt.Fprintf(w, "## Rules on a real Prometheus\n\nThe rule groups for n objectives (99.9%% over 30 days, two replicas' counters backfilled) evaluated by Prometheus 3: the sum over groups of `prometheus_rule_group_last_duration_seconds` (*a round*: every group evaluated once), the same with each group's duration counted as often as its interval runs it in a minute (*a minute*: what running the rules costs, as nines' and Sloth's groups run every minute and Pyrra's every 30 seconds or 2½ minutes), and the series the rules create. nines: `promrules.Write`; Sloth: the rules `sloth generate` (v0.16.0) writes for the same SLOs; Pyrra: the rules Pyrra generates for a ratio objective, written by hand, and checked against its generator's source, because Pyrra's module cannot be fetched here. examples/promrules' BenchmarkRuleEvaluation says how the history is made.\n\n")
	fmt.Fprintf(w, "| objectives | rule set | evaluation, s a round | evaluation, s a minute | series created | rules | groups |\n|---:|---|---:|---:|---:|---:|---:|\n")
	found := false
	for _, n := range []int{100, 1000} {
		for _, set := range []string{"nines", "sloth", "pyrra"} {
			s := r.anyCPU(fmt.Sprintf("RuleEvaluation/objectives=%d/rules=%s", n, set))
			if s == nil {
				continue
			}
			found = true
			m := func(unit string) string { return spread(s.metrics[unit]) }
			fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s |\n", n, set, m("s/evaluation"), m("s/minute"), m("series"), m("rules"), m("groups"))
		}
	}
	if !found {
		fmt.Fprintf(w, "| — | not measured (run without `-rules=false`, with Prometheus 3 installed) | | | | | |\n")
	}
	fmt.Fprintln(w)
}

func (r *report) writeAccuracy(w io.Writer) {
	fmt.Fprintf(w, "## Quantile accuracy\n\nRelative error against the exact quantile (nearest rank) of %d fixed-seed samples: lognormal (median 50 ms, σ 1) and bimodal (95%% N(20 ms, 3 ms), 5%% N(800 ms, 100 ms)).\n\n", bench.Samples)
	fmt.Fprintf(w, "| distribution | implementation | p50 | p95 | p99 | p99.9 |\n|---|---|---:|---:|---:|---:|\n")
	for _, a := range r.accuracy {
		fmt.Fprintf(w, "| %s | %s |", a.Distribution, a.Estimator)
		for _, e := range a.Error {
			fmt.Fprintf(w, " %.4f%% |", e*100)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\nHow each is read:\n\n")
	for _, e := range bench.Estimators {
		fmt.Fprintf(w, "- %s: %s.\n", e.Name, e.Describe)
	}
	fmt.Fprintln(w)
}

func (r *report) machine(w io.Writer) {
	cpu := "unknown"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	kernel, _ := exec.Command("uname", "-r").Output()
	clock, _ := os.ReadFile("/sys/devices/system/clocksource/clocksource0/current_clocksource")
	now := "`time.Now()` took %.0f ns when the benchmarks ran"
	var perNow float64
	if s := r.results[timeNowKey]; s != nil {
		perNow = median(s.ns)
	} else {
		now = "`time.Now()` takes %.0f ns (measured when this file was written)"
		perNow = timeNowCost()
	}
	fmt.Fprintf(w, "## Machine\n\n| | |\n|---|---|\n| CPU | %s, %d logical cores |\n| OS | %s/%s, kernel %s |\n| Go | %s |\n| clock source | %s; "+now+" |\n\n",
		cpu, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, strings.TrimSpace(string(kernel)), runtime.Version(), strings.TrimSpace(string(clock)), perNow)
}
