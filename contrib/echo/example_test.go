package ninesecho_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v4"

	"github.com/nines-slo/nines/contrib/echo"
	"github.com/nines-slo/nines/slo/middleware"
)

func Example() {
	m, _ := middleware.New(middleware.Config{})
	e := echo.New()
	e.Use(ninesecho.Middleware(m))
	e.GET("/users/:id", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	for _, path := range []string{"/users/1", "/users/2", "/nowhere"} {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	for _, rt := range m.Routes() {
		fmt.Println(rt.Name(), rt.Availability().Totals().Good)
	}
	// Output:
	// GET /users/:id 2
	// (unmatched) 1
	// (other) 0
}
