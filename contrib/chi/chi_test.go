package nineschi_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"
	chimw "github.com/go-chi/chi/v5/middleware"

	"github.com/nines-slo/nines/contrib/chi"
	"github.com/nines-slo/nines/internal/adaptertest"
	"github.com/nines-slo/nines/slo/middleware"
)

// TestRoutes serves requests through chi routers on a real loopback server,
// the adapter used the way chi's users add middleware, and checks the route
// and outcome every request is recorded under.
func TestRoutes(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }
	fail := func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }
	build := func(m *middleware.Middleware, outer bool) http.Handler {
		r := chi.NewRouter()
		r.Use(adaptertest.Copying, chimw.Recoverer)
		r.Use(nineschi.Middleware(m))
		r.Get("/panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
		r.Get("/users/{id}", ok)
		r.Post("/users/{id}", fail)
		r.Route("/api", func(r chi.Router) {
			r.With(adaptertest.Copying).Get("/items/{item}", ok)
		})
		if outer {
			return m.Handler(r) // times the middlewares before the adapter too
		}
		return r
	}
	requests := []string{
		"GET /users/1 200", "GET /users/2 200", "POST /users/3 502",
		"GET /api/items/9 200", "GET /nowhere 404", "DELETE /users/1 405", "GET /panic 500",
	}
	want := map[string][3]uint64{ // good, bad, not valid
		"GET /users/{id}":         {2, 0, 0},
		"POST /users/{id}":        {0, 1, 0},
		"GET /api/items/{item}":   {1, 0, 0},
		"GET /panic":              {0, 1, 0}, // recovered by chi's Recoverer, outside
		middleware.UnmatchedRoute: {1, 0, 1}, // chi's 404, and its 405, not valid here
	}
	for _, outer := range []bool{false, true} {
		m, err := middleware.New(middleware.Config{NotValid: []int{http.StatusMethodNotAllowed}})
		if err != nil {
			t.Fatal(err)
		}
		adaptertest.Serve(t, build(m, outer), requests...)
		t.Run(fmt.Sprintf("outer Handler %v", outer), func(t *testing.T) { adaptertest.Expect(t, m, want) })
	}
}
