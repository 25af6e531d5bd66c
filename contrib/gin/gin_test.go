package ninesgin_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/nines-slo/nines/contrib/gin"
	"github.com/nines-slo/nines/internal/adaptertest"
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
	r.GET("/changed", func(c *gin.Context) { c.Status(http.StatusOK); c.String(http.StatusInternalServerError, "no") })
	api := r.Group("/api", requestID)
	api.GET("/items/:item", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	adaptertest.Serve(t, r,
		"GET /users/1 200", "GET /users/2 200", "POST /users/3 502",
		"GET /panic 500", "GET /empty 200", "GET /changed 500", "GET /api/items/9 204",
		"GET /nowhere 404", "DELETE /users/1 405",
	)
	want := map[string][3]uint64{ // good, bad, not valid
		"GET /users/:id":          {2, 0, 0},
		"POST /users/:id":         {0, 1, 0},
		"GET /panic":              {0, 1, 0},
		"GET /empty":              {1, 0, 0},
		"GET /changed":            {0, 1, 0}, // the status sent, not the first set
		"GET /api/items/:item":    {1, 0, 0},
		middleware.UnmatchedRoute: {1, 0, 1}, // gin's 404, and its 405, not valid here
	}
	adaptertest.Expect(t, m, want)
}
