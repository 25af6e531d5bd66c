package ninesgorilla_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorilla/mux"

	"github.com/nines-slo/nines/contrib/gorilla"
	"github.com/nines-slo/nines/internal/adaptertest"
	"github.com/nines-slo/nines/slo/middleware"
)

// BenchmarkOverhead serves a request through a gorilla/mux router, bare
// and with the adapter.
func BenchmarkOverhead(b *testing.B) {
	router := func(m *middleware.Middleware) http.Handler {
		r := mux.NewRouter()
		r.HandleFunc("/users/{id}", func(w http.ResponseWriter, r *http.Request) {}).Methods("GET")
		if m != nil {
			r.Use(ninesgorilla.Middleware(m))
		}
		return r
	}
	m, _ := middleware.New(middleware.Config{})
	adaptertest.BenchmarkOverhead(b, router(nil), router(m), httptest.NewRequest("GET", "/users/7", nil))
}
