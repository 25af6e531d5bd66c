package middleware_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo/middleware"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// counts are what one route recorded.
type counts struct {
	Good, Bad, Invalid uint64 // availability
	FastGood, Slow     float64
	FailedLatencies    uint64
}

func countsOf(t *testing.T, rt *middleware.Route) counts {
	t.Helper()
	tot := rt.Availability().Totals()
	lc, err := rt.Latency().Counts(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	f, err := rt.Failed().Snapshot(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return counts{Good: tot.Good, Bad: tot.Bad, Invalid: tot.Invalid, FastGood: lc.Good, Slow: lc.Bad(), FailedLatencies: f.Count()}
}

func route(t *testing.T, m *middleware.Middleware, name string) *middleware.Route {
	t.Helper()
	for _, rt := range m.Routes() {
		if rt.Name() == name {
			return rt
		}
	}
	t.Fatalf("no route %q", name)
	return nil
}

// TestClassification runs each classification rule through a real server
// on loopback.
func TestClassification(t *testing.T) {
	tests := []struct {
		name    string
		cfg     middleware.Config
		handler http.HandlerFunc
		request func(url string) error
		want    counts
		opt     middleware.Option
	}{
		{"200 is good", middleware.Config{}, status(200, 0), get, counts{Good: 1, FastGood: 1}, nil},
		{"204 is good", middleware.Config{}, status(204, 0), get, counts{Good: 1, FastGood: 1}, nil},
		{"302 is good", middleware.Config{}, status(302, 0), get, counts{Good: 1, FastGood: 1}, nil},
		{"404 is good", middleware.Config{}, status(404, 0), get, counts{Good: 1, FastGood: 1}, nil},
		{"429 is good by default", middleware.Config{}, status(429, 0), get, counts{Good: 1, FastGood: 1}, nil},
		{"400 declared not valid", middleware.Config{NotValid: []int{400, 429}}, status(400, 0), get, counts{Invalid: 1}, nil},
		{"429 declared not valid", middleware.Config{NotValid: []int{400, 429}}, status(429, 0), get, counts{Invalid: 1}, nil},
		{"500 is bad", middleware.Config{}, status(500, 0), get, counts{Bad: 1, FailedLatencies: 1}, nil},
		{"503 is bad", middleware.Config{}, status(503, 0), get, counts{Bad: 1, FailedLatencies: 1}, nil},
		{"slow 200 is good but slow", middleware.Config{}, status(200, 150*time.Millisecond), get, counts{Good: 1, Slow: 1}, nil},
		{"at the threshold is fast", middleware.Config{}, status(200, 100*time.Millisecond), get, counts{Good: 1, FastGood: 1}, nil},
		{"custom threshold", middleware.Config{Threshold: time.Second}, status(200, 150*time.Millisecond), get, counts{Good: 1, FastGood: 1}, nil},
		{"nothing written is 200", middleware.Config{}, func(http.ResponseWriter, *http.Request) {}, get, counts{Good: 1, FastGood: 1}, nil},
		{"custom classifier", middleware.Config{}, status(500, 0), func(url string) error {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("X-Synthetic", "probe")
			return do(req)
		}, counts{Invalid: 1}, middleware.WithClassifier(func(status int, r *http.Request) sli.Outcome {
			if r.Header.Get("X-Synthetic") != "" {
				return sli.Invalid
			}
			return sli.ClassifyStatus(status)
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := ninestest.NewClock(t0)
			m, err := middleware.New(tt.cfg, middleware.WithClock(clock.Now), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			mux := http.NewServeMux()
			mux.Handle("GET /thing", withClock(clock, tt.handler))
			srv := httptest.NewServer(m.Handler(mux))
			defer srv.Close()
			if err := tt.request(srv.URL + "/thing"); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, countsOf(t, route(t, m, "GET /thing"))); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
		})
	}
}

// clockKey carries the fake clock to handlers, which advance it to take
// time without sleeping.
type clockKey struct{}

func withClock(clock *ninestest.Clock, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r.WithContext(context.WithValue(r.Context(), clockKey{}, clock)))
	})
}

// status returns a handler that takes d and answers code.
func status(code int, d time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Context().Value(clockKey{}).(*ninestest.Clock).Advance(d)
		w.WriteHeader(code)
	}
}

func get(url string) error {
	req, _ := http.NewRequest("GET", url, nil)
	return do(req)
}

func do(req *http.Request) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// TestClientGoneIsNotValid: the client cancels before the handler answers.
func TestClientGoneIsNotValid(t *testing.T) {
	m, err := middleware.New(middleware.Config{})
	if err != nil {
		t.Fatal(err)
	}
	started, done := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done() // the client went away
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	srv := httptest.NewServer(finished(m.Handler(mux), done))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/slow", nil)
	go func() { <-started; cancel() }()
	if err := do(req); err == nil {
		t.Fatal("request succeeded, want it canceled")
	}
	<-done
	if diff := cmp.Diff(counts{Invalid: 1}, countsOf(t, route(t, m, "GET /slow"))); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

// finished signals done after h returns.
func finished(h http.Handler, done chan struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		h.ServeHTTP(w, r)
	})
}

// TestPanic: a panicking handler is a bad request, and the panic reaches
// the server unchanged.
func TestPanic(t *testing.T) {
	m, err := middleware.New(middleware.Config{})
	if err != nil {
		t.Fatal(err)
	}
	type boom struct{ msg string }
	var recovered any
	done := make(chan struct{})
	inner := m.Wrap("panics", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(boom{"kaput"}) }))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		defer func() { recovered = recover(); w.WriteHeader(http.StatusInternalServerError) }()
		inner.ServeHTTP(w, r)
	}))
	defer srv.Close()
	if err := get(srv.URL); err != nil {
		t.Fatal(err)
	}
	<-done
	if recovered != (boom{"kaput"}) {
		t.Errorf("recovered %#v, want the handler's own panic value", recovered)
	}
	if got := countsOf(t, route(t, m, "panics")); got.Bad != 1 || got.FailedLatencies != 1 {
		t.Errorf("counts %+v, want one bad request", got)
	}
}

// TestStatusCapture checks which status is final.
func TestStatusCapture(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    counts
	}{
		{"first WriteHeader wins", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(503)
			w.WriteHeader(200)
		}, counts{Bad: 1, FailedLatencies: 1}},
		{"103 Early Hints is not final", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(500)
		}, counts{Bad: 1, FailedLatencies: 1}},
		{"Write means 200", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("hello"))
			w.WriteHeader(500) // superfluous: too late
		}, counts{Good: 1, FastGood: 1}},
		{"ReadFrom means 200", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(w, strings.NewReader("copied"))
		}, counts{Good: 1, FastGood: 1}},
		{"ResponseController reaches the connection", func(w http.ResponseWriter, r *http.Request) {
			rc := http.NewResponseController(w)
			if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
				w.WriteHeader(500)
				return
			}
			w.WriteHeader(201)
		}, counts{Good: 1, FastGood: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := middleware.New(middleware.Config{})
			done := make(chan struct{})
			srv := httptest.NewServer(finished(m.Wrap("r", tt.handler), done))
			defer srv.Close()
			if err := get(srv.URL); err != nil {
				t.Fatal(err)
			}
			<-done
			if diff := cmp.Diff(tt.want, countsOf(t, route(t, m, "r"))); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
		})
	}
}

// TestServerSentEvents streams events with Flush: the client reads each as
// it is sent, and the stream counts as one good request.
func TestServerSentEvents(t *testing.T) {
	m, _ := middleware.New(middleware.Config{Threshold: time.Hour})
	next := make(chan string)
	done := make(chan struct{})
	srv := httptest.NewServer(finished(m.Wrap("events", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := w.(http.Flusher)
		if !ok {
			http.Error(w, "no flusher", 500)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		f.Flush() // the headers, so that the client's request returns
		for e := range next {
			io.WriteString(w, "data: "+e+"\n\n")
			f.Flush()
		}
	})), done))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rd := bufio.NewReader(resp.Body)
	for _, e := range []string{"one", "two", "three"} {
		next <- e
		line, err := rd.ReadString('\n')
		if err != nil || line != "data: "+e+"\n" {
			t.Fatalf("read %q, %v; want event %q delivered before the stream ends", line, err, e)
		}
		rd.ReadString('\n')
	}
	rt := route(t, m, "events")
	if n := rt.InFlight(); n != 1 {
		t.Errorf("while streaming, %d in flight, want 1", n)
	}
	close(next)
	<-done
	if diff := cmp.Diff(counts{Good: 1, FastGood: 1}, countsOf(t, rt)); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if n := rt.InFlight(); n != 0 {
		t.Errorf("after the stream, %d in flight, want 0", n)
	}
}

// TestHijack takes over the connection after 101 Switching Protocols.
func TestHijack(t *testing.T) {
	clock := ninestest.NewClock(t0)
	m, _ := middleware.New(middleware.Config{}, middleware.WithClock(clock.Now))
	done := make(chan struct{})
	srv := httptest.NewServer(finished(m.Wrap("upgrade", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		clock.Advance(20 * time.Millisecond) // to the upgrade: the latency
		conn, buf, err := w.(http.Hijacker).Hijack()
		clock.Advance(time.Hour) // the session: not latency
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
		buf.Flush()
		line, _ := buf.ReadString('\n')
		buf.WriteString("echo " + line)
		buf.Flush()
	})), done))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "echo")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("status %d, want 101", resp.StatusCode)
	}
	rw, ok := resp.Body.(io.ReadWriteCloser)
	if !ok {
		t.Fatal("101 response body is not writable")
	}
	io.WriteString(rw, "hello\n")
	got, _ := bufio.NewReader(rw).ReadString('\n')
	rw.Close()
	if got != "echo hello\n" {
		t.Errorf("over the hijacked connection: %q", got)
	}
	<-done
	// A hijacked connection that wrote no status through the
	// ResponseWriter counts as answered: good, and fast — its latency is the
	// time to the hijack, not the session.
	if diff := cmp.Diff(counts{Good: 1, FastGood: 1}, countsOf(t, route(t, m, "upgrade"))); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

// TestSwitchingProtocolsIsFinal: 101 is the final status, unlike other 1xx.
func TestSwitchingProtocolsIsFinal(t *testing.T) {
	var seen []int
	m, _ := middleware.New(middleware.Config{}, middleware.WithClassifier(func(status int, r *http.Request) sli.Outcome {
		seen = append(seen, status)
		return sli.ClassifyStatus(status)
	}))
	for _, h := range []http.HandlerFunc{
		func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(101); w.WriteHeader(500) },
		func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(102); w.WriteHeader(503) },
	} {
		m.Wrap("r", h).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}
	if diff := cmp.Diff([]int{101, 503}, seen); diff != "" {
		t.Errorf("final statuses (-want +got):\n%s", diff)
	}
}
