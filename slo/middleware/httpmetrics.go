package middleware

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// httpBounds are OpenTelemetry's advised bucket boundaries for
// http.server.request.duration (seconds), in ns.
var httpBounds = [...]int64{5e6, 10e6, 25e6, 50e6, 75e6, 100e6, 250e6, 500e6, 750e6, 1e9, 2.5e9, 5e9, 7.5e9, 10e9}

// HTTPDurationBounds returns the upper bounds of the buckets that
// [Route.HTTPRequests] counts durations in: OpenTelemetry's advice for
// http.server.request.duration, 5 ms to 10 s; the last bucket is
// unbounded.
func HTTPDurationBounds() []time.Duration {
	out := make([]time.Duration, len(httpBounds))
	for i, b := range httpBounds {
		out[i] = time.Duration(b)
	}
	return out
}

// HTTPRequests are a route's requests of one method, status code and
// scheme, as OpenTelemetry's HTTP semantic conventions describe them
// (http.server.request.duration): [Config.HTTPMetrics] records them.
type HTTPRequests struct {
	Method     string // HTTP's (GET, POST, …), or _OTHER
	StatusCode int    // as written; 200 if the handler wrote none
	Scheme     string // http or https
	Count      uint64
	Sum        time.Duration
	// Buckets counts the requests by duration, one count per bound of
	// HTTPDurationBounds (at or below it, above the one before) and one
	// above them all. Count is their sum.
	Buckets []uint64
}

// httpPoint counts the requests of one method, status code and scheme.
type httpPoint struct {
	method  string
	code    int
	https   bool
	sumNS   atomic.Uint64
	buckets [len(httpBounds) + 1]atomic.Uint64
}

// httpPoints are a route's points, few: a list copied on each addition,
// read without a lock.
type httpPoints struct {
	all atomic.Pointer[[]*httpPoint]
	mu  sync.Mutex // held to add one
}

// record counts a request of d.
func (h *httpPoints) record(method string, code int, https bool, d time.Duration) {
	p := h.point(method, code, https)
	ns := int64(max(d, 0))
	i := 0
	for i < len(httpBounds) && ns > httpBounds[i] {
		i++
	}
	p.buckets[i].Add(1)
	p.sumNS.Add(uint64(ns))
}

// point returns the point of method, code and scheme, adding it if none.
func (h *httpPoints) point(method string, code int, https bool) *httpPoint {
	find := func() *httpPoint {
		if all := h.all.Load(); all != nil {
			for _, p := range *all {
				if p.code == code && p.https == https && p.method == method {
					return p
				}
			}
		}
		return nil
	}
	if p := find(); p != nil {
		return p
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if p := find(); p != nil {
		return p
	}
	var all []*httpPoint
	if old := h.all.Load(); old != nil {
		all = slices.Clone(*old)
	}
	p := &httpPoint{method: method, code: code, https: https}
	all = append(all, p)
	h.all.Store(&all)
	return p
}

// HTTPRequests returns the route's requests by method, status code and
// scheme, with Config.HTTPMetrics; none without. Counts are cumulative,
// from the route's creation.
func (rt *Route) HTTPRequests() []HTTPRequests {
	if rt.http == nil {
		return nil
	}
	all := rt.http.all.Load()
	if all == nil {
		return nil
	}
	out := make([]HTTPRequests, 0, len(*all))
	for _, p := range *all {
		r := HTTPRequests{Method: p.method, StatusCode: p.code, Scheme: "http", Buckets: make([]uint64, len(p.buckets))}
		if p.https {
			r.Scheme = "https"
		}
		// The sum first: a request counted after it is in the buckets
		// only, never the other way round.
		r.Sum = time.Duration(p.sumNS.Load())
		for i := range p.buckets {
			r.Buckets[i] = p.buckets[i].Load()
			r.Count += r.Buckets[i]
		}
		out = append(out, r)
	}
	return out
}

// HTTPRoute returns the route's http.route, its pattern without the
// method it may begin with ("/users/{id}" for "GET /users/{id}"), and its
// method if it has one; "" for the routes that are no pattern
// (UnmatchedRoute, OverflowRoute).
func (rt *Route) HTTPRoute() (route, method string) {
	if rt.name == UnmatchedRoute || rt.name == OverflowRoute {
		return "", ""
	}
	for i := 0; i < len(rt.name); i++ {
		if rt.name[i] == ' ' {
			if m := rt.name[:i]; standardMethod(m) == m {
				return rt.name[i+1:], m
			}
			break
		}
	}
	return rt.name, ""
}
