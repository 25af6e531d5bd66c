package nineschi_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/nines-slo/nines/contrib/chi"
	"github.com/nines-slo/nines/slo/middleware"
)

// requestID copies the request, as most middlewares do.
func requestID(next http.Handler) http.Handler {
	type key struct{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), key{}, "id")))
	})
}

// TestRoutes serves requests through chi routers on a real loopback server,
// the adapter used the way chi's users add middleware, and checks the route
// and outcome every request is recorded under.
func TestRoutes(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }
	fail := func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }
	build := func(m *middleware.Middleware, outer bool) http.Handler {
		r := chi.NewRouter()
		r.Use(requestID)
		r.Use(nineschi.Middleware(m))
		r.Get("/users/{id}", ok)
		r.Post("/users/{id}", fail)
		r.Route("/api", func(r chi.Router) {
			r.With(requestID).Get("/items/{item}", ok)
		})
		if outer {
			return m.Handler(r) // times the middlewares before the adapter too
		}
		return r
	}
	requests := []struct{ method, path string }{
		{"GET", "/users/1"}, {"GET", "/users/2"}, {"POST", "/users/3"},
		{"GET", "/api/items/9"}, {"GET", "/nowhere"}, {"DELETE", "/users/1"},
	}
	want := map[string][3]uint64{ // good, bad, not valid
		"GET /users/{id}":         {2, 0, 0},
		"POST /users/{id}":        {0, 1, 0},
		"GET /api/items/{item}":   {1, 0, 0},
		middleware.UnmatchedRoute: {1, 0, 1}, // chi's 404, and its 405, not valid here
	}
	for _, outer := range []bool{false, true} {
		m, err := middleware.New(middleware.Config{NotValid: []int{http.StatusMethodNotAllowed}})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(build(m, outer))
		for _, rq := range requests {
			req, _ := http.NewRequest(rq.method, srv.URL+rq.path, nil)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		srv.Close()
		got := map[string][3]uint64{}
		for _, rt := range m.Routes() {
			if tot := rt.Availability().Totals(); tot.Good+tot.Bad+tot.Invalid > 0 {
				got[rt.Name()] = [3]uint64{tot.Good, tot.Bad, tot.Invalid}
			}
		}
		if len(got) != len(want) {
			t.Errorf("outer Handler %v: routes %v, want %v", outer, got, want)
		}
		for name, w := range want {
			if got[name] != w {
				t.Errorf("outer Handler %v: route %q recorded %v (good, bad, not valid), want %v", outer, name, got[name], w)
			}
		}
		if n := m.InFlight(); n != 0 {
			t.Errorf("outer Handler %v: InFlight() = %d after the requests", outer, n)
		}
		if err := m.Err(); err != nil {
			t.Errorf("outer Handler %v: Err() = %v", outer, err)
		}
	}
}
