package ninesecho_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/nines-slo/nines/contrib/echo"
	"github.com/nines-slo/nines/internal/adaptertest"
	"github.com/nines-slo/nines/slo/middleware"
)

// requestID copies the request, as most middlewares do.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	type key struct{}
	return func(c echo.Context) error {
		c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), key{}, "id")))
		return next(c)
	}
}

// TestRoutes serves requests through an echo server on a real loopback
// server and checks the route and outcome every request is recorded under,
// errors handlers return included.
func TestRoutes(t *testing.T) {
	m, err := middleware.New(middleware.Config{NotValid: []int{http.StatusNotFound}})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.Logger.SetOutput(io.Discard) // Recover's report of the panic
	var seen []string              // the errors a middleware before nines' sees
	e.Use(requestID, echomw.Recover(), func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			if err != nil {
				seen = append(seen, c.Request().Method+" "+c.Path()+": "+err.Error())
			}
			return err
		}
	})
	e.Use(ninesecho.Middleware(m))
	e.GET("/panic", func(c echo.Context) error { panic("boom") })
	e.GET("/users/:id", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.POST("/users/:id", func(c echo.Context) error { return errors.New("boom") }) // echo answers 500
	e.GET("/teapot", func(c echo.Context) error { return echo.NewHTTPError(http.StatusServiceUnavailable) })
	g := e.Group("/api", requestID)
	g.GET("/items/:item", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	adaptertest.Serve(t, e,
		"GET /users/1 200", "GET /users/2 200", "POST /users/3 500",
		"GET /teapot 503", "GET /api/items/9 204", "GET /nowhere 404",
		"DELETE /users/1 405", "FOO /users/1 405", "GET /panic 500",
	)
	want := map[string][3]uint64{ // good, bad, not valid
		"GET /users/:id":          {2, 0, 0},
		"POST /users/:id":         {0, 1, 0},
		"GET /teapot":             {0, 1, 0},
		"GET /api/items/:item":    {1, 0, 0},
		middleware.UnmatchedRoute: {2, 0, 1}, // echo's 405s, and its 404, not valid here
		"GET /panic":              {0, 1, 0}, // recovered by echo's Recover, outside
	}
	adaptertest.Expect(t, m, want)
	// Answered once, by the status recorded, and passed on.
	wantSeen := []string{
		"POST /users/:id: boom",
		"GET /teapot: code=503, message=Service Unavailable",
		"GET : code=404, message=Not Found",
		"DELETE /users/:id: code=405, message=Method Not Allowed",
		"FOO /users/:id: code=405, message=Method Not Allowed",
	}
	if !slices.Equal(seen, wantSeen) {
		t.Errorf("errors seen before nines' middleware:\n%q\nwant\n%q", seen, wantSeen)
	}
}
