package nineschi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/go-chi/chi/v5"

	"github.com/nines-slo/nines/contrib/chi"
	"github.com/nines-slo/nines/slo/middleware"
)

func Example() {
	m, _ := middleware.New(middleware.Config{})
	r := chi.NewRouter()
	r.Use(nineschi.Middleware(m))
	r.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) {})
	for _, path := range []string{"/users/1", "/users/2", "/nowhere"} {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	for _, rt := range m.Routes() {
		fmt.Println(rt.Name(), rt.Availability().Totals().Good)
	}
	// Output:
	// GET /users/{id} 2
	// (unmatched) 1
	// (other) 0
}
