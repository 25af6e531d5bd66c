// Package ninesgin records the requests of a [gin] engine with nines'
// HTTP middleware, each under its method and gin's route path ("GET
// /users/:id"), never its raw path.
//
//	m, _ := middleware.New(middleware.Config{Service: "shop", Registry: reg, Availability: 0.999})
//	r := gin.New()
//	r.Use(gin.Recovery(), ninesgin.Middleware(m))
//	r.GET("/users/:id", getUser)
//
// The middleware records each request as [middleware.Middleware.Handler]
// does (the same classification): the handlers after it write through a
// gin.ResponseWriter that records the status on its way to gin's. Put it
// before the middlewares that write after c.Next (an error renderer, say):
// what they write after it has recorded the request is not seen
// (gin.Recovery's 500 for a panic excepted: the panic is recorded bad). A request
// no route matched (gin's 404 or 405) is [middleware.UnmatchedRoute]; gin
// answers its trailing-slash and fixed-path redirects without running any
// middleware, so they are not recorded. A panic is recorded bad and goes
// on, to gin.Recovery if it comes before.
//
// [gin]: https://gin-gonic.com
package ninesgin

import (
	"bufio"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/nines-slo/nines/slo/middleware"
)

// Middleware returns gin middleware recording every request into m under
// its method and gin route path.
func Middleware(m *middleware.Middleware) gin.HandlerFunc {
	return func(c *gin.Context) {
		m.Serve(c.Writer, c.Request, &call{c: c})
	}
}

// call is one request's way through the middleware to gin's next
// handlers, and the gin.ResponseWriter they write through: gin's, which
// tells the middleware's writer (w) the status as it goes out.
type call struct {
	gin.ResponseWriter // gin's own
	c                  *gin.Context
	w                  http.ResponseWriter
}

func (k *call) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k.ResponseWriter, k.w = k.c.Writer, w
	k.c.Request, k.c.Writer = r, k
	defer func() { k.c.Writer = k.ResponseWriter }()
	if p := k.c.FullPath(); p != "" { // "" when no route matched
		middleware.SetPattern(r, p)
	}
	defer k.send() // gin writes what is not written yet after the handlers
	k.c.Next()
}

// send tells the middleware's writer the status gin sends, as it sends
// it: gin keeps the last status set until the first byte goes out (its
// own 404 and 405 set before the handlers run), so the status is only
// known then. Through the middleware's writer, gin's WriteHeader only
// keeps it, as here.
func (k *call) send() {
	if !k.ResponseWriter.Written() {
		k.w.WriteHeader(k.ResponseWriter.Status())
	}
}

func (k *call) WriteHeaderNow()                   { k.send(); k.ResponseWriter.WriteHeaderNow() }
func (k *call) Write(b []byte) (int, error)       { k.send(); return k.ResponseWriter.Write(b) }
func (k *call) WriteString(s string) (int, error) { k.send(); return k.ResponseWriter.WriteString(s) }
func (k *call) Flush()                            { k.send(); k.ResponseWriter.Flush() }

// Hijack goes through the middleware's writer, whose latency ends there.
func (k *call) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(k.w).Hijack()
}

// Unwrap returns the middleware's writer, for http.ResponseController.
func (k *call) Unwrap() http.ResponseWriter { return k.w }
