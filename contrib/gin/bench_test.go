package ninesgin_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/nines-slo/nines/contrib/gin"
	"github.com/nines-slo/nines/slo/middleware"
)

// discard is a ResponseWriter that keeps nothing.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkOverhead serves a request through a gin engine, bare and
// with the adapter: the adapter's overhead is the difference.
func BenchmarkOverhead(b *testing.B) {
	for _, withNines := range []bool{false, true} {
		e := gin.New()
		name := "bare"
		if withNines {
			m, _ := middleware.New(middleware.Config{})
			e.Use(ninesgin.Middleware(m))
			name = "nines"
		}
		e.GET("/users/:id", func(c *gin.Context) { c.Status(http.StatusOK) })
		req := httptest.NewRequest("GET", "/users/7", nil)
		b.Run(name+"/serial", func(b *testing.B) {
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				e.ServeHTTP(w, req)
			}
		})
		b.Run(name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				w := &discard{h: http.Header{}}
				for pb.Next() {
					e.ServeHTTP(w, req)
				}
			})
		})
	}
}
