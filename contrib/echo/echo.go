// Package ninesecho records the requests of an [echo] server with nines'
// HTTP middleware, each under its method and echo's route path ("GET
// /users/:id"), never its raw path.
//
//	m, _ := middleware.New(middleware.Config{Service: "shop", Registry: reg, Availability: 0.999})
//	e := echo.New()
//	e.Use(ninesecho.Middleware(m))
//	e.GET("/users/:id", getUser)
//
// The middleware records each request as [middleware.Middleware.Handler]
// does (the same classification), echo's context given the request and
// writer that record it. An error a handler returns goes to echo's error
// handler there and then, inside the middleware, so that the response it
// writes (a 404, a 500) is the one recorded; the middleware returns nil. A
// request no route matched is [middleware.UnmatchedRoute].
//
// [echo]: https://echo.labstack.com
package ninesecho

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/nines-slo/nines/slo/middleware"
)

// Middleware returns echo middleware recording every request into m under
// its method and echo route path.
func Middleware(m *middleware.Middleware) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			m.Serve(c.Response().Writer, c.Request(), &call{c: c, next: next})
			return nil
		}
	}
}

// call is one request's way through the middleware to echo's next handler.
type call struct {
	c    echo.Context
	next echo.HandlerFunc
}

func (k *call) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k.c.SetRequest(r)
	k.c.Response().Writer = w
	// echo has routed the request before its middlewares run (those of
	// Use; Pre's run before routing, and see no route).
	if p := k.c.Path(); p != "" { // "" when no route matched
		middleware.SetPattern(r, p)
	}
	if err := k.next(k.c); err != nil {
		k.c.Error(err)
	}
}
