package ninesgin_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/nines-slo/nines/contrib/gin"
	"github.com/nines-slo/nines/slo/middleware"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// requestID copies the request, as most middlewares do.
func requestID(c *gin.Context) {
	type key struct{}
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), key{}, "id"))
	c.Next()
}

// TestRoutes serves requests through a gin engine on a real loopback server
// and checks the route and outcome every request is recorded under,
// statuses set by aborting and panics recovered by gin.Recovery included.
func TestRoutes(t *testing.T) {
	m, err := middleware.New(middleware.Config{NotValid: []int{http.StatusMethodNotAllowed}})
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(gin.Recovery(), requestID, ninesgin.Middleware(m))
	r.GET("/users/:id", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	r.POST("/users/:id", func(c *gin.Context) { c.AbortWithStatus(http.StatusBadGateway) })
	r.GET("/panic", func(c *gin.Context) { panic("boom") })
	r.GET("/empty", func(c *gin.Context) {})
	api := r.Group("/api", requestID)
	api.GET("/items/:item", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	srv := httptest.NewServer(r)
	defer srv.Close()
	for _, rq := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/users/1", 200}, {"GET", "/users/2", 200}, {"POST", "/users/3", 502},
		{"GET", "/panic", 500}, {"GET", "/empty", 200}, {"GET", "/api/items/9", 204},
		{"GET", "/nowhere", 404}, {"DELETE", "/users/1", 405},
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
		"GET /panic":              {0, 1, 0},
		"GET /empty":              {1, 0, 0},
		"GET /api/items/:item":    {1, 0, 0},
		middleware.UnmatchedRoute: {1, 0, 1}, // gin's 404, and its 405, not valid here
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
