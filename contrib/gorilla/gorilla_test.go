package ninesgorilla_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/gorilla/mux"

	"github.com/nines-slo/nines/contrib/gorilla"
	"github.com/nines-slo/nines/internal/adaptertest"
	"github.com/nines-slo/nines/slo/middleware"
)

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
	r.Use(adaptertest.Copying)
	r.Use(ninesgorilla.Middleware(m))
	adaptertest.Serve(t, m.Handler(adaptertest.Copying(r)),
		"GET /users/1 200", "GET /users/2 200", "POST /users/3 500",
		"GET /api/items/9 200", "GET /nowhere 404",
	)
	want := map[string][3]uint64{ // good, bad, not valid
		"GET /users/{id}":         {2, 0, 0},
		"POST /users/{id}":        {0, 1, 0},
		"GET /api/items/{item}":   {1, 0, 0},
		middleware.UnmatchedRoute: {0, 0, 1}, // the router's 404, not valid here
	}
	adaptertest.Expect(t, m, want)
}
