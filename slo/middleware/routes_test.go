package middleware_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

// TestCardinalityAttack sends 10,000 distinct random paths through a
// router whose route function (wrongly) returns the raw path: the routes
// stop at the cap, the rest go to the overflow route and are counted, and
// memory stops growing.
func TestCardinalityAttack(t *testing.T) {
	m, err := middleware.New(middleware.Config{}, middleware.WithRoute(func(r *http.Request) string { return r.URL.Path }))
	if err != nil {
		t.Fatal(err)
	}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) }))
	srv := httptest.NewServer(h)
	defer srv.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	var heapAtCap uint64
	var ms runtime.MemStats
	const requests = 10000
	for i := range requests {
		if err := get(fmt.Sprintf("%s/%x/%x", srv.URL, rng.Uint64(), i)); err != nil {
			t.Fatal(err)
		}
		if i == middleware.DefaultMaxRoutes+100 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			heapAtCap = ms.HeapAlloc
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	routes := m.Routes()
	if len(routes) != middleware.DefaultMaxRoutes+1 {
		t.Errorf("%d routes after %d distinct paths, want the cap %d plus the overflow route", len(routes), requests, middleware.DefaultMaxRoutes)
	}
	if got, want := m.Overflowed(), uint64(requests-middleware.DefaultMaxRoutes); got != want {
		t.Errorf("Overflowed() = %d, want %d", got, want)
	}
	overflow := routes[len(routes)-1]
	if overflow.Name() != middleware.OverflowRoute || overflow.Availability().Totals().Good != requests-middleware.DefaultMaxRoutes {
		t.Errorf("overflow route %q counted %d requests", overflow.Name(), overflow.Availability().Totals().Good)
	}
	growth := int64(ms.HeapAlloc) - int64(heapAtCap)
	t.Logf("heap at the cap %d KiB; after %d more requests %+d KiB", heapAtCap>>10, requests-middleware.DefaultMaxRoutes-100, growth>>10)
	if growth > 4<<20 {
		t.Errorf("heap grew %d bytes after the cap was reached", growth)
	}
}

// TestObjectivesPerRoute: with a registry and targets, every route gets an
// availability and a latency objective, named after the service and route.
func TestObjectivesPerRoute(t *testing.T) {
	clock := ninestest.NewClock(t0)
	reg := &slo.Registry{}
	m, err := middleware.New(middleware.Config{Service: "shop", Registry: reg, Availability: 0.999, Latency: 0.9}, middleware.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	m.Handle(mux, "GET /users/{id}", withClock(clock, status(200, 0)))
	m.Handle(mux, "GET /orders/users/{id}", withClock(clock, status(500, 0)))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for i := range 10 {
		get(fmt.Sprintf("%s/users/%d", srv.URL, i))
		get(fmt.Sprintf("%s/orders/users/%d", srv.URL, i))
	}
	st, err := reg.Status()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]float64{}
	for _, s := range st {
		got[s.Name] = [2]float64{s.Good, s.Valid}
	}
	want := map[string][2]float64{
		"shop GET /users/{id} availability":        {10, 10},
		"shop GET /users/{id} latency":             {10, 10},
		"shop GET /orders/users/{id} availability": {0, 10},
		"shop GET /orders/users/{id} latency":      {0, 0},
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: good/valid %v, want %v", name, got[name], w)
		}
	}
	if m.Err() != nil {
		t.Errorf("Err() = %v", m.Err())
	}
}

// TestGoldenSignals checks the four signals of one route.
func TestGoldenSignals(t *testing.T) {
	clock := ninestest.NewClock(t0)
	m, _ := middleware.New(middleware.Config{}, middleware.WithClock(clock.Now))
	mux := http.NewServeMux()
	m.Handle(mux, "GET /api", withClock(clock, func(w http.ResponseWriter, r *http.Request) {
		d := 10 * time.Millisecond
		if r.URL.Query().Get("fail") != "" {
			d = time.Second
			w.WriteHeader(503)
		}
		r.Context().Value(clockKey{}).(*ninestest.Clock).Advance(d)
	}))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for i := range 100 {
		q := ""
		if i%10 == 0 {
			q = "?fail=1"
		}
		get(srv.URL + "/api" + q)
	}
	s, err := route(t, m, "GET /api").Signals(5 * time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if s.Traffic != 100.0/300 || s.Errors != 0.1 || s.InFlight != 0 {
		t.Errorf("traffic %v/s, errors %v, in flight %d; want 1/3, 0.1, 0", s.Traffic, s.Errors, s.InFlight)
	}
	near := func(got, want time.Duration) bool { return (got - want).Abs() <= want/10 }
	if s.Latency.Count != 90 || !near(s.Latency.P99, 10*time.Millisecond) {
		t.Errorf("successful latency %+v, want 90 requests at 10ms", s.Latency)
	}
	if s.FailedLatency.Count != 10 || !near(s.FailedLatency.P50, time.Second) {
		t.Errorf("failed latency %+v, want 10 requests at 1s", s.FailedLatency)
	}
}

func TestNewRejects(t *testing.T) {
	for _, c := range []middleware.Config{
		{Availability: 1}, {Availability: -0.5}, {Latency: 99}, {Threshold: -time.Second}, {MaxRoutes: -1}, {NotValid: []int{99}},
		{Service: "shop\n"}, {Routes: []middleware.RouteConfig{{Name: "GET /\xff"}}},
	} {
		if _, err := middleware.New(c); !errors.Is(err, middleware.ErrInvalidConfig) {
			t.Errorf("New(%+v) error = %v, want ErrInvalidConfig", c, err)
		}
	}
}

// TestLatencyOnTheRealClock measures handlers that busy-wait 3 ms on the
// default clock (the runtime's monotonic clock): the latencies
// recorded must be the handlers' own, to the histogram's precision.
func TestLatencyOnTheRealClock(t *testing.T) {
	m, err := middleware.New(middleware.Config{})
	if err != nil {
		t.Fatal(err)
	}
	const wait = 3 * time.Millisecond
	var longest time.Duration // the longest a handler measured itself
	h := m.Wrap("GET /busy", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		for time.Since(start) < wait {
		}
		longest = max(longest, time.Since(start))
	}))
	for range 20 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/busy", nil))
	}
	p, err := route(t, m, "GET /busy").Latency().Percentiles(5 * time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	// Below: a bucket's width (0.8%). Above: the handler's own longest
	// measure, plus what the middleware adds around it.
	if p.Count != 20 || p.P50 < wait*99/100 || p.P99 > longest+longest/100+time.Millisecond {
		t.Errorf("latency %+v; want 20 requests between %v and %v", p, wait, longest)
	}
}

// TestCalendarMonthThroughTheMiddleware serves 50 failing requests in the
// last 30 minutes of January in Kolkata (UTC+5:30) and good ones in
// February: February's objectives, read through the middleware's routes
// days later, count February's requests only.
func TestCalendarMonthThroughTheMiddleware(t *testing.T) {
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	feb := time.Date(2026, 2, 1, 0, 0, 0, 0, kolkata)
	clock := ninestest.NewClock(feb.Add(-30 * time.Minute))
	reg := &slo.Registry{}
	m, err := middleware.New(middleware.Config{Registry: reg, Availability: 0.999, Latency: 0.9,
		Window: slo.Calendar(slo.Month, kolkata)}, middleware.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	fail := true
	mux := http.NewServeMux()
	m.Handle(mux, "GET /pay", withClock(clock, func(w http.ResponseWriter, r *http.Request) {
		if fail {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for range 50 {
		if err := get(srv.URL + "/pay"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(35 * time.Second)
	}
	fail = false
	clock.Set(feb)
	good := 0
	for ; clock.Now().Before(feb.Add(3 * 24 * time.Hour)); clock.Advance(10 * time.Minute) {
		if err := get(srv.URL + "/pay"); err != nil {
			t.Fatal(err)
		}
		good++
	}
	st, err := reg.Status()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Name != "GET /pay availability" {
			continue
		}
		left, _ := s.Remaining()
		if !s.Start.Equal(feb) || s.Good != float64(good) || s.Valid != float64(good) || left != 1 {
			t.Errorf("February: from %v, %v good of %v, %v of the budget left; want from %v, %d of %d, all",
				s.Start, s.Good, s.Valid, left, feb, good, good)
		}
		return
	}
	t.Fatal("no availability objective for GET /pay")
}

// TestRouteNamesExportable: a route name with invalid UTF-8 or control
// characters (a raw path from WithRoute, over a real server) is escaped,
// so that its objectives' names export; the same path finds the same
// route, and so does its escaped spelling.
func TestRouteNamesExportable(t *testing.T) {
	reg, _ := slo.NewRegistry()
	m, err := middleware.New(middleware.Config{Registry: reg, Availability: 0.99, Latency: 0.9},
		middleware.WithRoute(func(r *http.Request) string { return r.URL.Path }))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) })))
	defer srv.Close()
	for range 3 {
		if err := get(srv.URL + "/a%ff%00b%c2%85"); err != nil { // "/a\xff\x00b\u0085"
			t.Fatal(err)
		}
	}
	const want = `/a\xff\x00b\u0085`
	var found *middleware.Route
	for _, rt := range m.Routes() {
		if rt.Name() == want {
			found = rt
		}
		if !utf8.ValidString(rt.Name()) || strings.ContainsAny(rt.Name(), "\x00\u0085") {
			t.Errorf("route %q is not exportable", rt.Name())
		}
	}
	if found == nil {
		t.Fatalf("routes %v: want %q", m.Routes(), want)
	}
	if tot := found.Availability().Totals(); tot.Good+tot.Bad+tot.Invalid != 3 {
		t.Fatalf("route %q counted %+v, want 3 requests", want, tot)
	}
	if m.Route("/a\xff\x00b\u0085") != found || m.Route(want) != found {
		t.Error("the path and its escaped name find another route")
	}
	for _, o := range reg.Objectives() {
		if !utf8.ValidString(o.Name()) || strings.ContainsAny(o.Name(), "\x00\u0085") {
			t.Errorf("objective %q is not exportable", o.Name())
		}
	}
}
