package ninesecho_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/nines-slo/nines/contrib/echo"
	"github.com/nines-slo/nines/internal/adaptertest"
	"github.com/nines-slo/nines/slo/middleware"
)

// BenchmarkOverhead serves a request through an echo server, bare and
// with the adapter.
func BenchmarkOverhead(b *testing.B) {
	server := func(m *middleware.Middleware) http.Handler {
		e := echo.New()
		if m != nil {
			e.Use(ninesecho.Middleware(m))
		}
		e.GET("/users/:id", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
		return e
	}
	m, _ := middleware.New(middleware.Config{})
	adaptertest.BenchmarkOverhead(b, server(nil), server(m), httptest.NewRequest("GET", "/users/7", nil))
}
