// Package nineschi names the routes of a [chi] router for nines' HTTP
// middleware: each request is recorded under its method and chi's route
// pattern ("GET /users/{id}"), sub-routers joined, never its raw path.
//
//	m, _ := middleware.New(middleware.Config{Service: "shop", Registry: reg, Availability: 0.999})
//	r := chi.NewRouter()
//	r.Use(nineschi.Middleware(m)) // first, before the routes, as chi requires
//	r.Get("/users/{id}", getUser)
//
// The middleware records each request as [middleware.Middleware.Handler]
// does (one allocation, the same classification), and names its route
// once chi has routed it. A request no route matched (chi's 404 or 405)
// is [middleware.UnmatchedRoute]. Inside another Handler of the same
// Middleware (around the router, to time the middlewares before it too)
// it only names the route: each request is recorded once.
//
// [chi]: https://github.com/go-chi/chi
package nineschi

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/nines-slo/nines/internal/access"
	"github.com/nines-slo/nines/slo/middleware"
)

// Middleware returns chi middleware recording every request into m under
// its method and chi route pattern.
func Middleware(m *middleware.Middleware) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return m.Handler(&namer{next})
	}
}

// namer names the route of each request once chi has routed it: chi's
// route context holds the whole pattern only after the handlers below have
// run (chi resets it when the router returns, so it is read here).
type namer struct{ next http.Handler }

func (n *namer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	access.RouteNamedAtEnd(r) // chi's own pattern, set meanwhile, has no method
	defer func() {            // a panic on its way out names the route too
		if rc := chi.RouteContext(r.Context()); rc != nil {
			if p := rc.RoutePattern(); p != "" {
				middleware.SetPattern(r, p)
			}
		}
	}()
	n.next.ServeHTTP(w, r)
}
