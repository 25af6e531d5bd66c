package middleware_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/slo/middleware"
)

// TestHTTPMetrics serves requests of several methods and statuses over a
// real loopback server and checks what each route counts by method,
// status code and scheme, into the advised buckets.
func TestHTTPMetrics(t *testing.T) {
	clock := ninestest.NewClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	m, err := middleware.New(middleware.Config{HTTPMetrics: true}, middleware.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		clock.Advance(30 * time.Millisecond)
		if r.PathValue("id") == "0" {
			w.WriteHeader(404)
		}
	})
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) { panic(errors.New("boom")) })
	srv := httptest.NewServer(m.Handler(mux))
	defer srv.Close()
	for _, path := range []string{"/users/1", "/users/2", "/users/0", "/panic"} {
		if resp, err := http.Get(srv.URL + path); err == nil {
			resp.Body.Close()
		}
	}
	req, _ := http.NewRequest("BREW", srv.URL+"/users/1", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	got := map[string]middleware.HTTPRequests{}
	for _, rt := range m.Routes() {
		route, method := rt.HTTPRoute()
		for _, r := range rt.HTTPRequests() {
			got[rt.Name()+" "+r.Method+" "+http.StatusText(r.StatusCode)+" "+r.Scheme] = r
			if rt.Name() == "GET /users/{id}" && (route != "/users/{id}" || method != "GET") {
				t.Errorf("HTTPRoute() = %q, %q", route, method)
			}
		}
	}
	ok := got["GET /users/{id} GET OK http"]
	if ok.Count != 2 || ok.Sum != 60*time.Millisecond || !slices.Equal(ok.Buckets, []uint64{0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}) {
		t.Errorf("GET 200: %+v, want 2 in the 50 ms bucket, 60 ms in all", ok)
	}
	if nf := got["GET /users/{id} GET Not Found http"]; nf.Count != 1 {
		t.Errorf("GET 404: %+v", nf)
	}
	if p := got["/panic GET Internal Server Error http"]; p.Count < 1 { // the client may retry a GET the server dropped
		t.Errorf("a panic: %+v; all %v", p, got)
	}
	if o := got[middleware.UnmatchedRoute+" _OTHER Method Not Allowed http"]; o.Count != 1 {
		t.Errorf("an unknown method: %+v; all %v", o, got)
	}
	if len(middleware.HTTPDurationBounds()) != len(ok.Buckets)-1 {
		t.Errorf("%d bounds for %d buckets", len(middleware.HTTPDurationBounds()), len(ok.Buckets))
	}
	plain, _ := middleware.New(middleware.Config{})
	if rs := plain.Route("GET /x").HTTPRequests(); rs != nil {
		t.Errorf("without HTTPMetrics: %v", rs)
	}
}
