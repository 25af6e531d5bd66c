// Package adaptertest holds what the tests of the router and gRPC adapters
// (the contrib modules) share: reading what a Middleware recorded, and the
// overhead benchmark.
package adaptertest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nines-slo/nines/slo/middleware"
)

// Outcomes returns each route's good, bad and not-valid requests, leaving
// out routes that recorded none.
func Outcomes(m *middleware.Middleware) map[string][3]uint64 {
	got := map[string][3]uint64{}
	for _, rt := range m.Routes() {
		if t := rt.Availability().Totals(); t.Good+t.Bad+t.Invalid > 0 {
			got[rt.Name()] = [3]uint64{t.Good, t.Bad, t.Invalid}
		}
	}
	return got
}

// Expect fails t unless m recorded exactly want (good, bad and not-valid
// requests by route), made no route it recorded nothing on, has nothing in
// flight and reports no error.
func Expect(t testing.TB, m *middleware.Middleware, want map[string][3]uint64) {
	t.Helper()
	got := Outcomes(m)
	if len(got) != len(want) {
		t.Errorf("routes %v, want %v", got, want)
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("route %q recorded %v (good, bad, not valid), want %v", name, got[name], w)
		}
	}
	for _, rt := range m.Routes() {
		if _, ok := got[rt.Name()]; !ok && rt.Name() != middleware.OverflowRoute {
			t.Errorf("route %q was made but recorded nothing", rt.Name())
		}
		if n := rt.InFlight(); n != 0 {
			t.Errorf("route %q: InFlight() = %d after the requests", rt.Name(), n)
		}
	}
	if n := m.InFlight(); n != 0 {
		t.Errorf("InFlight() = %d after the requests", n)
	}
	if err := m.Err(); err != nil {
		t.Errorf("Err() = %v", err)
	}
}

// discard is a ResponseWriter that keeps nothing.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkOverhead serves req through bare (a router) and through nines
// (the same router with the adapter), serially and in parallel: the
// adapter's overhead is the difference.
func BenchmarkOverhead(b *testing.B, bare, nines http.Handler, req *http.Request) {
	for _, h := range []struct {
		name string
		h    http.Handler
	}{{"bare", bare}, {"nines", nines}} {
		b.Run(h.name+"/serial", func(b *testing.B) {
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				h.h.ServeHTTP(w, req)
			}
		})
		b.Run(h.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				w := &discard{h: http.Header{}}
				for pb.Next() {
					h.h.ServeHTTP(w, req)
				}
			})
		})
	}
}

// Serve sends each request to h served on a real loopback server, one at a
// time, and fails t on a status other than the one it expects. A request
// is "METHOD PATH STATUS": "GET /users/1 200".
func Serve(t testing.TB, h http.Handler, reqs ...string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, rq := range reqs {
		var method, path string
		var status int
		if _, err := fmt.Sscan(rq, &method, &path, &status); err != nil {
			t.Fatalf("request %q: %v", rq, err)
		}
		req, err := http.NewRequest(method, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != status {
			t.Errorf("%s: status %d", rq, resp.StatusCode)
		}
	}
}

// Copying is the shape of most middlewares: it passes on a copy of the
// request with a context of its own (a request ID, say).
func Copying(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), copyKey{}, "id")))
	})
}

type copyKey struct{}
