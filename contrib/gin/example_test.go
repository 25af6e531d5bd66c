package ninesgin_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	"github.com/nines-slo/nines/contrib/gin"
	"github.com/nines-slo/nines/slo/middleware"
)

func Example() {
	m, _ := middleware.New(middleware.Config{})
	r := gin.New()
	r.Use(gin.Recovery(), ninesgin.Middleware(m))
	r.GET("/users/:id", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	for _, path := range []string{"/users/1", "/users/2", "/nowhere"} {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	for _, rt := range m.Routes() {
		fmt.Println(rt.Name(), rt.Availability().Totals().Good)
	}
	// Output:
	// GET /users/:id 2
	// (unmatched) 1
	// (other) 0
}
