package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nines-slo/nines/slo/middleware"
)

// BenchmarkMiddleware serves a trivial 200 handler on an httptest recorder,
// bare and wrapped; the difference is the middleware's overhead: time
// twice, route lookup, status capture, availability and latency recorded.
func BenchmarkMiddleware(b *testing.B) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	m, err := middleware.New(middleware.Config{})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /users/{id}", ok)
	handlers := []struct {
		name string
		h    http.Handler
	}{
		{"bare", ok},
		{"wrapped", m.Wrap("GET /users/{id}", ok)},
		{"mux/bare", mux},
		{"mux/wrapped", m.Handler(mux)},
	}
	for _, hh := range handlers {
		req := httptest.NewRequest("GET", "/users/42", nil)
		b.Run(hh.name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				hh.h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
		b.Run(hh.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req := httptest.NewRequest("GET", "/users/42", nil)
				for pb.Next() {
					hh.h.ServeHTTP(httptest.NewRecorder(), req)
				}
			})
		})
	}
}
