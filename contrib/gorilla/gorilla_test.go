package ninesgorilla_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorilla/mux"

	"github.com/nines-slo/nines/contrib/gorilla"
	"github.com/nines-slo/nines/slo/middleware"
)

// requestID copies the request, as most middlewares do.
func requestID(next http.Handler) http.Handler {
	type key struct{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), key{}, "id")))
	})
}

// TestRoutes serves requests through a gorilla/mux router on a real
// loopback server, the adapter added with Use and the router wrapped in
// the same Middleware's Handler, and checks the route and outcome every
// request is recorded under.
func TestRoutes(t *testing.T) {
	m, err := middleware.New(middleware.Config{NotValid: []int{http.StatusNotFound}})
	if err != nil {
		t.Fatal(err)
	}
	r := mux.NewRouter()
	r.HandleFunc("/users/{id}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }).Methods("GET")
	r.HandleFunc("/users/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }).Methods("POST")
	api := r.PathPrefix("/api").Subrouter()
	api.HandleFunc("/items/{item}", func(w http.ResponseWriter, r *http.Request) {})
	r.Use(requestID)
	r.Use(ninesgorilla.Middleware(m))
	srv := httptest.NewServer(m.Handler(requestID(r)))
	defer srv.Close()
	for _, rq := range []struct{ method, path string }{
		{"GET", "/users/1"}, {"GET", "/users/2"}, {"POST", "/users/3"},
		{"GET", "/api/items/9"}, {"GET", "/nowhere"},
	} {
		req, _ := http.NewRequest(rq.method, srv.URL+rq.path, nil)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	want := map[string][3]uint64{ // good, bad, not valid
		"GET /users/{id}":         {2, 0, 0},
		"POST /users/{id}":        {0, 1, 0},
		"GET /api/items/{item}":   {1, 0, 0},
		middleware.UnmatchedRoute: {0, 0, 1}, // the router's 404, not valid here
	}
	got := map[string][3]uint64{}
	for _, rt := range m.Routes() {
		if tot := rt.Availability().Totals(); tot.Good+tot.Bad+tot.Invalid > 0 {
			got[rt.Name()] = [3]uint64{tot.Good, tot.Bad, tot.Invalid}
		}
	}
	if len(got) != len(want) {
		t.Errorf("routes %v, want %v", got, want)
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("route %q recorded %v (good, bad, not valid), want %v", name, got[name], w)
		}
	}
	if n := m.InFlight(); n != 0 {
		t.Errorf("InFlight() = %d after the requests", n)
	}
	if err := m.Err(); err != nil {
		t.Errorf("Err() = %v", err)
	}
}
