package nineschi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/nines-slo/nines/contrib/chi"
	"github.com/nines-slo/nines/internal/adaptertest"
	"github.com/nines-slo/nines/slo/middleware"
)

// BenchmarkOverhead serves a request through a chi router, bare and with
// the adapter.
func BenchmarkOverhead(b *testing.B) {
	router := func(m *middleware.Middleware) http.Handler {
		r := chi.NewRouter()
		if m != nil {
			r.Use(nineschi.Middleware(m))
		}
		r.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) {})
		return r
	}
	m, _ := middleware.New(middleware.Config{})
	adaptertest.BenchmarkOverhead(b, router(nil), router(m), httptest.NewRequest("GET", "/users/7", nil))
}
