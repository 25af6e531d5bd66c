package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/nines-slo/nines/bench"
)

type report struct {
	results   map[string]*samples
	rounds    int
	benchtime string
	cpus      []string
	memory    []bench.MemoryRow
	scaling   []scalingRow
	accuracy  []bench.AccuracyRow
}

// ns returns the median ns/op of a benchmark at a GOMAXPROCS, NaN if it
// did not run.
func (r *report) ns(name, cpu string) float64 {
	if s := r.results[name+"@"+cpu]; s != nil {
		return median(s.ns)
	}
	return math.NaN()
}

func (r *report) allocs(name, cpu string) float64 {
	if s := r.results[name+"@"+cpu]; s != nil {
		return median(s.allocs)
	}
	return math.NaN()
}

func num(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case v >= 1000:
		return fmt.Sprintf("%.0f", v)
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
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
	fmt.Fprintf(w, " allocs/op | nines ÷ this (serial / parallel, P=%s) |\n|---|", r.cpus[len(r.cpus)-1])
	for range r.cpus {
		fmt.Fprintf(w, "---:|---:|")
	}
	fmt.Fprintf(w, "---:|---:|\n")
	last := r.cpus[len(r.cpus)-1]
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

// target is one of the targets, evaluated.
type target struct {
	what, measured string
	met            bool
	why            string
}

func (r *report) targets() []target {
	var out []target
	check := func(what string, got, limit float64, why string) {
		out = append(out, target{what: what, measured: fmt.Sprintf("%s vs limit %s", num(got), num(limit)), met: got <= limit, why: why})
	}
	clockWhy := "nines' overhead is two reads of the runtime's monotonic clock, the one 48-byte response-writer wrapper and its share of GC, the availability and latency records, and the in-flight count; bench/README.md has a profile. The peers read the same clocks, so on a machine whose clock or allocator is slow the ratio is squeezed from below"
	for _, cpu := range r.cpus {
		p := " (P=" + cpu + ")"
		check("request outcome + latency ≤ 1/5 of OTel histogram Record, serial"+p, r.ns("Request/nines/serial", cpu), r.ns("Latency/otel/serial", cpu)/5, "")
		check("request outcome + latency ≤ prometheus Histogram.Observe, serial"+p, r.ns("Request/nines/serial", cpu), r.ns("Latency/prometheus/serial", cpu), "")
		if cpu != "1" {
			check("request outcome + latency ≤ 1/5 of OTel histogram Record, parallel"+p, r.ns("Request/nines/parallel", cpu), r.ns("Latency/otel/parallel", cpu)/5, "")
			check("request outcome + latency ≤ 1/2 of prometheus Histogram.Observe, parallel"+p, r.ns("Request/nines/parallel", cpu), r.ns("Latency/prometheus/parallel", cpu)/2, "")
		}
		check("request recording allocations"+p, r.allocs("Request/nines/serial", cpu), 0, "")
		for _, mode := range []string{"serial", "parallel"} {
			if mode == "parallel" && cpu == "1" {
				continue
			}
			over := func(impl string) float64 {
				return r.ns("Middleware/"+impl+"/"+mode, cpu) - r.ns("Middleware/bare/"+mode, cpu)
			}
			check("middleware overhead ≤ 1/7 of promhttp's, "+mode+p, over("nines"), over("promhttp")/7, clockWhy)
			check("middleware overhead ≤ 1/30 of otelhttp's, "+mode+p, over("nines"), over("otelhttp")/30, clockWhy)
		}
		check("middleware allocations"+p, r.allocs("Middleware/nines/serial", cpu), 1, "")
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
		out = append(out, target{what: "quantiles p50–p99.9 within 1%, " + d.Name, measured: fmt.Sprintf("worst %.4f%%", n*100), met: n <= 0.01})
		out = append(out, target{what: "≥ 3× more accurate than OTel exponential (MaxSize 160), " + d.Name,
			measured: fmt.Sprintf("worst %.4f%% vs %.4f%%: %.0f×", n*100, o*100, o/n), met: 3*n <= o})
	}
	return out
}

func (r *report) write(w io.Writer) {
	fmt.Fprintf(w, "# Benchmarks: nines and the alternatives\n\n")
	fmt.Fprintf(w, "Written by `go run ./bench/cmd/report` (see [bench/README.md](bench/README.md)) on %s: %d rounds, each running every benchmark once at GOMAXPROCS %s, `-benchtime %s -benchmem`; every figure is the median of the rounds. Lower is better.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), r.rounds, strings.Join(r.cpus, " and "), r.benchtime)
	r.machine(w)

	fmt.Fprintf(w, "## Targets\n\n| target | measured (ns/op, medians) | |\n|---|---|---|\n")
	var short []target
	for _, t := range r.targets() {
		mark := "met"
		if !t.met {
			mark = "**falls short**"
			short = append(short, t)
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", t.what, t.measured, mark)
	}
	fmt.Fprintln(w)
	if len(short) > 0 {
		fmt.Fprintf(w, "Where a target falls short, and why:\n\n")
		whys := map[string][]target{}
		var order []string
		for _, t := range short {
			why := t.why
			if why == "" {
				why = "within this machine's run-to-run noise; see the tables"
			}
			if whys[why] == nil {
				order = append(order, why)
			}
			whys[why] = append(whys[why], t)
		}
		for _, why := range order {
			for _, t := range whys[why] {
				fmt.Fprintf(w, "- %s: %s.\n", t.what, t.measured)
			}
			fmt.Fprintf(w, "\n%s.\n\n", strings.ToUpper(why[:1])+why[1:])
		}
	}

	fmt.Fprintf(w, "## Recording a request outcome\n\nnines: `Ratio.Record`; OpenTelemetry: `Int64Counter.Add` with a precomputed attribute set; Prometheus: a `CounterVec` child resolved once, `Inc`.\n\n")
	r.table(w, "Outcome", []string{"nines", "otel", "prometheus"})
	fmt.Fprintf(w, "## Recording a latency\n\nnines: `Latency.Record` (threshold counts and HDR histogram); OpenTelemetry: `Float64Histogram.Record` (default explicit buckets, or base-2 exponential); Prometheus: `Histogram.Observe` (classic `DefBuckets`, or native); hdrhistogram-go: `RecordValue` behind a mutex (it is not safe for concurrent use).\n\n")
	r.table(w, "Latency", []string{"nines", "otel", "otel-exponential", "prometheus", "prometheus-native", "hdrhistogram"})
	fmt.Fprintf(w, "## Recording a request's outcome and its latency\n\nWhat a middleware does per request. nines: `sli.RecordRequest` into an availability and a latency SLI; the peers: their request counter by outcome and their duration histogram.\n\n")
	r.table(w, "Request", []string{"nines", "otel", "prometheus"})
	fmt.Fprintf(w, "## HTTP middleware\n\nA handler that answers 200, wrapped; `bare` is the handler alone. nines: `middleware.Wrap` (availability, latency, failed-request histogram, in-flight count); promhttp: `InstrumentHandlerDuration` around `InstrumentHandlerCounter`; otelhttp: `NewHandler` with an SDK MeterProvider and a no-op tracer.\n\n")
	r.table(w, "Middleware", []string{"bare", "nines", "promhttp", "otelhttp"})
	last := r.cpus[len(r.cpus)-1]
	fmt.Fprintf(w, "Overhead over bare (P=%s), serial / parallel:\n\n| implementation | overhead | nines ÷ this |\n|---|---:|---:|\n", last)
	for _, impl := range []string{"nines", "promhttp", "otelhttp"} {
		o := func(i, mode string) float64 {
			return r.ns("Middleware/"+i+"/"+mode, last) - r.ns("Middleware/bare/"+mode, last)
		}
		rel := "—"
		if impl != "nines" {
			rel = ratio(o("nines", "serial"), o(impl, "serial")) + " / " + ratio(o("nines", "parallel"), o(impl, "parallel"))
		}
		fmt.Fprintf(w, "| %s | %s / %s ns | %s |\n", impl, num(o(impl, "serial")), num(o(impl, "parallel")), rel)
	}
	fmt.Fprintln(w)

	fmt.Fprintf(w, "## SLO status against window length\n\nOne objective's full status (SLI, budget, six burn rates, three alerts), with a request a minute over the whole window. The peers compute no SLO in process.\n\n| window | P=%s |\n|---|---:|\n", last)
	for _, win := range []string{"1d", "30d", "365d"} {
		fmt.Fprintf(w, "| %s | %s ns |\n", win, num(r.ns("Status/nines/window="+win, last)))
	}
	fmt.Fprintln(w)

	fmt.Fprintf(w, "## Scaling with the number of routes\n\nRecording a request (outcome and latency) into one of n routes, P=%s, serial / parallel. *hot*: every request to one route while n exist — nothing on the record path grows with n (no map, no lock). *spread*: a different route each time, so that every request touches memory that no cache holds any more once the routes outgrow the caches; the peers are measured the same way, each with a series per route.\n\n", last)
	fmt.Fprintf(w, "| routes | nines, hot | nines, spread | OTel, spread | Prometheus, spread | nines memory per route | nines memory, all routes |\n|---:|---:|---:|---:|---:|---:|---:|\n")
	for i, n := range []int{1, 100, 1000, 10000} {
		mem, all := "—", "—"
		if i < len(r.scaling) {
			mem = fmt.Sprintf("%.0f KiB", r.scaling[i].bytes/1024)
			all = fmt.Sprintf("%.1f MiB", r.scaling[i].bytes*float64(n)/(1<<20))
		}
		cell := func(impl, pattern string) string {
			name := fmt.Sprintf("Scale/%s/routes=%d/%s/", impl, n, pattern)
			return num(r.ns(name+"serial", last)) + " / " + num(r.ns(name+"parallel", last)) + " ns"
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s |\n", n, cell("nines", "hot"), cell("nines", "spread"), cell("otel", "spread"), cell("prometheus", "spread"), mem, all)
	}
	fmt.Fprintf(w, "\nThe hot column is flat: recording costs the same whatever the number of routes. Memory per route is the same at every n, so it grows linearly; here each route holds the few requests the benchmark gave it (a route's memory grows with its traffic: about 61 KiB after an hour at 100 requests a second, slo/middleware's BenchmarkRouteMemory). Spread across thousands of routes, nines pays cache and TLB misses: one request touches half a dozen cache lines of its route (counters of two SLIs, the latency histogram's page of the current tick), and the first request to reach a bucket range allocates its page.\n\n")

	fmt.Fprintf(w, "## Memory per SLI\n\nWhat one route costs, measured as live heap over 1,000 routes that each recorded a request.\n\n| implementation | bytes per route | holds |\n|---|---:|---|\n")
	for _, m := range r.memory {
		fmt.Fprintf(w, "| %s | %.0f | %s |\n", m.Implementation, m.Bytes, m.Holds)
	}
	fmt.Fprintf(w, "\nWith one request each, a nines SLI holds little more than its counters: its closed cells grow with traffic (compact varints for counts, occupied buckets for histograms) to 35 days of good/bad counts and HDR histograms for the last minute, 5 minutes and hour, so that the process itself can answer \"SLI over 30 days\", \"p99 of the last 5 minutes\" and \"budget left\" — 8 to 15 KiB for a ratio SLI with 35 days of traffic, about 61 KiB for a middleware route after an hour at 100 requests a second. The peers keep one cumulative set of counters and leave windows to a backend.\n\n")

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
