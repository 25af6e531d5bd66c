package middleware_test

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nines-slo/nines/internal/adaptertest"
	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

// fetch sends one request to srv and returns its status.
func fetch(t *testing.T, srv *httptest.Server, path string) int {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// names returns each route's requests (good, bad or not valid) by name.
func names(m *middleware.Middleware) map[string]uint64 {
	out := map[string]uint64{}
	for _, rt := range m.Routes() {
		t := rt.Availability().Totals()
		if n := t.Good + t.Bad + t.Invalid; n > 0 {
			out[rt.Name()] = n
		}
	}
	return out
}

// TestRouteInEveryStack serves requests through the stacks services run —
// a ServeMux right inside the middleware, or behind middlewares that copy
// the request, http.StripPrefix and http.TimeoutHandler — on a real
// loopback server, and checks the route every request is recorded under.
func TestRouteInEveryStack(t *testing.T) {
	hello := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") }
	tests := []struct {
		name  string
		build func(m *middleware.Middleware) http.Handler
		path  string
		want  string
	}{
		{"mux right inside", func(m *middleware.Middleware) http.Handler {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /users/{id}", hello)
			return m.Handler(mux)
		}, "/users/7", "GET /users/{id}"},
		{"mux behind a request copy, Handle", func(m *middleware.Middleware) http.Handler {
			mux := http.NewServeMux()
			m.Handle(mux, "GET /users/{id}", http.HandlerFunc(hello))
			return m.Handler(adaptertest.Copying(mux))
		}, "/users/7", "GET /users/{id}"},
		{"mux behind two copies, Wrap", func(m *middleware.Middleware) http.Handler {
			mux := http.NewServeMux()
			mux.Handle("GET /users/{id}", m.Wrap("GET /users/{id}", http.HandlerFunc(hello)))
			return m.Handler(adaptertest.Copying(adaptertest.Copying(mux)))
		}, "/users/7", "GET /users/{id}"},
		{"StripPrefix", func(m *middleware.Middleware) http.Handler {
			mux := http.NewServeMux()
			m.Handle(mux, "GET /users/{id}", http.HandlerFunc(hello))
			return m.Handler(http.StripPrefix("/api", mux))
		}, "/api/users/7", "GET /users/{id}"},
		{"TimeoutHandler", func(m *middleware.Middleware) http.Handler {
			mux := http.NewServeMux()
			m.Handle(mux, "GET /users/{id}", http.HandlerFunc(hello))
			return m.Handler(http.TimeoutHandler(mux, time.Minute, "timeout"))
		}, "/users/7", "GET /users/{id}"},
		{"the same Handler twice", func(m *middleware.Middleware) http.Handler {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /users/{id}", hello)
			return m.Handler(adaptertest.Copying(m.Handler(mux)))
		}, "/users/7", "GET /users/{id}"},
		{"SetRoute", func(m *middleware.Middleware) http.Handler {
			return m.Handler(adaptertest.Copying(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !middleware.SetRoute(r, "GET /named") {
					t.Error("SetRoute inside Handler reported false")
				}
				hello(w, r)
			})))
		}, "/x", "GET /named"},
		{"SetPattern", func(m *middleware.Middleware) http.Handler {
			return m.Handler(adaptertest.Copying(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				middleware.SetPattern(r, "/users/{id}")
				hello(w, r)
			})))
		}, "/users/7", "GET /users/{id}"},
		{"SetRoute after the first byte", func(m *middleware.Middleware) http.Handler {
			mux := http.NewServeMux()
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				hello(w, r) // the first byte: the pattern "/" is the route so far
				middleware.SetRoute(r, "GET /late")
			})
			return m.Handler(mux)
		}, "/x", "GET /late"},
		{"no route", func(m *middleware.Middleware) http.Handler {
			return m.Handler(adaptertest.Copying(http.NotFoundHandler()))
		}, "/x", middleware.UnmatchedRoute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := middleware.New(middleware.Config{})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(tt.build(m))
			defer srv.Close()
			for range 3 {
				fetch(t, srv, tt.path)
			}
			if got := names(m); len(got) != 1 || got[tt.want] != 3 {
				t.Errorf("routes %v, want 3 requests on %q only", got, tt.want)
			}
			if n := m.InFlight(); n != 0 {
				t.Errorf("InFlight() = %d after every request ended", n)
			}
			if err := m.Err(); err != nil {
				t.Errorf("Err() = %v", err)
			}
		})
	}
}

// TestLostRouteWarns: a ServeMux behind a request copy, its handlers
// registered on it directly, cannot name its patterns: the successful
// requests on (unmatched) make Err report ErrUnnamedRoute; a 404 does not.
func TestLostRouteWarns(t *testing.T) {
	m, _ := middleware.New(middleware.Config{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {})
	srv := httptest.NewServer(m.Handler(adaptertest.Copying(mux)))
	defer srv.Close()
	fetch(t, srv, "/nowhere")
	if err := m.Err(); err != nil {
		t.Fatalf("after a 404: Err() = %v, want nil", err)
	}
	fetch(t, srv, "/users/1")
	fetch(t, srv, "/users/2")
	if err := m.Err(); !errors.Is(err, middleware.ErrUnnamedRoute) || !strings.Contains(err.Error(), "2 requests") {
		t.Errorf("Err() = %v, want ErrUnnamedRoute for 2 requests", err)
	}
}

// settle waits until rt has no request in flight (the deadline only bounds
// a broken run).
func settle(rt *middleware.Route) {
	for deadline := time.Now().Add(10 * time.Second); rt.InFlight() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
}

// TestSetRouteOutsideHandler: SetRoute and SetPattern on a request no
// Handler serves report false.
func TestSetRouteOutsideHandler(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	if middleware.SetRoute(r, "x") || middleware.SetPattern(r, "/x") {
		t.Error("SetRoute or SetPattern outside a Handler reported true")
	}
}

// TestHandlerAllocatesOnce: Handler costs one allocation per request, with
// a mux right inside and with a Handle'd pattern behind a request copy (which
// allocates once itself); Wrap costs one.
func TestHandlerAllocatesOnce(t *testing.T) {
	m, _ := middleware.New(middleware.Config{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /a", func(http.ResponseWriter, *http.Request) {})
	m.Handle(mux, "GET /b", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	copying := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r.WithContext(r.Context())) // one allocation of its own
	})
	w := &bareWriter{}
	for _, tt := range []struct {
		name string
		h    http.Handler
		path string
		want float64
	}{
		{"Handler(mux)", m.Handler(mux), "/a", 1},
		{"Handler(copy(mux)) with Handle", m.Handler(copying), "/b", 2},
		{"Wrap", m.Wrap("w", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})), "/", 1},
	} {
		r := httptest.NewRequest("GET", tt.path, nil)
		tt.h.ServeHTTP(w, r) // routes and hints are made once
		if n := testing.AllocsPerRun(100, func() { tt.h.ServeHTTP(w, r) }); n != tt.want {
			t.Errorf("%s: %v allocations per request, want %v", tt.name, n, tt.want)
		}
	}
}

// TestClassificationByCause: the server's own deadline is bad whatever the
// handler wrote; a proxy's http.ErrAbortHandler is not valid when the
// client had gone and bad otherwise; a panicking WithRoute still records
// the request.
func TestClassificationByCause(t *testing.T) {
	waitDeadline := func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // the TimeoutHandler's deadline: 20 ms
		w.WriteHeader(http.StatusOK)
	}
	t.Run("TimeoutHandler outside", func(t *testing.T) {
		m, _ := middleware.New(middleware.Config{})
		srv := httptest.NewServer(http.TimeoutHandler(m.Wrap("r", http.HandlerFunc(waitDeadline)), 20*time.Millisecond, "late"))
		defer srv.Close()
		if got := fetch(t, srv, "/"); got != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503 from the TimeoutHandler", got)
		}
		// The TimeoutHandler answers while the handler's goroutine is still
		// on its way to the end.
		settle(route(t, m, "r"))
		if c := countsOf(t, route(t, m, "r")); c.Bad != 1 || c.Good != 0 {
			t.Errorf("counts %+v, want the request bad", c)
		}
	})
	t.Run("TimeoutHandler inside", func(t *testing.T) {
		m, _ := middleware.New(middleware.Config{})
		mux := http.NewServeMux()
		m.Handle(mux, "GET /slow", http.HandlerFunc(waitDeadline))
		srv := httptest.NewServer(m.Handler(http.TimeoutHandler(mux, 20*time.Millisecond, "late")))
		defer srv.Close()
		if got := fetch(t, srv, "/slow"); got != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503 from the TimeoutHandler", got)
		}
		if c := countsOf(t, route(t, m, "GET /slow")); c.Bad != 1 || c.Good != 0 {
			t.Errorf("counts %+v, want the request bad", c)
		}
	})
	abort := func(t *testing.T, clientGone bool) sli.Totals {
		m, _ := middleware.New(middleware.Config{})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		h := m.Wrap("proxy", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if clientGone {
				cancel()
			}
			panic(http.ErrAbortHandler) // as httputil.ReverseProxy does mid-body
		}))
		func() {
			defer func() {
				if v := recover(); v != http.ErrAbortHandler {
					t.Errorf("panic %v went on as %v", http.ErrAbortHandler, v)
				}
			}()
			h.ServeHTTP(&bareWriter{}, httptest.NewRequest("GET", "/", nil).WithContext(ctx))
		}()
		return route(t, m, "proxy").Availability().Totals()
	}
	t.Run("ErrAbortHandler, client gone", func(t *testing.T) {
		if tot := abort(t, true); tot.Invalid != 1 || tot.Bad != 0 {
			t.Errorf("totals %+v, want the request not valid", tot)
		}
	})
	t.Run("ErrAbortHandler, client there", func(t *testing.T) {
		if tot := abort(t, false); tot.Bad != 1 || tot.Invalid != 0 {
			t.Errorf("totals %+v, want the request bad", tot)
		}
	})
	t.Run("ReverseProxy, client gone mid-body", func(t *testing.T) {
		// A real proxy whose client hangs up while the backend streams.
		sent := make(chan struct{})
		backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(strings.Repeat("x", 1<<10)))
			w.(http.Flusher).Flush()
			close(sent)
			<-r.Context().Done()
		}))
		defer backend.Close()
		u, _ := url.Parse(backend.URL)
		m, _ := middleware.New(middleware.Config{})
		proxy := httputil.NewSingleHostReverseProxy(u)
		proxy.ErrorLog = nil
		srv := httptest.NewServer(m.Wrap("proxy", proxy))
		defer srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		<-sent
		cancel()
		resp.Body.Close()
		rt := route(t, m, "proxy")
		settle(rt)
		if tot := rt.Availability().Totals(); tot.Bad != 0 || tot.Good+tot.Invalid != 1 {
			t.Errorf("totals %+v, want the request good or not valid, never bad", tot)
		}
	})
	t.Run("WithRoute panics", func(t *testing.T) {
		boom := errors.New("boom")
		m, _ := middleware.New(middleware.Config{}, middleware.WithRoute(func(*http.Request) string { panic(boom) }))
		func() {
			defer func() {
				if v := recover(); v != boom {
					t.Errorf("panic %v, want WithRoute's", v)
				}
			}()
			m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(&bareWriter{}, httptest.NewRequest("GET", "/", nil))
		}()
		if got := names(m); got[middleware.UnmatchedRoute] != 1 {
			t.Errorf("routes %v, want the request on %q", got, middleware.UnmatchedRoute)
		}
		if n := m.InFlight(); n != 0 {
			t.Errorf("InFlight() = %d", n)
		}
	})
}

// TestRouteBeginEnd: a route declared with Route exists, objectives and
// all, before its first request; Begin and End count a request of another
// protocol in flight and record it on the Middleware's clock.
func TestRouteBeginEnd(t *testing.T) {
	clock := ninestest.NewClock(t0)
	reg := &slo.Registry{}
	m, _ := middleware.New(middleware.Config{Registry: reg, Availability: 0.99, Latency: 0.9}, middleware.WithClock(clock.Now))
	rt := m.Route("/shop.Cart/Add")
	if n := len(reg.Objectives()); n != 2 {
		t.Fatalf("after Route: %d objectives, want the route's 2", n)
	}
	s := rt.Begin()
	if rt.InFlight() != 1 {
		t.Errorf("InFlight() = %d after Begin, want 1", rt.InFlight())
	}
	clock.Advance(250 * time.Millisecond) // past the 100 ms threshold
	rt.End(s, sli.Good)
	if c := countsOf(t, rt); c.Good != 1 || c.Slow != 1 || rt.InFlight() != 0 {
		t.Errorf("after End: %+v, %d in flight; want 1 good, slow, none in flight", c, rt.InFlight())
	}
}

// TestReviewedEdges: what a review of the request-copying Handler found.
func TestReviewedEdges(t *testing.T) {
	t.Run("the caller's request gets the pattern and the form back", func(t *testing.T) {
		dir := t.TempDir()
		t.Setenv("TMPDIR", dir) // where multipart parts larger than memory go
		m, _ := middleware.New(middleware.Config{})
		mux := http.NewServeMux()
		mux.HandleFunc("POST /upload", func(w http.ResponseWriter, r *http.Request) {
			if err := r.ParseMultipartForm(1 << 10); err != nil {
				t.Error(err)
			}
		})
		var pattern string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m.Handler(mux).ServeHTTP(w, r)
			pattern = r.Pattern // as otelhttp reads it, after the handler
		}))
		defer srv.Close()
		body := &strings.Builder{}
		mw := multipart.NewWriter(body)
		f, _ := mw.CreateFormFile("f", "f.bin")
		f.Write(make([]byte, 1<<20))
		mw.Close()
		resp, err := srv.Client().Post(srv.URL+"/upload", mw.FormDataContentType(), strings.NewReader(body.String()))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if pattern != "POST /upload" {
			t.Errorf("the outer handler saw pattern %q, want POST /upload", pattern)
		}
		// The server removes them once the handler has returned, maybe
		// after the client has its response: wait (bounded) for it.
		left, _ := os.ReadDir(dir)
		for deadline := time.Now().Add(5 * time.Second); len(left) != 0 && time.Now().Before(deadline); left, _ = os.ReadDir(dir) {
			time.Sleep(time.Millisecond)
		}
		if len(left) != 0 {
			t.Errorf("%d temporary files of the upload left behind", len(left))
		}
	})
	t.Run("a client's method makes no route", func(t *testing.T) {
		m, _ := middleware.New(middleware.Config{})
		h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			middleware.SetPattern(r, "/users/{id}")
		}))
		for _, method := range []string{"GET", "FOO", "BAR", "GET"} {
			h.ServeHTTP(&bareWriter{}, httptest.NewRequest(method, "/users/1", nil))
		}
		if got := names(m); len(got) != 2 || got["GET /users/{id}"] != 2 || got["OTHER /users/{id}"] != 2 {
			t.Errorf("routes %v, want GET and OTHER /users/{id}, 2 each", got)
		}
	})
	t.Run("a write after the end moves no counter", func(t *testing.T) {
		m, _ := middleware.New(middleware.Config{})
		var saved http.ResponseWriter
		mux := http.NewServeMux()
		mux.HandleFunc("GET /late", func(w http.ResponseWriter, r *http.Request) { saved = w })
		m.Handler(mux).ServeHTTP(&bareWriter{}, httptest.NewRequest("GET", "/late", nil))
		saved.WriteHeader(http.StatusInternalServerError) // a late goroutine's
		saved.Write([]byte("x"))
		rt := route(t, m, "GET /late")
		if rt.InFlight() != 0 || m.InFlight() != 0 {
			t.Errorf("after a late write: route %d, middleware %d in flight; want 0", rt.InFlight(), m.InFlight())
		}
	})
	t.Run("SetRoute from a TimeoutHandler's goroutine after the end", func(t *testing.T) {
		m, _ := middleware.New(middleware.Config{})
		done := make(chan struct{})
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer close(done)
			middleware.SetRoute(r, "a")
			<-r.Context().Done()
			middleware.SetRoute(r, "b") // after the outer Handler returned
		})
		m.Handler(http.TimeoutHandler(h, 10*time.Millisecond, "")).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
		<-done
		// The route when the Handler ended: a, or b if the goroutine woke
		// first. Under -race: no data race either way.
		if got := names(m); got["a"]+got["b"] != 1 || len(got) != 1 {
			t.Errorf("routes %v, want the request once, on a or b", got)
		}
	})
	t.Run("a panic keeps the route a nested Handler names", func(t *testing.T) {
		m, _ := middleware.New(middleware.Config{})
		mux := http.NewServeMux()
		mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
		func() {
			defer func() { recover() }()
			m.Handler(adaptertest.Copying(m.Handler(mux))).ServeHTTP(&bareWriter{}, httptest.NewRequest("GET", "/boom", nil))
		}()
		if got := names(m); got["GET /boom"] != 1 {
			t.Errorf("routes %v, want the request on GET /boom", got)
		}
	})
	t.Run("a Handler inside Handle records nothing again", func(t *testing.T) {
		m, _ := middleware.New(middleware.Config{})
		sub := http.NewServeMux()
		sub.HandleFunc("GET /api/x", func(http.ResponseWriter, *http.Request) {})
		mux := http.NewServeMux()
		m.Handle(mux, "/api/", m.Handler(sub))
		mux.ServeHTTP(&bareWriter{}, httptest.NewRequest("GET", "/api/x", nil))
		if got := names(m); len(got) != 1 || got["/api/"] != 1 {
			t.Errorf("routes %v, want the request once, on /api/", got)
		}
	})
	t.Run("Wrap of one Middleware inside another's Handler", func(t *testing.T) {
		outer, _ := middleware.New(middleware.Config{})
		inner, _ := middleware.New(middleware.Config{})
		mux := http.NewServeMux()
		mux.Handle("GET /x", outer.Wrap("GET /x", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
		outer.Handler(inner.Handler(mux)).ServeHTTP(&bareWriter{}, httptest.NewRequest("GET", "/x", nil))
		if got := names(outer); len(got) != 1 || got["GET /x"] != 1 {
			t.Errorf("outer's routes %v, want the request once, on GET /x", got)
		}
		if got := names(inner); len(got) != 1 || got["GET /x"] != 1 {
			t.Errorf("inner's routes %v, want the request once, on GET /x", got)
		}
	})
}

// TestDeclaredRoutes: routes declared in Config.Routes exist from New on,
// objectives and all, with their own targets, threshold, owner, alert
// rules and alert handler, and the Config's for what they leave zero.
func TestDeclaredRoutes(t *testing.T) {
	clock := ninestest.NewClock(t0)
	reg := &slo.Registry{}
	var shared, pay ninestest.Events[slo.AlertEvent]
	m, err := middleware.New(middleware.Config{
		Service: "shop", Registry: reg, Availability: 0.99, Latency: 0.9, Threshold: 100 * time.Millisecond,
		AlertHandler: shared.Add,
		Routes: []middleware.RouteConfig{
			{Name: "POST /checkout", Availability: 0.9995, Threshold: 300 * time.Millisecond, Owner: "team-pay", AlertHandler: pay.Add},
			{Name: "GET /health", Alerts: []slo.AlertRule{}},
			{Name: "GET /events", Latency: -1}, // a stream: no latency objective
		},
	}, middleware.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(reg.Objectives()); n != 5 {
		t.Fatalf("after New: %d objectives, want the three routes' 5", n)
	}
	if _, err := reg.Get("shop GET /events latency"); err == nil {
		t.Error("GET /events has a latency objective, declared with none")
	}
	get := func(name string) *slo.Objective {
		o, err := reg.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	if o := get("shop POST /checkout availability"); o.Target() != 0.9995 || o.Metadata().Owner != "team-pay" {
		t.Errorf("checkout availability: target %v, owner %q; want 0.9995, team-pay", o.Target(), o.Metadata().Owner)
	}
	if o := get("shop POST /checkout latency"); o.Target() != 0.9 || len(o.Alerts()) == 0 {
		t.Errorf("checkout latency: target %v, %d alert rules; want the Config's 0.9 and the default rules", o.Target(), len(o.Alerts()))
	}
	if o := get("shop GET /health availability"); o.Target() != 0.99 || len(o.Alerts()) != 0 {
		t.Errorf("health availability: target %v, %d alert rules; want 0.99 and none", o.Target(), len(o.Alerts()))
	}
	// 200 ms is good on checkout (300 ms), slow on health (the Config's 100 ms).
	for _, name := range []string{"POST /checkout", "GET /health"} {
		rt := m.Route(name)
		s := rt.Begin()
		clock.Advance(200 * time.Millisecond)
		rt.End(s, sli.Good)
	}
	if c := countsOf(t, m.Route("POST /checkout")); c.FastGood != 1 {
		t.Errorf("checkout: %+v, want the request within its threshold", c)
	}
	if c := countsOf(t, m.Route("GET /health")); c.Slow != 1 {
		t.Errorf("health: %+v, want the request slow", c)
	}
	// Every checkout request fails: its page fires, to the route's handler.
	for range 1000 {
		rt := m.Route("POST /checkout")
		rt.End(rt.Begin(), sli.Bad)
	}
	clock.Advance(time.Minute)
	if _, err := get("shop POST /checkout availability").Evaluate(); err != nil {
		t.Fatal(err)
	}
	if pay.Len() == 0 || shared.Len() != 0 {
		t.Errorf("alert events: %d to the route's handler, %d to the Config's; want some, 0", pay.Len(), shared.Len())
	}
}

// TestDeclaredRoutesRejected: bad declared routes fail New, naming the
// route.
func TestDeclaredRoutesRejected(t *testing.T) {
	for _, c := range []middleware.Config{
		{Routes: []middleware.RouteConfig{{Name: "a"}, {Name: "a"}}},
		{Routes: []middleware.RouteConfig{{Name: ""}}},
		{Routes: []middleware.RouteConfig{{Name: "a", Availability: 1}}},
		{Routes: []middleware.RouteConfig{{Name: "a", Threshold: -1}}},
		{MaxRoutes: 1, Routes: []middleware.RouteConfig{{Name: "a"}, {Name: "b"}}},
	} {
		if _, err := middleware.New(c); !errors.Is(err, middleware.ErrInvalidConfig) {
			t.Errorf("New(%+v) = %v, want ErrInvalidConfig", c.Routes, err)
		}
	}
}

// interfaces returns which optional interfaces w has, as a string.
func interfaces(w http.ResponseWriter) string {
	var s []string
	if _, ok := w.(http.Flusher); ok {
		s = append(s, "Flusher")
	}
	if _, ok := w.(http.Hijacker); ok {
		s = append(s, "Hijacker")
	}
	if _, ok := w.(http.Pusher); ok {
		s = append(s, "Pusher")
	}
	if _, ok := w.(io.ReaderFrom); ok {
		s = append(s, "ReaderFrom")
	}
	if _, ok := w.(io.StringWriter); ok {
		s = append(s, "StringWriter")
	}
	//lint:ignore SA1019 deprecated, but routers still assert it
	if _, ok := w.(http.CloseNotifier); ok {
		s = append(s, "CloseNotifier")
	}
	return strings.Join(s, " ")
}

// TestWriterShapes: the writer a handler gets has exactly the optional
// interfaces of the server's, over HTTP/1 and HTTP/2 on a real loopback
// server, through Wrap and Handler, and WriteString and Push reach it.
func TestWriterShapes(t *testing.T) {
	for _, h2 := range []bool{false, true} {
		for _, through := range []string{"Wrap", "Handler"} {
			m, _ := middleware.New(middleware.Config{})
			var server, handler string
			var pushErr error
			inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				handler = interfaces(w)
				if p, ok := w.(http.Pusher); ok {
					pushErr = p.Push("/style.css", nil)
				}
				io.WriteString(w, "hello")
			})
			h := m.Wrap("r", inner)
			if through == "Handler" {
				h = m.Handler(inner)
			}
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				server = interfaces(w)
				h.ServeHTTP(w, r)
			}))
			srv.EnableHTTP2 = h2
			srv.StartTLS()
			resp, err := srv.Client().Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			srv.Close()
			if string(body) != "hello" || resp.ProtoMajor != map[bool]int{false: 1, true: 2}[h2] {
				t.Fatalf("HTTP/2 %v: %s %q", h2, resp.Proto, body)
			}
			if handler != server {
				t.Errorf("HTTP/2 %v, %s: the handler's writer has %q, the server's %q", h2, through, handler, server)
			}
			if h2 && pushErr != nil && !errors.Is(pushErr, http.ErrNotSupported) {
				t.Errorf("Push: %v", pushErr) // a client that refuses pushes answers ErrNotSupported
			}
		}
	}
}

// TestDeclaredRoutesAllOrNothing: a New that fails on its third declared
// route leaves the registry as it was, so that a fixed retry succeeds;
// a declared OverflowRoute has its objectives from New on, so that a
// restore after New keeps its history.
func TestDeclaredRoutesAllOrNothing(t *testing.T) {
	reg := &slo.Registry{}
	bad := middleware.Config{Registry: reg, Availability: 0.99, Routes: []middleware.RouteConfig{
		{Name: "GET /a"}, {Name: "GET /b"}, {Name: "GET /c", Alerts: []slo.AlertRule{{Name: "x"}}},
	}}
	if _, err := middleware.New(bad); err == nil {
		t.Fatal("New with a bad alert rule: no error")
	}
	if n := len(reg.Objectives()); n != 0 {
		t.Fatalf("after a failed New: %d objectives in the registry, want 0", n)
	}
	bad.Routes[2].Alerts = nil
	bad.Routes = append(bad.Routes, middleware.RouteConfig{Name: middleware.OverflowRoute})
	bad.MaxRoutes = 3
	m, err := middleware.New(bad)
	if err != nil {
		t.Fatalf("the fixed retry: %v", err)
	}
	if _, err := reg.Get("(other) availability"); err != nil {
		t.Errorf("declared overflow route: %v", err)
	}
	// Overflow, snapshot, and restore into a new Middleware: the overflow
	// route's history comes back.
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		middleware.SetRoute(r, r.URL.Path)
		w.WriteHeader(http.StatusBadGateway)
	}))
	for range 10 {
		h.ServeHTTP(&bareWriter{}, httptest.NewRequest("GET", "/elsewhere", nil))
	}
	var snap strings.Builder
	if err := reg.Snapshot(&snap); err != nil {
		t.Fatal(err)
	}
	reg2 := &slo.Registry{}
	c2 := bad
	c2.Registry = reg2
	m2, err := middleware.New(c2)
	if err != nil {
		t.Fatal(err)
	}
	if skipped, err := reg2.Restore(strings.NewReader(snap.String())); err != nil || len(skipped) != 0 {
		t.Fatalf("Restore: skipped %v, %v", skipped, err)
	}
	if tot := m2.Route(middleware.OverflowRoute).Availability().Totals(); tot.Bad != 10 {
		t.Errorf("restored overflow route: %+v, want its 10 bad requests", tot)
	}
}

// unwrapOnly is a writer that flushes and hijacks only through Unwrap, as
// http.ResponseController allows.
type unwrapOnly struct{ http.ResponseWriter }

func (u unwrapOnly) Unwrap() http.ResponseWriter { return u.ResponseWriter }

// failing is a reader that fails at once.
type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("backend gone") }

// TestWriterControls: flushing and hijacking through http.ResponseController
// go through the middleware's writer even when the shape shows no Flusher
// or Hijacker (the wrapped writer reaches them through Unwrap), so the
// status and the latency are kept; a ReadFrom that sends nothing sets no
// status.
func TestWriterControls(t *testing.T) {
	clock := ninestest.NewClock(t0)
	m, _ := middleware.New(middleware.Config{}, middleware.WithClock(clock.Now))
	handlers := map[string]http.HandlerFunc{
		"flush": func(w http.ResponseWriter, r *http.Request) {
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Error(err)
			}
			w.WriteHeader(http.StatusInternalServerError) // too late: 200 went out
		},
		"hijack": func(w http.ResponseWriter, r *http.Request) {
			clock.Advance(20 * time.Millisecond)
			c, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			clock.Advance(time.Hour) // the session on the connection
			c.Close()
		},
		"readfrom": func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.Copy(w, failing{}); err != nil {
				http.Error(w, "", http.StatusBadGateway)
			}
		},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		m.Wrap(name, handlers[name]).ServeHTTP(unwrapOnly{w}, r)
	}))
	defer srv.Close()
	for _, path := range []string{"/flush", "/hijack", "/readfrom"} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	for deadline := time.Now().Add(5 * time.Second); m.InFlight() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if c := countsOf(t, route(t, m, "flush")); c.Good != 1 {
		t.Errorf("flush: %+v, want good (the flush sent 200)", c)
	}
	if c := countsOf(t, route(t, m, "readfrom")); c.Bad != 1 {
		t.Errorf("readfrom: %+v, want bad (nothing went out before the 502)", c)
	}
	p, err := route(t, m, "hijack").Latency().Percentiles(time.Hour)
	if err != nil || p.P50 > time.Second {
		t.Errorf("hijack: latency %v, %v; want the 20 ms to the hijack", p.P50, err)
	}
}
