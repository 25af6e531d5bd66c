package ninesgin_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/nines-slo/nines/contrib/gin"
	"github.com/nines-slo/nines/internal/adaptertest"
	"github.com/nines-slo/nines/slo/middleware"
)

// BenchmarkOverhead serves a request through a gin engine, bare and with
// the adapter.
func BenchmarkOverhead(b *testing.B) {
	engine := func(m *middleware.Middleware) http.Handler {
		e := gin.New()
		if m != nil {
			e.Use(ninesgin.Middleware(m))
		}
		e.GET("/users/:id", func(c *gin.Context) { c.Status(http.StatusOK) })
		return e
	}
	m, _ := middleware.New(middleware.Config{})
	adaptertest.BenchmarkOverhead(b, engine(nil), engine(m), httptest.NewRequest("GET", "/users/7", nil))
}
