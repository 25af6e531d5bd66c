package ninesgorilla_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gorilla/mux"

	"github.com/nines-slo/nines/contrib/gorilla"
	"github.com/nines-slo/nines/slo/middleware"
)

func Example() {
	m, _ := middleware.New(middleware.Config{})
	r := mux.NewRouter()
	r.HandleFunc("/users/{id}", func(w http.ResponseWriter, r *http.Request) {}).Methods("GET")
	r.Use(ninesgorilla.Middleware(m))
	h := m.Handler(r) // so that requests no route matched count too
	for _, path := range []string{"/users/1", "/users/2", "/nowhere"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	for _, rt := range m.Routes() {
		fmt.Println(rt.Name(), rt.Availability().Totals().Good)
	}
	// Output:
	// GET /users/{id} 2
	// (unmatched) 1
	// (other) 0
}
