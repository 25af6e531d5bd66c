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
// writes (a 404, a 500) is the one recorded; the middleware then returns
// the error, as echo's own logging middlewares do, so that middlewares
// before it see it (echo's error handler does not answer twice: the
// response is committed). A request no route matched (echo's
// 404 or 405) is [middleware.UnmatchedRoute].
//
// [echo]: https://echo.labstack.com
package ninesecho

import (
	"net/http"
	"reflect"

	"github.com/labstack/echo/v4"

	"github.com/nines-slo/nines/slo/middleware"
)

// Middleware returns echo middleware recording every request into m under
// its method and echo route path.
func Middleware(m *middleware.Middleware) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			k := &call{c: c, next: next}
			m.Serve(c.Response().Writer, c.Request(), k)
			return k.err
		}
	}
}

// call is one request's way through the middleware to echo's next handler.
type call struct {
	c    echo.Context
	next echo.HandlerFunc
	err  error // what next returned, handled by echo's error handler already
}

func (k *call) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The request and writer that record it, for the handlers after; the
	// caller's back for those before, once done (echo's Recover writes a
	// panic's 500 after this returns: not through the recording writer).
	req, rw := k.c.Request(), k.c.Response().Writer
	k.c.SetRequest(r)
	k.c.Response().Writer = w
	defer func() {
		k.c.SetRequest(req)
		k.c.Response().Writer = rw
	}()
	// echo has routed the request before its middlewares run (those of
	// Use; Pre's run before routing, and see no route).
	if routed(k.c) {
		middleware.SetPattern(r, k.c.Path())
	}
	if k.err = k.next(k.c); k.err != nil {
		k.c.Error(k.err)
	}
}

// routed reports whether echo's router matched a route: its handler is
// not echo's not-found or method-not-allowed one (whose path is that of
// the nearest route, not the request's).
func routed(c echo.Context) bool {
	h := c.Handler()
	if h == nil || c.Path() == "" {
		return false
	}
	p := reflect.ValueOf(h).Pointer()
	return p != reflect.ValueOf(echo.NotFoundHandler).Pointer() && p != reflect.ValueOf(echo.MethodNotAllowedHandler).Pointer()
}
