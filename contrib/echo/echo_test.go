package ninesecho_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/nines-slo/nines/contrib/echo"
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
	e.Use(requestID)
	e.Use(ninesecho.Middleware(m))
	e.GET("/users/:id", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.POST("/users/:id", func(c echo.Context) error { return errors.New("boom") }) // echo answers 500
	e.GET("/teapot", func(c echo.Context) error { return echo.NewHTTPError(http.StatusServiceUnavailable) })
	g := e.Group("/api", requestID)
	g.GET("/items/:item", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	srv := httptest.NewServer(e)
	defer srv.Close()
	for _, rq := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/users/1", 200}, {"GET", "/users/2", 200}, {"POST", "/users/3", 500},
		{"GET", "/teapot", 503}, {"GET", "/api/items/9", 204}, {"GET", "/nowhere", 404},
	} {
		req, _ := http.NewRequest(rq.method, srv.URL+rq.path, nil)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != rq.status {
			t.Errorf("%s %s: status %d, want %d", rq.method, rq.path, resp.StatusCode, rq.status)
		}
	}
	want := map[string][3]uint64{ // good, bad, not valid
		"GET /users/:id":          {2, 0, 0},
		"POST /users/:id":         {0, 1, 0},
		"GET /teapot":             {0, 1, 0},
		"GET /api/items/:item":    {1, 0, 0},
		middleware.UnmatchedRoute: {0, 0, 1}, // echo's 404, not valid here
	}
	got := map[string][3]uint64{}
	for _, rt := range m.Routes() {
		if tot := rt.Availability().Totals(); tot.Good+tot.Bad+tot.Invalid > 0 {
			got[rt.Name()] = [3]uint64{tot.Good, tot.Bad, tot.Invalid}
		}
	}
	if len(got) != len(want) {
		t.Errorf("routes %v, want %v", got, want)
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("route %q recorded %v (good, bad, not valid), want %v", name, got[name], w)
		}
	}
	if n := m.InFlight(); n != 0 {
		t.Errorf("InFlight() = %d after the requests", n)
	}
	if err := m.Err(); err != nil {
		t.Errorf("Err() = %v", err)
	}
}
