// Package ninesgorilla names the routes of a [gorilla/mux] router for
// nines' HTTP middleware: each request is recorded under its method and the
// matched route's path template ("GET /users/{id}"), never its raw path.
//
//	m, _ := middleware.New(middleware.Config{Service: "shop", Registry: reg, Availability: 0.999})
//	r := mux.NewRouter()
//	r.HandleFunc("/users/{id}", getUser).Methods("GET")
//	r.Use(ninesgorilla.Middleware(m))
//	http.ListenAndServe(addr, m.Handler(r)) // so that unmatched requests count too
//
// gorilla/mux runs its middlewares only for requests a route matched:
// wrapping the router with the same Middleware's Handler records the
// others too, as [middleware.UnmatchedRoute], and each request once (the
// inner middleware then only names the route).
//
// [gorilla/mux]: https://github.com/gorilla/mux
package ninesgorilla

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/nines-slo/nines/slo/middleware"
)

// Middleware returns gorilla/mux middleware recording every matched
// request into m under its method and route template.
func Middleware(m *middleware.Middleware) mux.MiddlewareFunc {
	// gorilla/mux builds the chain of middlewares for every request: one
	// allocation, which serves as the Handler too.
	return func(next http.Handler) http.Handler { return &handler{m, next} }
}

// handler records a request as the Middleware's Handler does, through
// namer.
type handler struct {
	m    *middleware.Middleware
	next http.Handler
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.m.Serve(w, r, (*namer)(h))
}

// namer names the route of each request from the route gorilla/mux
// matched, before the handler runs.
type namer handler

func (n *namer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rt := mux.CurrentRoute(r); rt != nil {
		if tpl, err := rt.GetPathTemplate(); err == nil {
			middleware.SetPattern(r, tpl)
		}
	}
	n.next.ServeHTTP(w, r)
}
