package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	colmetrics "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/grpc"

	"github.com/nines-slo/nines/examples/internal/ci"
	"github.com/nines-slo/nines/internal/demo"
	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

// receiver is an OTLP/gRPC metrics receiver, as a collector runs one: it
// keeps the latest request.
type receiver struct {
	colmetrics.UnimplementedMetricsServiceServer
	mu  sync.Mutex
	all []*colmetrics.ExportMetricsServiceRequest
}

func (r *receiver) Export(_ context.Context, req *colmetrics.ExportMetricsServiceRequest) (*colmetrics.ExportMetricsServiceResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, req)
	return &colmetrics.ExportMetricsServiceResponse{}, nil
}

func (r *receiver) latest() *colmetrics.ExportMetricsServiceRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.all) == 0 {
		return nil
	}
	return r.all[len(r.all)-1]
}

// received returns every request received so far.
func (r *receiver) received() []*colmetrics.ExportMetricsServiceRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.all)
}

// startReceiver serves a receiver on loopback until the test ends.
func startReceiver(t *testing.T) (string, *receiver) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{}
	srv := grpc.NewServer()
	colmetrics.RegisterMetricsServiceServer(srv, r)
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ln) }()
	t.Cleanup(func() { srv.Stop(); <-done })
	return ln.Addr().String(), r
}

// find returns the metric named name in req's nines scope.
func find(req *colmetrics.ExportMetricsServiceRequest, name string) *metricspb.Metric {
	for _, rm := range req.GetResourceMetrics() {
		for _, sm := range rm.GetScopeMetrics() {
			if sm.GetScope().GetName() != "github.com/nines-slo/nines/exporter/producer" {
				continue
			}
			for _, m := range sm.GetMetrics() {
				if m.GetName() == name {
					return m
				}
			}
		}
	}
	return nil
}

// waitGoroutines waits for the goroutine count to drop back to before,
// and fails the test with every stack if it does not.
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines left after Shutdown, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

// TestOTLPExport pushes the demo service's metrics through the OTLP/gRPC
// exporter to a receiver on loopback and checks what arrives against the
// service's own status: monotonic cumulative counters, the latency
// histogram in seconds, the SLI gauge. Shutdown leaves no goroutine.
func TestOTLPExport(t *testing.T) {
	addr, recv := startReceiver(t)
	before := runtime.NumGoroutine()
	svc, err := demo.New()
	if err != nil {
		t.Fatal(err)
	}
	provider, err := newProvider(svc.Registry, exportConfig{service: "demo", prom: prometheus.NewRegistry(), otlp: addr, interval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(svc.Handler)
	ci.Requests(t, 40, ci.Work(ts.URL, 10, 7))
	ts.Close()

	const avail, lat = "demo GET /work availability", "demo GET /work latency"
	value := func(m *metricspb.Metric, objective string) (float64, bool) {
		var points []*metricspb.NumberDataPoint
		if s := m.GetSum(); s != nil {
			points = s.GetDataPoints()
		} else {
			points = m.GetGauge().GetDataPoints()
		}
		for _, p := range points {
			if attr(p.GetAttributes(), "nines.slo.name") == objective {
				return p.GetAsDouble(), true
			}
		}
		return 0, false
	}
	ci.Eventually(t, time.Minute, "all 40 requests received", func() error {
		req := recv.latest()
		if req == nil {
			return fmt.Errorf("nothing received")
		}
		if v, _ := value(find(req, "nines.slo.events.valid"), avail); v != 40 {
			return fmt.Errorf("%s: %v valid events received", avail, v)
		}
		return nil
	})
	req := recv.latest()
	// The resource names the service and this replica, so that a backend
	// keeps replicas apart; another provider is another replica.
	res := req.GetResourceMetrics()[0].GetResource().GetAttributes()
	id := attr(res, "service.instance.id")
	if attr(res, "service.name") != "demo" || len(id) != 32 {
		t.Errorf("resource %v: want service.name demo and a 32-digit service.instance.id", res)
	}
	if other, err := newResource("demo"); err != nil {
		t.Fatal(err)
	} else if v, _ := other.Set().Value("service.instance.id"); v.AsString() == id || v.AsString() == "" {
		t.Errorf("a second replica's service.instance.id is %q, the first's %q", v.AsString(), id)
	}
	if n := len(req.GetResourceMetrics()); n != 1 {
		t.Errorf("%d resources in one export, want 1", n)
	}
	scopes := 0
	for _, sm := range req.GetResourceMetrics()[0].GetScopeMetrics() {
		if sm.GetScope().GetName() == "github.com/nines-slo/nines/exporter/producer" {
			scopes++
		}
	}
	if scopes != 1 {
		t.Errorf("%d entries of the producer's scope in one export, want 1", scopes)
	}
	for _, name := range []string{"nines.slo.events.good", "nines.slo.events.valid"} {
		s := find(req, name).GetSum()
		if !s.GetIsMonotonic() || s.GetAggregationTemporality() != metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE {
			t.Errorf("%s: monotonic %v, temporality %v; want a monotonic cumulative sum", name, s.GetIsMonotonic(), s.GetAggregationTemporality())
		}
	}
	statuses, err := svc.Registry.Status()
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range statuses {
		if st.Name != avail && st.Name != lat {
			continue
		}
		good, _ := value(find(req, "nines.slo.events.good"), st.Name)
		sli, _ := value(find(req, "nines.slo.sli"), st.Name)
		if good != st.Good || sli != st.SLI {
			t.Errorf("%s: received good %v, SLI %v; the service says %v and %v", st.Name, good, sli, st.Good, st.SLI)
		}
	}
	h := find(req, "nines.slo.latency")
	if h.GetUnit() != "s" || len(h.GetHistogram().GetDataPoints()) == 0 {
		t.Fatalf("latency histogram received: %v", h)
	}
	for _, p := range h.GetHistogram().GetDataPoints() {
		if attr(p.GetAttributes(), "nines.slo.name") != lat {
			continue
		}
		var good float64
		for _, st := range statuses {
			if st.Name == lat {
				good = st.Valid
			}
		}
		// 36 good requests feed the latency SLI; 4 failed ones do not.
		if float64(p.GetCount()) != good || good != 36 {
			t.Errorf("latency histogram holds %d values, the latency SLI %v valid events, want 36", p.GetCount(), good)
		}
		if !containsBound(p.GetExplicitBounds(), 0.1) {
			t.Errorf("bounds %v lack the 100 ms threshold", p.GetExplicitBounds())
		}
	}

	if err := provider.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitGoroutines(t, before)
}

// TestOTLPBackendDown records through the service while its OTLP receiver
// is down: every request is served and counted, and shutting down (after a
// failing flush) leaves no goroutine behind.
func TestOTLPBackendDown(t *testing.T) {
	before := runtime.NumGoroutine()
	svc, err := demo.New()
	if err != nil {
		t.Fatal(err)
	}
	down := ci.FreeAddr(t) // nothing listens there
	provider, err := newProvider(svc.Registry, exportConfig{service: "demo", prom: prometheus.NewRegistry(), otlp: down, interval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(svc.Handler)
	done := make(chan struct{})
	go func() { defer close(done); ci.Requests(t, 200, ci.Work(ts.URL, 10, 7)) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("requests blocked while the OTLP receiver is down")
	}
	ts.Close()
	o, err := svc.Registry.Get("demo GET /work availability")
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := o.Status(); s.Valid != 200 {
		t.Errorf("%v requests counted with the receiver down, want 200", s.Valid)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := provider.Shutdown(ctx); err == nil {
		t.Log("shutdown's final push to a receiver that is down returned no error")
	}
	waitGoroutines(t, before)
}

func attr(kvs []*commonpb.KeyValue, key string) string {
	for _, kv := range kvs {
		if kv.GetKey() == key {
			return kv.GetValue().GetStringValue()
		}
	}
	return ""
}

func containsBound(bounds []float64, b float64) bool {
	for _, x := range bounds {
		if x == b {
			return true
		}
	}
	return false
}

// TestOTLPDelta pushes deltas: every counter and the latency histogram
// arrive with delta temporality, each push's points starting where the
// one before ended, and the deltas add up to the requests served, across
// two rounds of traffic.
func TestOTLPDelta(t *testing.T) {
	addr, recv := startReceiver(t)
	svc, err := demo.New()
	if err != nil {
		t.Fatal(err)
	}
	provider, err := newProvider(svc.Registry, exportConfig{service: "demo", otlp: addr, interval: 30 * time.Millisecond, delta: true})
	if err != nil {
		t.Fatal(err)
	}
	defer provider.Shutdown(context.Background())
	const avail, lat = "demo GET /work availability", "demo GET /work latency"
	// sums adds up what every push so far carried for the objective, and
	// checks that the pushes follow one another without gap or overlap.
	sums := func() (valid float64, histCount uint64, err error) {
		var end uint64
		for _, req := range recv.received() {
			if m := find(req, "nines.slo.events.valid"); m != nil {
				if tp := m.GetSum().GetAggregationTemporality(); tp != metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA {
					return 0, 0, fmt.Errorf("valid events pushed as %v", tp)
				}
				for _, p := range m.GetSum().GetDataPoints() {
					if attr(p.GetAttributes(), "nines.slo.name") != avail {
						continue
					}
					if end != 0 && p.GetStartTimeUnixNano() != end {
						return 0, 0, fmt.Errorf("a push starts at %d, the one before ended at %d", p.GetStartTimeUnixNano(), end)
					}
					end = p.GetTimeUnixNano()
					valid += p.GetAsDouble()
				}
			}
			if m := find(req, "nines.slo.latency"); m != nil {
				if tp := m.GetHistogram().GetAggregationTemporality(); tp != metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA {
					return 0, 0, fmt.Errorf("latency pushed as %v", tp)
				}
				for _, p := range m.GetHistogram().GetDataPoints() {
					if attr(p.GetAttributes(), "nines.slo.name") == lat {
						histCount += p.GetCount()
					}
				}
			}
		}
		return valid, histCount, nil
	}
	ts := httptest.NewServer(svc.Handler)
	defer ts.Close()
	for _, round := range []struct {
		requests  int
		valid     float64
		histCount uint64
	}{{40, 40, 36}, {20, 60, 54}} { // every tenth request fails and feeds no latency
		ci.Requests(t, round.requests, ci.Work(ts.URL, 10, 7))
		ci.Eventually(t, time.Minute, fmt.Sprintf("deltas adding up to %v requests", round.valid), func() error {
			valid, n, err := sums()
			if err != nil {
				t.Fatal(err)
			}
			if valid != round.valid || n != round.histCount {
				return fmt.Errorf("deltas add up to %v valid events and %d latencies", valid, n)
			}
			return nil
		})
	}
}

// TestHostileRouteExports: a route named from a raw path that holds
// invalid UTF-8 and control characters (a WithRoute that returns
// r.URL.Path) still exports, with every other objective: the Prometheus
// scrape answers 200 and the OTLP receiver gets the push.
func TestHostileRouteExports(t *testing.T) {
	addr, recv := startReceiver(t)
	reg, _ := slo.NewRegistry()
	m, err := middleware.New(middleware.Config{Registry: reg, Service: "edge", Availability: 0.99, Latency: 0.9},
		middleware.WithRoute(func(r *http.Request) string { return r.URL.Path }))
	if err != nil {
		t.Fatal(err)
	}
	promReg := prometheus.NewRegistry()
	provider, err := newProvider(reg, exportConfig{service: "edge", prom: promReg, otlp: addr, interval: 30 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer provider.Shutdown(context.Background())
	app := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	defer app.Close()
	for _, path := range []string{"/ok", "/a%ff%00b%c2%85", "/%e6%9d"} {
		resp, err := http.Get(app.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	metrics := httptest.NewServer(promhttp.HandlerFor(promReg, promhttp.HandlerOpts{}))
	defer metrics.Close()
	resp, err := http.Get(metrics.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `nines_slo_name="edge /a\\xff\\x00b\\u0085 availability"`) ||
		!strings.Contains(string(body), `nines_slo_name="edge /ok availability"`) {
		t.Fatalf("scrape: %d\n%s", resp.StatusCode, body)
	}
	ci.Eventually(t, time.Minute, "a push holding every route", func() error {
		req := recv.latest()
		if req == nil {
			return fmt.Errorf("nothing received")
		}
		names := map[string]bool{}
		for _, p := range find(req, "nines.slo.events.valid").GetSum().GetDataPoints() {
			names[attr(p.GetAttributes(), "nines.slo.name")] = true
		}
		for _, want := range []string{`edge /ok availability`, `edge /a\xff\x00b\u0085 availability`, `edge /\xe6\x9d availability`} {
			if !names[want] {
				return fmt.Errorf("received %v, want %q", names, want)
			}
		}
		return nil
	})
}
