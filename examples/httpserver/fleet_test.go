package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nines-slo/nines/examples/internal/ci"
	"github.com/nines-slo/nines/exporter/promrules"
	"github.com/nines-slo/nines/exporter/statuspage"
	"github.com/nines-slo/nines/internal/demo"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// TestFleetThroughPrometheus runs two replicas of this program, has a real
// Prometheus scrape both (through the OpenTelemetry Prometheus exporter)
// and evaluate the rules the replicas generate, and checks the fleet-wide
// numbers PromQL computes against the in-process merge of both replicas'
// snapshots:
//
//   - the summed event counters (and the SLI and budget made from them)
//     and the latency histogram's count exactly;
//   - the recording rules' SLI and budget, whose increase() extrapolates
//     each replica by up to one scrape interval, within that skew;
//   - the firing alerts exactly.
func TestFleetThroughPrometheus(t *testing.T) { forEachPrometheus(t, testFleetThroughPrometheus) }

func testFleetThroughPrometheus(t *testing.T, server ci.Tool, bin string) {
	var replicas []string
	for range 2 {
		p := ci.Start(t, bin, "-addr", "127.0.0.1:0")
		line := p.FirstLine(t)
		addr, ok := strings.CutPrefix(line, "listening on http://")
		if !ok {
			t.Fatalf("replica printed %q, want its address", line)
		}
		replicas = append(replicas, addr)
	}
	// The rules the replicas serve, evaluated every second as this
	// Prometheus evaluates (the step, twice the interval, follows).
	svc, err := demo.New()
	if err != nil {
		t.Fatal(err)
	}
	var rulesBuf bytes.Buffer
	if err := promrules.Write(&rulesBuf, svc.Registry, promrules.Config{Interval: time.Second}); err != nil {
		t.Fatal(err)
	}
	rules := rulesBuf.Bytes()
	if served := ci.Get(t, "http://"+replicas[0]+"/rules.yml"); !bytes.Contains(served, []byte("nines_slo:sli:ratio_30d")) {
		t.Fatalf("the replica serves no rules:\n%s", served)
	}
	prom := ci.StartPrometheus(t, server, replicas, rules, false)

	const work = "demo GET /work availability"
	sel := func(name string) string { return fmt.Sprintf(`{nines_slo_name=%q}`, name) }
	// Both replicas scraped before any traffic: the counters start at zero
	// in Prometheus too, so increase() sees every event.
	ci.Eventually(t, time.Minute, "both replicas scraped at zero", func() error {
		n, err := prom.Scalar(`count(nines_slo_events_valid_total` + sel(work) + ` == 0)`)
		if err == nil && n != 2 {
			err = fmt.Errorf("%v replicas at zero", n)
		}
		return err
	})

	// Traffic: replica 0 fails 1 request in 10, replica 1 one in 4; some
	// good requests are slow (110 ms, over the 100 ms threshold).
	for i, addr := range replicas {
		n, failEvery := 120, 10
		if i == 1 {
			n, failEvery = 80, 4
		}
		ci.Requests(t, n, ci.Work("http://"+addr, failEvery, 7))
		ci.Requests(t, 30, func(int) string { return "http://" + addr + "/hello" })
	}

	// The in-process fleet view: both snapshots merged, restored into a
	// fresh replica's registry.
	fleet := mergedFleet(t, replicas)
	statuses, err := fleet.Registry.Status()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]slo.Status{}
	for _, s := range statuses {
		want[s.Name] = s
	}
	if got := want[work].Valid; got != 200 {
		t.Fatalf("merged snapshots hold %v valid events of %s, want 200", got, work)
	}

	// Wait until Prometheus has scraped the final counters.
	ci.Eventually(t, time.Minute, "final counters scraped", func() error {
		v, err := prom.Scalar(`sum(nines_slo_events_valid_total` + sel(work) + `)`)
		if err == nil && v != 200 {
			err = fmt.Errorf("sum of valid events %v, want 200", v)
		}
		return err
	})
	for _, name := range []string{work, "demo GET /work latency", "demo GET /hello availability", "demo GET /hello latency"} {
		s := want[name]
		good, err1 := prom.Scalar(`sum(nines_slo_events_good_total` + sel(name) + `)`)
		valid, err2 := prom.Scalar(`sum(nines_slo_events_valid_total` + sel(name) + `)`)
		if err := errorsJoin(err1, err2); err != nil {
			t.Fatal(err)
		}
		if good != s.Good || valid != s.Valid {
			t.Errorf("%s: Prometheus sums good %v valid %v, the merged snapshots %v and %v", name, good, valid, s.Good, s.Valid)
		}
		left, err := s.Remaining()
		if err != nil {
			t.Fatal(err)
		}
		errRate := 1 - s.Target
		if promLeft := 1 - (1-good/valid)/errRate; math.Abs(promLeft-left) > 1e-9 {
			t.Errorf("%s: budget left from the counters %v, in-process %v", name, promLeft, left)
		}
		if strings.HasSuffix(name, "latency") {
			n, err := prom.Scalar(`sum(nines_slo_latency_seconds_count` + sel(name) + `)`)
			if err != nil {
				t.Fatal(err)
			}
			if n != s.Valid {
				t.Errorf("%s: latency histogram count %v, want the %v valid events", name, n, s.Valid)
			}
		}
	}

	// The recording rules, evaluated after the final scrape.
	for _, name := range []string{work, "demo GET /work latency"} {
		s := want[name]
		left, _ := s.Remaining()
		ci.Eventually(t, time.Minute, name+": recording rules", func() error {
			sli, err1 := prom.Scalar(`nines_slo:sli:ratio_30d` + sel(name))
			promLeft, err2 := prom.Scalar(`nines_slo:budget_remaining:ratio` + sel(name))
			if err := errorsJoin(err1, err2); err != nil {
				return err
			}
			// increase() extrapolates each replica's series by up to one
			// scrape interval, a few percent of the bad events.
			if math.Abs(sli-s.SLI) > 0.05*(1-s.SLI) || math.Abs(promLeft-left) > 0.05*(1-left) {
				return fmt.Errorf("rules say SLI %v, budget left %v; in-process %v and %v", sli, promLeft, s.SLI, left)
			}
			t.Logf("%s: rules say SLI %v, budget left %v; in-process %v and %v", name, sli, promLeft, s.SLI, left)
			return nil
		})
	}

	// Alerts: the same rules fire in Prometheus as in the merged view.
	var wantFiring []string
	for _, s := range statuses {
		for _, a := range s.Alerts {
			if a.Firing {
				wantFiring = append(wantFiring, s.Name+" "+a.Rule.Name+" "+a.Rule.Severity.String())
			}
		}
	}
	slices.Sort(wantFiring)
	if len(wantFiring) == 0 {
		t.Fatal("no alert fires in process: the traffic does not exercise the alerting rules")
	}
	ci.Eventually(t, time.Minute, "alerts", func() error {
		samples, err := prom.Query(`ALERTS{alertname="SLOErrorBudgetBurn",alertstate="firing"}`)
		if err != nil {
			return err
		}
		var got []string
		for _, s := range samples {
			got = append(got, s.Labels["nines_slo_name"]+" "+s.Labels["nines_slo_alert"]+" "+s.Labels["severity"])
		}
		slices.Sort(got)
		if !slices.Equal(got, wantFiring) {
			return fmt.Errorf("firing in Prometheus %q, in process %q", got, wantFiring)
		}
		return nil
	})

	// The HTTP server metrics, as otelhttp's dashboards query them: every
	// /work request in the duration histogram, by route and status code.
	ci.Eventually(t, time.Minute, "http.server.request.duration", func() error {
		n, err := prom.Scalar(`sum(http_server_request_duration_seconds_count{http_route="/work"})`)
		if err == nil && n != 200 {
			err = fmt.Errorf("%v /work requests, want 200", n)
		}
		return err
	})
	for _, expr := range []string{
		`sum by (http_route, http_response_status_code) (rate(http_server_request_duration_seconds_count{http_response_status_code="500"}[1m]))`,
		`histogram_quantile(0.99, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket[1m])))`,
		`sum by (http_route) (http_server_active_requests)`,
	} {
		ci.Eventually(t, time.Minute, expr, func() error {
			samples, err := prom.Query(expr)
			if err == nil && len(samples) == 0 {
				err = fmt.Errorf("no data")
			}
			return err
		})
	}

	// The dashboard: every query of every panel returns data, for all
	// objectives as its variable's "All" picks them.
	panels, err := promrules.DashboardPanels(promrules.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range panels {
		for _, q := range p.Queries {
			expr := strings.NewReplacer("$objective", ".*", "$__rate_interval", "1m").Replace(q.Expr)
			ci.Eventually(t, time.Minute, p.Title, func() error {
				samples, err := prom.Query(expr)
				if err == nil && len(samples) == 0 {
					err = fmt.Errorf("%s: no data", expr)
				}
				return err
			})
		}
	}
}

// mergedFleet returns the in-process fleet view of replicas: their
// snapshots merged, restored into a fresh replica's registry.
func mergedFleet(t *testing.T, replicas []string) *demo.Service {
	t.Helper()
	var snaps []io.Reader
	for _, addr := range replicas {
		snaps = append(snaps, bytes.NewReader(ci.Get(t, "http://"+addr+"/debug/nines/snapshot")))
	}
	var merged bytes.Buffer
	if err := slo.MergeSnapshots(&merged, snaps...); err != nil {
		t.Fatal(err)
	}
	fleet, err := demo.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fleet.Registry.Restore(&merged); err != nil {
		t.Fatal(err)
	}
	return fleet
}

// forEachPrometheus runs test, with this program built, against Debian's
// Prometheus 2.x and against Prometheus 3.
func forEachPrometheus(t *testing.T, test func(t *testing.T, server ci.Tool, bin string)) {
	servers := ci.Prometheuses(t)
	bin := ci.Build(t, ".")
	for _, server := range servers {
		t.Run("prometheus-"+server.Version, func(t *testing.T) { test(t, server, bin) })
	}
}

func errorsJoin(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// TestFleetPercentilesThroughPrometheus runs two replicas exporting their
// latency histograms with exponential buckets, has a real Prometheus
// scrape them as native histograms, and checks that histogram_quantile
// over the two gives p50, p95 and p99 within 2% of the exact merge of the
// replicas (their snapshots merged, in process).
func TestFleetPercentilesThroughPrometheus(t *testing.T) {
	forEachPrometheus(t, testFleetPercentilesThroughPrometheus)
}

func testFleetPercentilesThroughPrometheus(t *testing.T, server ci.Tool, bin string) {
	var replicas []string
	for range 2 {
		p := ci.Start(t, bin, "-addr", "127.0.0.1:0", "-latency-buckets", "exponential")
		line := p.FirstLine(t)
		addr, ok := strings.CutPrefix(line, "listening on http://")
		if !ok {
			t.Fatalf("replica printed %q, want its address", line)
		}
		replicas = append(replicas, addr)
	}
	prom := ci.StartPrometheus(t, server, replicas, []byte("groups: []\n"), true)

	// Latencies spread over two decades, differently on each replica: the
	// fleet's percentiles are neither replica's.
	for i, addr := range replicas {
		ci.Requests(t, 150, func(k int) string {
			ms := 1 + k%50 // replica 0: 1–50 ms
			if i == 1 {
				ms = 20 + 2*(k%60) // replica 1: 20–138 ms
			}
			return fmt.Sprintf("http://%s/work?delay=%dms", addr, ms)
		})
	}
	fleet := mergedFleet(t, replicas)
	const name = "demo GET /work latency"
	var exact sli.Percentiles
	for _, o := range fleet.Registry.Objectives() {
		if o.Name() != name {
			continue
		}
		s, err := o.Status()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range s.Latency {
			if p.Window == 5*time.Minute {
				exact = p
			}
		}
	}
	if exact.Count != 300 {
		t.Fatalf("the merged 5-minute window holds %d latencies, want 300", exact.Count)
	}
	sel := fmt.Sprintf(`{nines_slo_name=%q}`, name)
	ci.Eventually(t, time.Minute, "both replicas' histograms scraped", func() error {
		n, err := prom.Scalar(`sum(histogram_count(nines_slo_latency_seconds` + sel + `))`)
		if err == nil && n != 300 {
			err = fmt.Errorf("native histograms hold %v latencies, want 300", n)
		}
		return err
	})
	for _, q := range []struct {
		q    float64
		want time.Duration
	}{{0.5, exact.P50}, {0.95, exact.P95}, {0.99, exact.P99}} {
		got, err := prom.Scalar(fmt.Sprintf(`histogram_quantile(%v, sum(nines_slo_latency_seconds%s))`, q.q, sel))
		if err != nil {
			t.Fatal(err)
		}
		off := math.Abs(got-q.want.Seconds()) / q.want.Seconds()
		t.Logf("p%v: PromQL %.6fs, exact merge %v: %.2f%% off", 100*q.q, got, q.want, 100*off)
		if off > 0.02 {
			t.Errorf("p%v: PromQL says %.6fs, the exact merge %v: %.2f%% off, want within 2%%", 100*q.q, got, q.want, 100*off)
		}
	}
}

// TestExemplarsThroughPrometheus: a replica traced by otelhttp in front of
// nines' middleware exports its failed requests as exemplars, which a real
// Prometheus (exemplar storage on) scrapes from the OpenMetrics format:
// each exemplar on nines_slo_events_valid_total carries the trace of a
// request the replica's status page lists among its failures.
func TestExemplarsThroughPrometheus(t *testing.T) {
	forEachPrometheus(t, testExemplarsThroughPrometheus)
}

func testExemplarsThroughPrometheus(t *testing.T, server ci.Tool, bin string) {
	p := ci.Start(t, bin, "-addr", "127.0.0.1:0")
	addr, ok := strings.CutPrefix(p.FirstLine(t), "listening on http://")
	if !ok {
		t.Fatal("the replica printed no address")
	}
	prom := ci.StartPrometheus(t, server, []string{addr}, []byte("groups: []\n"), false, "exemplar-storage")
	ci.Requests(t, 40, ci.Work("http://"+addr, 4, 7)) // one in four fails

	doc, err := statuspage.Decode(bytes.NewReader(ci.Get(t, "http://"+addr+"/slo?format=json")))
	if err != nil {
		t.Fatal(err)
	}
	const work = "demo GET /work availability"
	traces := map[string]bool{}
	for _, o := range doc.Objectives {
		if o.Name == work {
			for _, e := range o.Exemplars {
				traces[e.TraceID] = true
			}
		}
	}
	if len(traces) == 0 {
		t.Fatalf("the status page lists no failed request with its trace")
	}
	ci.Eventually(t, time.Minute, "exemplars in Prometheus", func() error {
		ex, err := prom.Exemplars(fmt.Sprintf(`nines_slo_events_valid_total{nines_slo_name=%q}`, work))
		if err != nil {
			return err
		}
		if len(ex) == 0 {
			return errors.New("none yet")
		}
		for _, e := range ex {
			if !traces[e.Labels["trace_id"]] || len(e.Labels["span_id"]) != 16 || e.Value != 1 {
				return fmt.Errorf("exemplar %+v is not one of the failed requests the page lists", e)
			}
		}
		return nil
	})
}
