package middleware_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

// bareWriter is a ResponseWriter with nothing but the three methods: no
// Flusher, Hijacker or ReaderFrom.
type bareWriter struct {
	h      http.Header
	status int
}

func (b *bareWriter) Header() http.Header {
	if b.h == nil {
		b.h = http.Header{}
	}
	return b.h
}
func (b *bareWriter) Write(p []byte) (int, error) { return len(p), nil }
func (b *bareWriter) WriteHeader(code int)        { b.status = code }

// readerFromWriter is a writer that can flush, hijack and ReadFrom, as
// some routers' are.
type readerFromWriter struct{ hijackable }

func (w *readerFromWriter) Flush()                              {}
func (w *readerFromWriter) ReadFrom(r io.Reader) (int64, error) { return io.Copy(io.Discard, r) }

// serveOnce serves one request through m.Wrap and returns the route's totals.
func serveOnce(t *testing.T, w http.ResponseWriter, r *http.Request, h http.HandlerFunc) sli.Totals {
	t.Helper()
	m, err := middleware.New(middleware.Config{})
	if err != nil {
		t.Fatal(err)
	}
	m.Wrap("r", h).ServeHTTP(w, r)
	return route(t, m, "r").Availability().Totals()
}

func TestWriterEdges(t *testing.T) {
	req := func() *http.Request { return httptest.NewRequest("GET", "/", nil) }
	tests := []struct {
		name string
		w    http.ResponseWriter
		h    http.HandlerFunc
		good bool
	}{
		{"ReadFrom sends the headers", &readerFromWriter{}, func(w http.ResponseWriter, r *http.Request) {
			w.(io.ReaderFrom).ReadFrom(strings.NewReader("body"))
			w.WriteHeader(500)
		}, true},
		{"without a ReaderFrom, a copy of nothing sends nothing", &bareWriter{}, func(w http.ResponseWriter, r *http.Request) {
			if _, ok := w.(io.ReaderFrom); ok {
				panic("a ReaderFrom over a writer without one")
			}
			io.Copy(w, strings.NewReader(""))
			w.WriteHeader(500)
		}, false},
		{"Flush sends the headers", httptest.NewRecorder(), func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush()
			w.WriteHeader(500)
		}, true},
		{"a Flush that cannot flush sends nothing", &bareWriter{}, func(w http.ResponseWriter, r *http.Request) {
			if err := http.NewResponseController(w).Flush(); !errors.Is(err, http.ErrNotSupported) {
				panic(fmt.Sprintf("Flush through ResponseController on a bare writer: %v", err))
			}
			w.WriteHeader(500)
		}, false},
		{"a Hijack that cannot hijack fails cleanly", httptest.NewRecorder(), func(w http.ResponseWriter, r *http.Request) {
			if _, _, err := http.NewResponseController(w).Hijack(); !errors.Is(err, http.ErrNotSupported) {
				panic(fmt.Sprintf("Hijack through ResponseController on a recorder: %v", err))
			}
			w.WriteHeader(503)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tot := serveOnce(t, tt.w, req(), tt.h)
			if good := tot.Good == 1 && tot.Bad == 0; good != tt.good {
				t.Errorf("totals %+v, want good=%v", tot, tt.good)
			}
		})
	}
}

// TestClientGoneAfterTheResponse: a client that leaves once it has its
// response does not make the request not valid.
func TestClientGoneAfterTheResponse(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := httptest.NewRequest("GET", "/", nil).WithContext(ctx)
	tot := serveOnce(t, httptest.NewRecorder(), r, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
		cancel() // the client read the 503 and went
	})
	if tot.Bad != 1 {
		t.Errorf("totals %+v, want the 503 counted bad", tot)
	}
	// Gone before any response: not valid.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	tot = serveOnce(t, httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil).WithContext(ctx), func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
	})
	if tot.Invalid != 1 || tot.Bad != 0 {
		t.Errorf("totals %+v, want the request not valid", tot)
	}
}

// TestClassifyComesFirst: a custom classifier overrides the client-gone and
// NotValid rules.
func TestClassifyComesFirst(t *testing.T) {
	m, _ := middleware.New(middleware.Config{NotValid: []int{429}}, middleware.WithClassifier(func(status int, r *http.Request) sli.Outcome { return sli.Bad }))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h := m.Wrap("r", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(429) }))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil).WithContext(ctx))
	if tot := route(t, m, "r").Availability().Totals(); tot.Bad != 1 {
		t.Errorf("totals %+v, want the classifier's bad", tot)
	}
}

// TestPanicBalancesInFlight: after a panic (http.ErrAbortHandler included)
// nothing stays in flight, and the panic is the handler's own.
func TestPanicBalancesInFlight(t *testing.T) {
	m, _ := middleware.New(middleware.Config{})
	for _, v := range []any{http.ErrAbortHandler, "boom"} {
		h := m.Wrap("r", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(v) }))
		func() {
			defer func() {
				if got := recover(); got != v {
					t.Errorf("recovered %v, want %v", got, v)
				}
			}()
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
		}()
	}
	if n, rn := m.InFlight(), route(t, m, "r").InFlight(); n != 0 || rn != 0 {
		t.Errorf("in flight after panics: %d (route %d), want 0", n, rn)
	}
	// A panicking classifier, too.
	bad, _ := middleware.New(middleware.Config{}, middleware.WithClassifier(func(int, *http.Request) sli.Outcome { panic("classifier") }))
	func() {
		defer func() { recover() }()
		bad.Handler(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}()
	if n := bad.InFlight(); n != 0 {
		t.Errorf("in flight after a panicking classifier: %d, want 0", n)
	}
	// Through Wrap too, and the request is still counted, as bad.
	wrapped := bad.Wrap("w", http.NotFoundHandler())
	func() {
		defer func() { recover() }()
		wrapped.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}()
	rt := route(t, bad, "w")
	if c := rt.Availability().Recorded(); rt.InFlight() != 0 || c.Valid != 1 || c.Good != 0 {
		t.Errorf("after a panicking classifier: %d in flight, %+v recorded; want 0 and one bad request", rt.InFlight(), c)
	}
}

// TestInFlightIgnoresRestoredState restores a snapshot with requests into
// a middleware's registry: restored requests did not start here, so
// nothing is in flight.
func TestInFlightIgnoresRestoredState(t *testing.T) {
	reg1, _ := slo.NewRegistry()
	m1, _ := middleware.New(middleware.Config{Registry: reg1, Availability: 0.99})
	h1 := m1.Wrap("GET /x", http.NotFoundHandler())
	for range 5 {
		h1.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil))
	}
	var snap bytes.Buffer
	if err := reg1.Snapshot(&snap); err != nil {
		t.Fatal(err)
	}
	reg2, _ := slo.NewRegistry()
	m2, _ := middleware.New(middleware.Config{Registry: reg2, Availability: 0.99})
	m2.Wrap("GET /x", http.NotFoundHandler())
	if skipped, err := reg2.Restore(&snap); err != nil || len(skipped) > 0 {
		t.Fatalf("restore: skipped %v, %v", skipped, err)
	}
	if rt := route(t, m2, "GET /x"); rt.InFlight() != 0 || rt.Availability().Totals().Good != 5 {
		t.Errorf("after a restore: %d in flight, totals %+v; want 0 in flight and the 5 restored requests", rt.InFlight(), rt.Availability().Totals())
	}
}

// TestRouteCapConcurrent creates routes from many goroutines at once: never
// more than the cap, never one twice.
func TestRouteCapConcurrent(t *testing.T) {
	m, _ := middleware.New(middleware.Config{MaxRoutes: 10}, middleware.WithRoute(func(r *http.Request) string { return r.URL.Path }))
	h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", fmt.Sprintf("/p%d", (g*7+i)%40), nil))
			}
		}()
	}
	wg.Wait()
	routes := m.Routes()
	names := map[string]bool{}
	var total uint64
	for _, rt := range routes {
		if names[rt.Name()] {
			t.Errorf("route %q twice", rt.Name())
		}
		names[rt.Name()] = true
		total += rt.Availability().Totals().Good
	}
	if len(routes) != 11 || total != 16*50 {
		t.Errorf("%d routes holding %d requests, want 10 plus overflow holding %d", len(routes), total, 16*50)
	}
	if m.Overflowed() != uint64(route(t, m, middleware.OverflowRoute).Availability().Totals().Good) {
		t.Errorf("Overflowed() = %d, overflow route holds %d", m.Overflowed(), route(t, m, middleware.OverflowRoute).Availability().Totals().Good)
	}
}

// TestObjectiveErrors: a route whose objective name is taken still records,
// and Err says why its objective is missing.
func TestObjectiveErrors(t *testing.T) {
	reg := &slo.Registry{}
	taken, _ := sli.NewRatio()
	o, _ := slo.New(slo.Config{Name: "shop r availability", SLI: taken, Target: 0.9})
	reg.Add(o)
	m, err := middleware.New(middleware.Config{Service: "shop", Registry: reg, Availability: 0.99})
	if err != nil {
		t.Fatal(err)
	}
	m.Wrap("r", http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if !errors.Is(m.Err(), slo.ErrDuplicateName) {
		t.Errorf("Err() = %v, want ErrDuplicateName", m.Err())
	}
	if tot := route(t, m, "r").Availability().Totals(); tot.Good != 1 {
		t.Errorf("the route recorded %+v, want its request", tot)
	}
	// A second middleware with the same Service on the same registry
	// clashes on the first route they share.
	m2, err := middleware.New(middleware.Config{Service: "shop", Registry: reg, Availability: 0.99, MaxRoutes: 1})
	if err != nil {
		t.Fatal(err)
	}
	m2.Wrap("r", http.NotFoundHandler())
	if !errors.Is(m2.Err(), slo.ErrDuplicateName) {
		t.Errorf("second middleware's Err() = %v, want ErrDuplicateName", m2.Err())
	}
	// Once the first has overflowed, its overflow objectives are taken:
	// a third clashes at once.
	m2.Wrap("s", http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil)) // past the cap of 1: overflows
	if _, err := reg.Get("shop (other) availability"); err != nil {
		t.Fatalf("after an overflow: %v", err)
	}
	if _, err := middleware.New(middleware.Config{Service: "shop", Registry: reg, Availability: 0.99}); !errors.Is(err, slo.ErrDuplicateName) {
		t.Errorf("third New on one registry: %v, want ErrDuplicateName", err)
	}
}

// TestOverflowObjectivesOnlyOnceOverflowed: the overflow route's objectives
// join the registry with the first request past the cap, not before.
func TestOverflowObjectivesOnlyOnceOverflowed(t *testing.T) {
	reg := &slo.Registry{}
	m, err := middleware.New(middleware.Config{Service: "shop", Registry: reg, Availability: 0.99, Latency: 0.9, MaxRoutes: 1})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		middleware.SetRoute(r, r.URL.Path)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/a", nil))
	var names []string
	for _, o := range reg.Objectives() {
		names = append(names, o.Name())
	}
	if len(names) != 2 || slices.ContainsFunc(names, func(n string) bool { return strings.Contains(n, middleware.OverflowRoute) }) {
		t.Fatalf("before any overflow: objectives %q, want the route's two only", names)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/b", nil)) // past the cap
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/c", nil))
	if n := len(reg.Objectives()); n != 4 || m.Err() != nil {
		t.Errorf("after overflowing: %d objectives, Err %v; want 4, nil", n, m.Err())
	}
	o, err := reg.Get("shop (other) availability")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := o.Status(); err != nil || st.Valid != 2 {
		t.Errorf("overflow objective: %+v, %v; want the 2 overflowed requests", st, err)
	}
}

// TestInFlightThroughHandler: through Handler a request is in flight on the
// middleware until it answers, then on its route.
func TestInFlightThroughHandler(t *testing.T) {
	m, _ := middleware.New(middleware.Config{})
	started, answered, finish := make(chan struct{}), make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-answered
		w.(http.Flusher).Flush()
		<-finish
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Handler(mux).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/stream", nil))
	}()
	<-started
	if m.InFlight() != 1 {
		t.Errorf("before answering: InFlight() = %d, want 1", m.InFlight())
	}
	close(answered)
	// The handler goroutine flushes on its own time: wait for it (no clock
	// is moved; the deadline only bounds a broken run).
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && len(m.Routes()) < 2 {
		runtime.Gosched()
	}
	var rt *middleware.Route
	for time.Now().Before(deadline) {
		for _, r := range m.Routes() {
			if r.Name() == "GET /stream" && r.InFlight() == 1 {
				rt = r
			}
		}
		if rt != nil {
			break
		}
		runtime.Gosched()
	}
	if rt == nil || m.InFlight() != 1 {
		t.Fatalf("after the first bytes: route in flight not 1 (routes %d), middleware %d", len(m.Routes()), m.InFlight())
	}
	close(finish)
	<-done
	if rt.InFlight() != 0 || m.InFlight() != 0 {
		t.Errorf("after the end: route %d, middleware %d in flight, want 0", rt.InFlight(), m.InFlight())
	}
}

// hijackable is a ResponseWriter whose Hijack always succeeds, however
// often it is called, as a custom writer's may.
type hijackable struct{ bareWriter }

func (h *hijackable) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	a, b := net.Pipe()
	b.Close()
	return a, bufio.NewReadWriter(bufio.NewReader(a), bufio.NewWriter(a)), nil
}

// TestSecondHijack: the latency of a hijacked request ends at its first
// hijack, whatever a second one does.
func TestSecondHijack(t *testing.T) {
	clock := ninestest.NewClock(t0)
	m, err := middleware.New(middleware.Config{}, middleware.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	m.Wrap("ws", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for range 2 {
			clock.Advance(20 * time.Millisecond)
			c, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Fatal(err)
			}
			c.Close()
		}
		clock.Advance(time.Hour)
	})).ServeHTTP(&hijackable{}, httptest.NewRequest("GET", "/", nil))
	p, err := route(t, m, "ws").Latency().Percentiles(5 * time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if p.Count != 1 || p.P50 < 19*time.Millisecond || p.P50 > 21*time.Millisecond {
		t.Errorf("latency %+v, want one request of 20ms (to the first hijack)", p)
	}
}

// TestMuxRoutesConcurrent serves 40 ServeMux patterns from many goroutines
// at once through Handler, past a cap of 5 routes: every request lands on
// its own pattern's route or on the overflow route, the first five
// patterns seen keep theirs, and nothing is counted twice.
func TestMuxRoutesConcurrent(t *testing.T) {
	m, _ := middleware.New(middleware.Config{MaxRoutes: 5})
	mux := http.NewServeMux()
	for p := range 40 {
		mux.HandleFunc(fmt.Sprintf("GET /p%d", p), func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Pattern", r.Pattern)
		})
	}
	h := m.Handler(mux)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest("GET", fmt.Sprintf("/p%d", (g*13+i)%40), nil))
				if w.Code != http.StatusOK {
					t.Errorf("status %d", w.Code)
				}
			}
		})
	}
	wg.Wait()
	var total uint64
	for _, rt := range m.Routes() {
		n := rt.Availability().Totals().Good
		total += n
		if rt.Name() == middleware.OverflowRoute {
			if uint64(n) != m.Overflowed() {
				t.Errorf("overflow route holds %d, Overflowed() = %d", n, m.Overflowed())
			}
			continue
		}
		// 8 goroutines × 200 requests over 40 patterns: each pattern got
		// 40 requests, all of them on its route once it had one.
		if n == 0 || n > 40 || !strings.HasPrefix(rt.Name(), "GET /p") {
			t.Errorf("route %q holds %d requests", rt.Name(), n)
		}
	}
	if len(m.Routes()) != 6 || total != 8*200 {
		t.Errorf("%d routes holding %d requests, want 5 plus overflow holding %d", len(m.Routes()), total, 8*200)
	}
}

// TestRouteNamesOwnTheirBytes: a router that hands the middleware route
// names in one reused buffer gets a route per name, each keeping its own.
func TestRouteNamesOwnTheirBytes(t *testing.T) {
	buf := []byte("GET /a")
	m, _ := middleware.New(middleware.Config{})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Pattern = unsafe.String(&buf[0], len(buf)) // as a router reusing memory might
		w.WriteHeader(http.StatusOK)
	}))
	for _, name := range []string{"GET /a", "GET /b", "GET /c", "GET /b"} {
		copy(buf, name)
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}
	got := map[string]uint64{}
	for _, rt := range m.Routes() {
		got[rt.Name()] = rt.Availability().Totals().Good
	}
	if want := map[string]uint64{"GET /a": 1, "GET /b": 2, "GET /c": 1, middleware.OverflowRoute: 0}; !maps.Equal(got, want) {
		t.Errorf("routes %v, want %v", got, want)
	}
}

// TestClockLeavesTheRange: a WithClock that moves outside the years
// 1678–2262 after New cannot create routes; their requests go to the
// overflow route, counted (out of range, in no window), and Err says why.
func TestClockLeavesTheRange(t *testing.T) {
	for _, at := range []time.Time{time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), {}} {
		now := t0
		m, err := middleware.New(middleware.Config{}, middleware.WithClock(func() time.Time { return now }))
		if err != nil {
			t.Fatal(err)
		}
		now = at
		h := m.Wrap("/x", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil))
		routes := m.Routes()
		if len(routes) != 1 || routes[0].Name() != middleware.OverflowRoute {
			t.Fatalf("clock at %v: routes %v, want only the overflow route", at, routes)
		}
		if tot := routes[0].Availability().Totals(); tot.Good != 1 || tot.OutOfRange != 1 {
			t.Errorf("clock at %v: overflow route totals %+v, want one good request out of range", at, tot)
		}
		if err := m.Err(); err == nil || !strings.Contains(err.Error(), `route "/x"`) {
			t.Errorf("clock at %v: Err() = %v, want the route that could not be made", at, err)
		}
	}
}
