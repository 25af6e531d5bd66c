package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/nines-slo/nines/histogram"
	"github.com/nines-slo/nines/internal/access"
	"github.com/nines-slo/nines/internal/mono"
	"github.com/nines-slo/nines/internal/printable"
	"github.com/nines-slo/nines/internal/shard"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// Defaults.
const (
	// DefaultMaxRoutes caps the routes a Middleware keeps.
	DefaultMaxRoutes = 100
	// DefaultThreshold is the latency within which a request is good.
	DefaultThreshold = 100 * time.Millisecond
	// OverflowRoute names the route that collects requests beyond the cap,
	// and those of a route that could not be made (see [Middleware.Err]).
	OverflowRoute = "(other)"
	// UnmatchedRoute names the route of requests no pattern matched (a
	// ServeMux 404, say).
	UnmatchedRoute = "(unmatched)"
)

// ErrInvalidConfig reports a Config field out of range; errors wrap it and
// name the field.
var ErrInvalidConfig = errors.New("middleware: invalid config")

// ErrUnnamedRoute reports, through [Middleware.Err], requests that were
// answered as if routed (a 2xx status) but whose route nothing named.
var ErrUnnamedRoute = errors.New("middleware: requests without a route")

// Config configures a Middleware. The zero Config records availability and
// latency (100 ms) SLIs per ServeMux pattern, for up to 100 routes, with no
// objectives.
type Config struct {
	// Service prefixes the names of the objectives: "api GET /users/{id}
	// availability". Middlewares sharing a Registry need distinct Services.
	Service string
	// Registry receives an availability and a latency objective per route,
	// for the targets below that are set. Nil: SLIs only.
	Registry *slo.Registry
	// Availability is each route's availability target, in (0, 1); zero
	// for none.
	Availability float64
	// Latency is each route's latency target — the share of valid requests
	// answered within Threshold — in (0, 1); zero for none.
	Latency float64
	// Threshold is the latency within which a request is good; default
	// 100 ms.
	Threshold time.Duration
	// Window is the objectives' window; zero is 30 days rolling.
	Window slo.Window
	// MaxRoutes caps the number of routes; requests for more go to the
	// route [OverflowRoute] and are counted. Default 100.
	MaxRoutes int
	// NotValid lists status codes that are not valid events — a client's
	// 400 or 429, say — left out of every SLI.
	NotValid []int
	// Histogram configures each route's latency histogram; zero fields
	// keep the defaults, except Windows, which default to 5m and 1h here
	// (a route's memory: see the package documentation).
	Histogram histogram.Config
	// Alerts are the objectives' burn-rate alert rules; nil means
	// [slo.DefaultAlerts], an empty slice none.
	Alerts []slo.AlertRule
	// HTTPMetrics records each route's requests by method, status code and
	// scheme, into the buckets OpenTelemetry's HTTP semantic conventions
	// advise ([Route.HTTPRequests]), for the exporter to report as
	// http.server.request.duration: what dashboards built for otelhttp
	// read. It costs three atomic adds a request more.
	HTTPMetrics bool
	// AlertHandler receives the objectives' alert events
	// ([slo.WithAlertHandler]); nil, none. slo logs alert state changes
	// either way.
	AlertHandler func(slo.AlertEvent)
	// Routes declares routes before their first request, each with its
	// objectives in the registry from New on, and settings of its own;
	// their zero fields take the ones above. They count toward MaxRoutes,
	// but for OverflowRoute, which may be declared too: its objectives are
	// then in the registry from New on, so that a Restore after New keeps
	// its history (an undeclared route's objectives appear with its first
	// request, after a Restore at startup: declare the routes whose history
	// must survive a restart). New adds every declared route's objectives
	// or none.
	Routes []RouteConfig
}

// RouteConfig declares one route and what of the [Config] it sets apart.
type RouteConfig struct {
	// Name is the route: a ServeMux pattern ("GET /users/{id}"), a router
	// adapter's method and pattern, a gRPC method's full name.
	Name string
	// Availability and Latency are the route's targets, in (0, 1); zero
	// takes the Config's, and a negative value means none for this route
	// (a stream's latency objective, say, which would time whole streams).
	Availability, Latency float64
	// Threshold is the latency within which a request is good; zero takes
	// the Config's.
	Threshold time.Duration
	// Owner is the team the route's objectives page or ticket
	// ([slo.Metadata]); Description, if set, describes them in its place.
	Owner, Description string
	// Alerts are the route's alert rules; nil takes the Config's.
	Alerts []slo.AlertRule
	// AlertHandler receives the route's alert events; nil takes the
	// Config's.
	AlertHandler func(slo.AlertEvent)
}

// routeConfig is a RouteConfig with the Config's defaults filled in.
func (c Config) routeConfig(rc RouteConfig) RouteConfig {
	switch {
	case rc.Availability == 0:
		rc.Availability = c.Availability
	case rc.Availability < 0:
		rc.Availability = 0 // none
	}
	switch {
	case rc.Latency == 0:
		rc.Latency = c.Latency
	case rc.Latency < 0:
		rc.Latency = 0
	}
	if rc.Threshold == 0 {
		rc.Threshold = c.Threshold
	}
	if rc.Alerts == nil {
		rc.Alerts = c.Alerts
	}
	if rc.AlertHandler == nil {
		rc.AlertHandler = c.AlertHandler
	}
	return rc
}

// validTarget reports whether t is a target or zero (none, or the default).
func validTarget(t float64) bool { return t == 0 || t > 0 && t < 1 }

// Option configures a [Middleware]: the behaviour a [Config] cannot hold
// as data.
type Option interface{ apply(*options) }

type options struct {
	route    func(*http.Request) string
	classify func(status int, r *http.Request) sli.Outcome
	clock    func() time.Time
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithRoute names each request's route, for routers that have no adapter
// (see the package documentation) and put what names the route in the
// request it is given: route is called with the request Handler passed on,
// at the response's first byte (headers included) or, if nothing was
// written, when the handler returns. It comes after the names handlers
// inside give ([SetRoute]) and a ServeMux pattern. Nil keeps the default:
// the ServeMux pattern that matched, [UnmatchedRoute] when none did; never
// the raw URL path, whose values a client controls.
func WithRoute(route func(*http.Request) string) Option {
	return optionFunc(func(o *options) { o.route = route })
}

// WithClassifier classifies every request that did not panic; classify
// sees the final status (200 if the handler wrote nothing) and the
// request. It replaces the default rules, the client-gone and
// [Config.NotValid] ones included. Nil keeps the default rules.
func WithClassifier(classify func(status int, r *http.Request) sli.Outcome) Option {
	return optionFunc(func(o *options) { o.classify = classify })
}

// WithClock replaces time.Now for measuring latency and for the SLIs and
// objectives, for tests ([github.com/nines-slo/nines/ninestest.Clock]).
// Nil is the wall clock.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(o *options) { o.clock = now })
}

// Middleware records, for every request, its outcome and latency into SLIs
// and objectives per route, and the four golden signals. It is safe for
// concurrent use. Build one with New.
//
// # What a request counts as
//
// By cause, the first rule that applies; [WithClassifier] replaces the
// rules after the panics:
//
//	the handler panicked with http.ErrAbortHandler    not valid if the client
//	  (as httputil.ReverseProxy does)                 had gone, else bad
//	the handler panicked otherwise                    bad (a 5xx)
//	the client went away: the request's context was   not valid
//	  canceled before the status was set (or before
//	  the handler returned, if it wrote nothing)
//	the server's own deadline passed: the request's   bad
//	  context had its deadline exceeded when the
//	  status was set or when the handler returned
//	  (http.TimeoutHandler answered 503 in its place)
//	the status is in Config.NotValid                  not valid
//	5xx                                               bad
//	1xx to 4xx                                        good
//
// as docs/concepts.md measures availability at the load balancer. An
// http.TimeoutHandler inside the middleware sets its deadline on the copy
// of the request it passes on, out of the middleware's sight: its 503 is
// classified by the status (bad, unless NotValid lists 503); put it
// outside to have its deadline count as the server's. A handler that
// writes nothing answers 200. A panic goes on unchanged once
// the request is recorded; a panic in [WithRoute] or [WithClassifier] too,
// the request recorded bad (under [UnmatchedRoute] if its route was not
// known).
//
// For latency, a good request is valid and counted good when it took at
// most Threshold; a bad or not-valid request is not valid for the latency
// SLI, and a bad one's latency goes to the route's failure histogram, so
// that the latency of successful and failed requests is kept apart.
//
// # What latency means
//
// Latency runs from the middleware receiving the request to the handler
// returning. For a streamed response (server-sent events, say) that is the
// whole stream, not the time to the first byte. For a hijacked connection
// (a WebSocket, say) it is the time to the hijack, and the request counts
// as good unless the handler wrote a failing status before hijacking: what
// happens on the connection afterwards is not HTTP any more. The request
// stays in flight until the handler returns.
type Middleware struct {
	cfg      Config
	opt      options
	notValid [600]bool
	now      func() time.Time
	routes   sync.Map // string → *Route
	mu       sync.Mutex
	count    int
	order    []*Route
	overflow *Route
	// The overflow route's objectives, added to the registry when the
	// first request overflows.
	overflowObjs []*slo.Objective
	overflowOnce sync.Once
	pending      *Route // stands in for the route of a request until it is known
	overflows    atomic.Uint64
	unnamed      atomic.Uint64          // requests answered 2xx with no route named
	routeCfgs    map[string]RouteConfig // Config.Routes, defaults filled in; read only
	inFlight     *shard.Counter         // requests whose route is not known yet
	regErr       atomic.Value           // first error adding objectives
	hints        [64]atomic.Pointer[routeHint]
}

// New returns a middleware for c. It fails with [ErrInvalidConfig] for a
// target outside (0, 1), a negative threshold or route cap, a status in
// NotValid outside 100–599, or a bad declared route (see [RouteConfig]:
// an empty or repeated name, a target or threshold out of range, more
// routes than MaxRoutes); with [slo.ErrDuplicateName] when an objective it
// would add is in the registry already; with the slo package's errors for
// a bad Window or alert rule; and with the errors of the sli and histogram
// packages for a bad Histogram. A New that fails adds nothing to the
// registry.
func New(c Config, opts ...Option) (*Middleware, error) {
	if c.Threshold == 0 {
		c.Threshold = DefaultThreshold
	}
	if c.MaxRoutes == 0 {
		c.MaxRoutes = DefaultMaxRoutes
	}
	if len(c.Histogram.Windows) == 0 {
		c.Histogram.Windows = []time.Duration{5 * time.Minute, time.Hour}
	}
	switch {
	case c.Threshold < 0:
		return nil, fmt.Errorf("%w: Threshold %v", ErrInvalidConfig, c.Threshold)
	case c.MaxRoutes < 0:
		return nil, fmt.Errorf("%w: MaxRoutes %d", ErrInvalidConfig, c.MaxRoutes)
	case !validTarget(c.Availability):
		return nil, fmt.Errorf("%w: Availability %v not in (0, 1)", ErrInvalidConfig, c.Availability)
	case !validTarget(c.Latency):
		return nil, fmt.Errorf("%w: Latency %v not in (0, 1)", ErrInvalidConfig, c.Latency)
	case !printable.Valid(c.Service):
		return nil, fmt.Errorf("%w: Service %q holds invalid UTF-8 or a control character", ErrInvalidConfig, c.Service)
	}
	ndeclared := 0
	for _, rc := range c.Routes {
		if rc.Name != OverflowRoute {
			ndeclared++
		}
	}
	if ndeclared > c.MaxRoutes {
		return nil, fmt.Errorf("%w: %d Routes, more than MaxRoutes %d", ErrInvalidConfig, ndeclared, c.MaxRoutes)
	}
	routeCfgs := make(map[string]RouteConfig, len(c.Routes))
	for i, rc := range c.Routes {
		switch _, dup := routeCfgs[rc.Name]; {
		case rc.Name == "" || dup:
			return nil, fmt.Errorf("%w: Routes[%d].Name %q empty or repeated", ErrInvalidConfig, i, rc.Name)
		case !printable.Valid(rc.Name):
			return nil, fmt.Errorf("%w: Routes[%d].Name %q holds invalid UTF-8 or a control character", ErrInvalidConfig, i, rc.Name)
		case !validTarget(max(rc.Availability, 0)) || !validTarget(max(rc.Latency, 0)):
			return nil, fmt.Errorf("%w: Routes[%d] (%q) targets %v, %v not in (0, 1), zero or negative", ErrInvalidConfig, i, rc.Name, rc.Availability, rc.Latency)
		case rc.Threshold < 0:
			return nil, fmt.Errorf("%w: Routes[%d] (%q) Threshold %v", ErrInvalidConfig, i, rc.Name, rc.Threshold)
		}
		routeCfgs[rc.Name] = c.routeConfig(rc)
	}
	m := &Middleware{cfg: c, inFlight: shard.NewCounter(), routeCfgs: routeCfgs}
	for _, o := range opts {
		if o != nil {
			o.apply(&m.opt)
		}
	}
	m.now = m.opt.clock
	m.pending = &Route{m: m}
	if m.now == nil {
		m.now = time.Now
	}
	for _, code := range c.NotValid {
		if code < 100 || code > 599 {
			return nil, fmt.Errorf("%w: NotValid status %d", ErrInvalidConfig, code)
		}
		m.notValid[code] = true
	}
	// Build one route now: a bad Histogram fails here, not on a request.
	o, err := m.newRoute(OverflowRoute)
	if err != nil {
		return nil, err
	}
	// Its objectives too, and check that the registry can take them (a
	// bad Window, another Middleware's Service fail here), but add them
	// only once a request has overflowed: until then they would be empty
	// rows in every status, rule file and release gate.
	if m.overflowObjs, err = m.objectives(o); err != nil {
		return nil, err
	}
	for _, obj := range m.overflowObjs {
		if _, err := c.Registry.Get(obj.Name()); err == nil {
			return nil, fmt.Errorf("middleware: %w: %q (Middlewares sharing a Registry need distinct Services)", slo.ErrDuplicateName, obj.Name())
		}
	}
	m.overflow = o
	m.routes.Store(OverflowRoute, o) // reserved: a route of that name is this one
	// The declared routes, objectives and all, or none of them: every
	// objective is built and its name checked before any is added, so
	// that a New that fails leaves the registry as it was. Declaring
	// OverflowRoute adds its objectives now, so that a restore after New
	// finds them.
	var declared []*Route
	var objs []*slo.Objective
	seen := map[string]bool{}
	for _, rc := range c.Routes {
		if rc.Name == OverflowRoute {
			objs = append(objs, m.overflowObjs...)
			continue
		}
		rt, err := m.newRoute(rc.Name)
		if err != nil {
			return nil, err
		}
		declared = append(declared, rt)
		ro, err := m.objectives(rt)
		if err != nil {
			return nil, err
		}
		objs = append(objs, ro...)
	}
	for _, obj := range objs {
		if _, err := c.Registry.Get(obj.Name()); err == nil || seen[obj.Name()] {
			return nil, fmt.Errorf("middleware: %w: %q", slo.ErrDuplicateName, obj.Name())
		}
		seen[obj.Name()] = true
	}
	if _, ok := routeCfgs[OverflowRoute]; ok {
		m.overflowOnce.Do(func() {}) // its objectives are among objs
	}
	for _, rt := range declared {
		m.count++
		m.order = append(m.order, rt)
		m.routes.Store(rt.name, rt)
	}
	m.register(objs, nil)
	if err := m.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

// settings returns the settings of the route named name: its RouteConfig,
// or the Config's.
func (m *Middleware) settings(name string) RouteConfig {
	if rc, ok := m.routeCfgs[name]; ok {
		return rc
	}
	return m.cfg.routeConfig(RouteConfig{Name: name})
}

// Handler returns next wrapped: the func(http.Handler) http.Handler shape.
// The route of each request is, first to last: the one a handler inside
// named (a handler registered with [Middleware.Handle] or wrapped with
// [Middleware.Wrap], or [SetRoute], which router adapters call); the
// pattern of a ServeMux right inside, which set it on the request it was
// given; [WithRoute]'s; else [UnmatchedRoute]. A request is counted in
// flight on its route from its first response byte (headers included) on,
// once the route is known, to the end, and on the middleware as a whole
// (InFlight) before that.
//
// Handlers inside may copy the request (r.WithContext, http.StripPrefix,
// http.TimeoutHandler): the route still reaches the middleware, through the
// request's context. A ServeMux behind such a copy sets its pattern on the
// copy, out of the middleware's sight: register its handlers with Handle
// (or Wrap them) to have their patterns named. A request that goes through
// the same Middleware's Handler twice is recorded once, by the outer one.
func (m *Middleware) Handler(next http.Handler) http.Handler { return &handler{m, next} }

// Serve serves r through next and records it, as Handler(next) does, for
// adapters whose next handler is made per request (a router's context
// bound to it, say): it saves building the Handler.
func (m *Middleware) Serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	h := handler{m, next}
	h.ServeHTTP(w, r)
}

// handler is what Handler returns. Its ServeHTTP is a method, not a
// closure, so that it is compiled here, once, with the request copy on the
// stack; a closure inlined into a caller's package may not be.
type handler struct {
	m    *Middleware
	next http.Handler
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := h.m
	if q, ok := outer(w, r, m); ok {
		// Already recorded, by an outer Handler or Wrap: only name the
		// route, if a ServeMux right inside sets it on this copy of the
		// request (deferred: a panic on its way out names it too).
		defer func() {
			if q == nil || q.route.Load() != nil {
				return // named already, or to be named by a router adapter
			}
			if name := m.patternOf(r); name != "" {
				q.route.CompareAndSwap(nil, m.hinted("", name))
			}
		}()
		h.next.ServeHTTP(w, r)
		return
	}
	// One allocation: the writer, the context and the request passed on.
	// Pooling it would save it, but a handler's goroutine that wrote after
	// the handler returned (which net/http forbids but tolerates) would
	// then write into another request's response.
	q := &request{Context: r.Context(), m: m}
	q.r = *r.WithContext(q) // inlined: the copy it makes stays on the stack
	q.w = writer{ResponseWriter: w, r: &q.r, rt: m.pending, start: m.clock()}
	m.inFlight.Add(1)
	// What the server and the middlewares outside read from the request
	// they passed in, after the handler: the multipart form whose files the
	// server removes, and the pattern that matched.
	defer func() {
		if q.r.MultipartForm != nil {
			r.MultipartForm = q.r.MultipartForm
		}
		if q.r.Pattern != "" {
			r.Pattern = q.r.Pattern
		}
	}()
	m.serve(&q.w, q, h.next)
}

// writerOf returns the middleware's writer that w is, in whichever shape,
// or nil.
func writerOf(w http.ResponseWriter) *writer {
	if s, ok := w.(interface{ self() *writer }); ok {
		return s.self()
	}
	return nil
}

// outer reports whether an outer Handler or Wrap of m is recording the
// request already: through its request state in r's context, which it
// returns (nil for a Wrap's), or its writer passed down as w.
func outer(w http.ResponseWriter, r *http.Request, m *Middleware) (*request, bool) {
	if q := requestOf(r, m); q != nil {
		return q, true
	}
	cw := writerOf(w)
	return nil, cw != nil && cw.rt.m == m
}

// Wrap returns h recording every request under the fixed route name. The
// route is created now (or is the overflow route, past the cap). Inside
// this Middleware's Handler, the wrapped handler only names the route of
// the request, which Handler records.
func (m *Middleware) Wrap(route string, h http.Handler) http.Handler {
	rt := m.route(route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if q, ok := outer(w, r, m); ok {
			if q != nil { // inside a Handler of m, which records it: name the route
				q.route.Store(rt)
			}
			h.ServeHTTP(w, r)
			return
		}
		rt.started.Add(1)
		// One allocation, as for Handler.
		m.serve(&writer{ResponseWriter: w, r: r, rt: rt, start: m.clock()}, nil, h)
	})
}

// Handle registers h on mux for pattern, recorded under the pattern as its
// route: mux.Handle(pattern, m.Wrap(pattern, h)).
func (m *Middleware) Handle(mux *http.ServeMux, pattern string, h http.Handler) {
	mux.Handle(pattern, m.Wrap(pattern, h))
}

// SetRoute names the route of r, a request that a Middleware's Handler is
// serving (in its context, through any number of copies), and reports
// whether it is one: for router adapters, and for handlers that know the
// route better than a pattern. The name is the route's whole name, method
// included if routes are told apart by method ("GET /users/{id}"); the
// Middleware's route cap applies. A later call replaces an earlier one;
// the route in use when the request ends is its route.
func SetRoute(r *http.Request, name string) bool {
	q := requestOf(r, nil)
	if q == nil {
		return false
	}
	q.route.Store(q.m.hinted("", name))
	return true
}

// SetPattern names the route of r as SetRoute does, r's method and pattern
// joined by a space ("GET /users/{id}"), without joining them when the
// router gives every request of a route the same pattern string: what
// router adapters call with the router's route pattern. A method other
// than HTTP's own (GET, HEAD, POST, PUT, PATCH, DELETE, CONNECT, OPTIONS,
// TRACE) is named OTHER, so that clients, who choose the method, cannot
// make routes of their own.
func SetPattern(r *http.Request, pattern string) bool {
	q := requestOf(r, nil)
	if q == nil {
		return false
	}
	q.route.Store(q.m.hinted(standardMethod(r.Method), pattern))
	return true
}

// request is what Handler allocates for a request, in one allocation of
// 384 bytes (a size class): the context that carries the request's state to
// handlers inside (through copies of the request), the status-capturing
// writer, and the request passed on, which holds that context.
type request struct {
	context.Context             // the context of the request Handler was given
	m               *Middleware // set before the request is served, never changed
	w               writer
	r               http.Request
	// route is named by a handler inside; nil until then, or namedAtEnd
	// while a router adapter is to name it at the end.
	route atomic.Pointer[Route]
}

// namedAtEnd marks a request whose route a router adapter names at the
// end (see internal/access.RouteNamedAtEnd). It is no route.
var namedAtEnd = new(Route)

// named returns the route a handler inside named, or nil, and whether a
// router adapter is to name it at the end.
func (q *request) named() (rt *Route, atEnd bool) {
	rt = q.route.Load()
	if rt == namedAtEnd {
		return nil, true
	}
	return rt, false
}

func init() {
	access.RouteNamedAtEnd = func(r *http.Request) {
		if q := requestOf(r, nil); q != nil {
			q.route.CompareAndSwap(nil, namedAtEnd)
		}
	}
}

// requestKey finds the innermost request state in a context; a
// *Middleware as the key finds that Middleware's.
type requestKey struct{}

// Value returns q for requestKey and for q's Middleware, and the value of
// the context it was given for other keys.
func (q *request) Value(key any) any {
	switch key := key.(type) {
	case requestKey:
		return q
	case *Middleware:
		if key == q.m {
			return q
		}
	}
	return q.Context.Value(key)
}

// requestOf returns the state of m's Handler serving r (of the innermost
// Handler if m is nil), or nil.
func requestOf(r *http.Request, m *Middleware) *request {
	var key any = requestKey{}
	if m != nil {
		key = m
	}
	q, _ := r.Context().Value(key).(*request)
	return q
}

// standardMethod returns method if it is one of HTTP's (RFC 9110 and
// PATCH), else "OTHER": route names join the method, which the client
// chooses, and a router that lets any method through must not let clients
// make routes of their own.
func standardMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return method
	}
	return "OTHER"
}

// serve runs next with cw, which Handler (q non-nil) or Wrap made, and
// records the request when it ends, whatever happens: a panic in next, in
// a [WithRoute] or in a [WithClassifier] still records it.
func (m *Middleware) serve(cw *writer, q *request, next http.Handler) {
	// Requests in flight are counted on their route when it is known, and
	// on the middleware's own counter until then (through Handler, until
	// the handler answers). On the route only starts are counted: a
	// request ends when it is recorded.
	panicked := true
	defer func() {
		var v any
		if panicked {
			v = recover() // nil for runtime.Goexit, which goes on by itself
		}
		d := cw.duration()
		rt, o := cw.rt, sli.Bad
		// moved: the request's start is to be counted on the route it
		// ends on, rt, which is not the one its start was counted on.
		pending := rt == m.pending
		moved := pending
		switch {
		case pending:
			m.inFlight.Add(-1) // first: whatever below panics
			rt = nil
		case q != nil:
			// A route named inside after the first byte (a router adapter
			// naming it once routed) wins over the pattern taken then.
			if named, _ := q.named(); named != nil && named != rt {
				rt.started.Add(-1)
				rt, moved = named, true
			}
		}
		defer func() {
			if rt == nil { // the route could not be found: a WithRoute panicked
				rt = m.route(UnmatchedRoute)
			}
			if moved {
				rt.started.Add(1)
			}
			rt.record(cw.r.Context(), o, d)
			if rt.http != nil {
				status := int(cw.status)
				switch {
				case status == 0 && v != nil:
					status = http.StatusInternalServerError // a panic before any answer
				case status == 0:
					status = http.StatusOK
				}
				method := standardMethod(cw.r.Method)
				if method == "OTHER" {
					method = "_OTHER" // the semantic conventions' name for it
				}
				rt.http.record(method, status, cw.r.TLS != nil, d)
			}
			cw.rt = rt // a write after the end (a late goroutine's) moves no counter
			if v != nil {
				panic(v) // the handler's, on its way
			}
		}()
		if pending {
			rt = m.servedRoute(q, cw.r, true)
			if rt.name == UnmatchedRoute && m.opt.route == nil && !panicked && (cw.status == 0 || cw.status/100 == 2) {
				m.unnamed.Add(1) // a status of 0 is a 200: nothing written
			}
		}
		switch {
		case !panicked:
			o = m.classify(cw, cw.r)
		case v == http.ErrAbortHandler && (cw.gone || errors.Is(cw.r.Context().Err(), context.Canceled)):
			o = sli.Invalid // a proxy aborting because its client left
		}
	}()
	next.ServeHTTP(cw.exposed(), cw.r)
	panicked = false
}

// clock reads the clock that latencies are measured on: package mono's
// monotonic clock, or [WithClock]'s in Unix ns.
func (m *Middleware) clock() int64 {
	if m.opt.clock == nil {
		return mono.Now()
	}
	return m.now().UnixNano()
}

// since returns the time from reading start of clock to now.
func (m *Middleware) since(start int64) time.Duration {
	if m.opt.clock == nil {
		return mono.Elapsed(start, mono.Now())
	}
	return time.Duration(m.now().UnixNano() - start)
}

// servedRoute returns the route of r, which Handler serves as q, once the
// router has run (see Handler for the order); nil, unless final, when
// nothing names it yet.
func (m *Middleware) servedRoute(q *request, r *http.Request, final bool) *Route {
	if q != nil {
		rt, atEnd := q.named()
		if rt != nil || atEnd && !final {
			return rt
		}
	}
	if name := m.patternOf(r); name != "" {
		return m.hinted("", name)
	}
	if m.opt.route != nil {
		return m.route(m.opt.route(r))
	}
	if final {
		return m.route(UnmatchedRoute)
	}
	return nil
}

// hinted returns the route named pattern, or method + " " + pattern if
// method is not empty. Routers give every request of a pattern the same
// string, so that the string's address (and the method's first byte and
// length) picks a slot holding its route: a compare of a few bytes instead
// of joining and hashing them. The hint keeps its own copies, so that a
// router reusing one buffer for several names cannot change them. A slot
// goes to the first name that lands in it, so hints are made once.
func (m *Middleware) hinted(method, pattern string) *Route {
	i := uintptr(unsafe.Pointer(unsafe.StringData(pattern))) >> 4
	if method != "" {
		i += uintptr(method[0]) + 7*uintptr(len(method))
	}
	slot := &m.hints[i%uintptr(len(m.hints))]
	if h := slot.Load(); h != nil {
		if h.pattern == pattern && h.method == method {
			return h.rt
		}
		return m.route(routeName(method, pattern))
	}
	rt := m.route(routeName(method, pattern))
	slot.CompareAndSwap(nil, &routeHint{method: strings.Clone(method), pattern: strings.Clone(pattern), rt: rt})
	return rt
}

// routeName returns pattern, or method + " " + pattern if method is not
// empty.
func routeName(method, pattern string) string {
	if method == "" {
		return pattern
	}
	return method + " " + pattern
}

// routeHint is a route and the method and pattern it was found by.
type routeHint struct {
	method, pattern string
	rt              *Route
}

// patternOf returns the ServeMux pattern that matched r, or "".
func (m *Middleware) patternOf(r *http.Request) string {
	// A ServeMux answers CONNECT requests it cannot route with a redirect
	// whose pattern is the raw path: not a route.
	if r.Method == http.MethodConnect {
		return ""
	}
	return r.Pattern
}

// classify applies the rules of the Middleware documentation.
func (m *Middleware) classify(w *writer, r *http.Request) sli.Outcome {
	status := int(w.status)
	if status == 0 {
		status = http.StatusOK
	}
	if m.opt.classify != nil {
		return m.opt.classify(status, r)
	}
	// The client went away before the response: before the status was set,
	// or, with nothing written, before the handler returned. The server's
	// own deadline passed (http.TimeoutHandler's, say, which answered 503
	// in the handler's place): at the status, or when the handler returned.
	err := r.Context().Err()
	if w.status != 0 && w.gone || w.status == 0 && errors.Is(err, context.Canceled) {
		return sli.Invalid
	}
	if w.late || errors.Is(err, context.DeadlineExceeded) {
		return sli.Bad
	}
	if status >= 100 && status < 600 && m.notValid[status] {
		return sli.Invalid
	}
	return sli.ClassifyStatus(status)
}

// Route returns the route named name, created now if the route cap allows
// (with its objectives, in the registry from now on), else the overflow
// route: to declare routes before their first request, and for protocols
// the Middleware does not serve itself, with [Route.Begin] and
// [Route.End].
func (m *Middleware) Route(name string) *Route { return m.hinted("", name) }

// route returns the route named name, creating it if the cap allows, else
// the overflow route.
func (m *Middleware) route(name string) *Route {
	if v, ok := m.routes.Load(name); ok {
		return v.(*Route)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.routes.Load(name); ok {
		return v.(*Route)
	}
	// A name with invalid UTF-8 or a control character (a path a WithRoute
	// returned, say) is escaped, so that its objectives export; its own
	// spelling finds the route too.
	clean := printable.Clean(name)
	if clean != name {
		if v, ok := m.routes.Load(clean); ok {
			return v.(*Route)
		}
	}
	if m.count >= m.cfg.MaxRoutes {
		return m.overflow
	}
	clean = strings.Clone(clean) // the caller's bytes may be reused
	rt, err := m.newRoute(clean)
	if err != nil {
		// New built a route with these settings, so only the clock can
		// fail it: a WithClock that has left the years 1678–2262. The
		// name goes to the overflow route from now on (found at once, not
		// made again on every request), and Err says why.
		m.register(nil, fmt.Errorf("middleware: route %q: %w", clean, err))
		m.routes.Store(clean, m.overflow)
		return m.overflow
	}
	objs, err := m.objectives(rt)
	m.register(objs, err)
	m.count++
	m.order = append(m.order, rt)
	m.routes.Store(clean, rt)
	if clean != name {
		m.routes.Store(strings.Clone(name), rt)
	}
	return rt
}

// newRoute builds a route's SLIs.
func (m *Middleware) newRoute(name string) (*Route, error) {
	// A nil clock is the wall clock for every package's WithClock.
	avail, err := sli.NewRatio(sli.WithClock(m.opt.clock))
	if err != nil {
		return nil, err
	}
	lat, err := sli.NewLatency(m.settings(name).Threshold, sli.WithClock(m.opt.clock), sli.WithHistogram(m.cfg.Histogram))
	if err != nil {
		return nil, err
	}
	fc := m.cfg.Histogram
	fc.Digits = 1 // failures need the order of magnitude: 6% buckets, a tenth of the memory
	failed, err := histogram.NewRecorder(fc, histogram.WithClock(m.opt.clock))
	if err != nil {
		return nil, err
	}
	rt := &Route{name: name, availability: avail, latency: lat, failed: failed, m: m, started: shard.NewCounter()}
	if m.cfg.HTTPMetrics {
		rt.http = &httpPoints{}
	}
	return rt, nil
}

// objectives builds the objectives of rt for the targets that are set,
// with its settings; none without a registry.
func (m *Middleware) objectives(rt *Route) ([]*slo.Objective, error) {
	if m.cfg.Registry == nil {
		return nil, nil
	}
	rc := m.settings(rt.name)
	var objs []*slo.Objective
	for _, k := range []struct {
		kind   string
		src    sli.Source
		target float64
	}{{"availability", rt.availability, rc.Availability}, {"latency", rt.latency, rc.Latency}} {
		if k.target == 0 {
			continue
		}
		desc := k.kind + " of " + rt.name
		if rc.Description != "" {
			desc = rc.Description
		}
		o, err := slo.New(slo.Config{
			Name: m.objectiveName(rt.name, k.kind), SLI: k.src, Target: k.target, Window: m.cfg.Window,
			Metadata: slo.Metadata{Service: m.cfg.Service, Owner: rc.Owner, Requests: rt.name, Description: desc, Source: "nines HTTP middleware"},
			Alerts:   rc.Alerts,
		}, slo.WithClock(m.opt.clock), slo.WithAlertHandler(rc.AlertHandler))
		if err != nil {
			return nil, err
		}
		objs = append(objs, o)
	}
	return objs, nil
}

// register adds objs to the registry; the first error, err's or an
// Add's, is kept for Err. Recording goes on without the objectives.
func (m *Middleware) register(objs []*slo.Objective, err error) {
	for _, o := range objs {
		err = errors.Join(err, m.cfg.Registry.Add(o))
	}
	if err != nil {
		m.regErr.CompareAndSwap(nil, err)
	}
}

func (m *Middleware) objectiveName(route, kind string) string {
	if m.cfg.Service == "" {
		return route + " " + kind
	}
	return m.cfg.Service + " " + route + " " + kind
}

// Routes returns the routes seen so far, in order of first request, then
// the overflow route. The slice is the caller's.
func (m *Middleware) Routes() []*Route {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append(slices.Clone(m.order), m.overflow)
}

// Overflowed returns how many requests were counted on the overflow route
// because the route cap was reached or their route could not be made.
func (m *Middleware) Overflowed() uint64 { return m.overflows.Load() }

// InFlight returns the requests being served now, across all routes.
func (m *Middleware) InFlight() int64 {
	n := m.inFlight.Load()
	for _, rt := range m.Routes() {
		n += rt.InFlight()
	}
	return n
}

// Err returns what went wrong so far, or nil: the first error adding a
// route's objectives to the registry (a duplicate name, say), and
// [ErrUnnamedRoute] once a request was answered with a 2xx status but
// with no route: a sign that the route was lost on the way (a ServeMux
// behind a middleware that copies the request, a router without its
// adapter). Recording goes on regardless.
func (m *Middleware) Err() error {
	var err error
	if e, ok := m.regErr.Load().(error); ok {
		err = e
	}
	if n := m.unnamed.Load(); n > 0 {
		err = errors.Join(err, fmt.Errorf("%w: %d requests answered 2xx went to %s; name routes with Handle, SetRoute or a router adapter (see Handler)", ErrUnnamedRoute, n, UnmatchedRoute))
	}
	return err
}
