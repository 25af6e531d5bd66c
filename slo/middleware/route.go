package middleware

import (
	"context"
	"errors"
	"time"

	"github.com/nines-slo/nines/histogram"
	"github.com/nines-slo/nines/internal/access"
	"github.com/nines-slo/nines/internal/shard"
	"github.com/nines-slo/nines/sli"
)

// Route is what a Middleware keeps for one route: its SLIs, its failure
// latencies and its requests in flight. The SLIs are live and safe for
// concurrent use; read them, do not record into them.
type Route struct {
	name         string
	availability *sli.Ratio
	latency      *sli.Latency
	failed       *histogram.Recorder

	// started counts the requests that began on the route; those not yet
	// recorded into availability are in flight. Counting starts only (a
	// request's end is its record) keeps one atomic add off every request.
	started *shard.Counter
	m       *Middleware // the middleware the route belongs to
	http    *httpPoints // with Config.HTTPMetrics
}

// Name returns the route: a ServeMux pattern, a [WithRoute] result,
// [OverflowRoute] or [UnmatchedRoute].
func (rt *Route) Name() string { return rt.name }

// Availability returns the SLI that counts the route's requests good, bad
// or not valid.
func (rt *Route) Availability() *sli.Ratio { return rt.availability }

// Latency returns the SLI that counts successful requests good when within
// the threshold, with their latency histogram.
func (rt *Route) Latency() *sli.Latency { return rt.latency }

// Failed returns the latencies of failed (bad) requests, kept apart from
// the successful ones'.
func (rt *Route) Failed() *histogram.Recorder { return rt.failed }

// Start is when a request began on a route, for [Route.End].
type Start struct{ at int64 }

// Begin counts a request in flight on the route and returns its start: for
// protocols the Middleware does not serve itself, such as gRPC
// (github.com/nines-slo/nines/contrib/grpc), with [Middleware.Route]. End
// records it. The start is read on the Middleware's clock: the runtime's
// monotonic clock, or [WithClock]'s.
func (rt *Route) Begin() Start {
	rt.started.Add(1)
	return Start{rt.m.clock()}
}

// End records the request that began at start: its outcome, and its
// latency until now. Call it once per Begin.
func (rt *Route) End(start Start, o sli.Outcome) {
	rt.record(context.Background(), o, rt.m.since(start.at))
}

// EndContext is End with the request's context: a failed or slow request
// whose context holds a sampled OpenTelemetry span is kept as an exemplar
// of the route's SLIs (see [sli.RecordRequestContext]).
func (rt *Route) EndContext(ctx context.Context, start Start, o sli.Outcome) {
	rt.record(ctx, o, rt.m.since(start.at))
}

// record counts one finished request, with its context.
func (rt *Route) record(ctx context.Context, o sli.Outcome, d time.Duration) {
	if m := rt.m; rt == m.overflow {
		m.overflows.Add(1)
		m.overflowOnce.Do(func() { m.register(m.overflowObjs, nil) })
	}
	sli.RecordRequestContext(ctx, rt.availability, rt.latency, o, d)
	if o == sli.Bad {
		rt.failed.Record(d)
	}
}

// InFlight returns the route's requests being served now: from the start
// for routes known before the handler runs (Wrap and Handle on their own,
// Begin); through Handler from the first response byte once the route is
// known (or from the end, for a route a router adapter names then), until
// when [Middleware.InFlight] counts the request.
func (rt *Route) InFlight() int64 {
	finished := access.RatioEvents(rt.availability) // first: every finished request has started
	return max(rt.started.Since(finished), 0)
}

// Signals are the four golden signals of a route over a window.
type Signals struct {
	Route  string        // the route's name
	Window time.Duration // the window the rates and latencies cover
	// Latency of successful requests, and of failed ones, kept apart;
	// Count is 0 in each when the window had none.
	Latency, FailedLatency sli.Percentiles
	// Traffic is valid requests per second over the window (requests not
	// valid — a client's 429, say — are not in it).
	Traffic float64
	// Errors is the share of valid requests that failed; 0 with no
	// traffic.
	Errors float64
	// InFlight is the saturation: requests being served now (see
	// [Route.InFlight]).
	InFlight int64
}

// Signals returns the route's golden signals over the window ending now.
// window must be one of the latency histogram's windows or shorter; it
// fails with the sli and histogram packages' ErrInvalidWindow otherwise.
func (rt *Route) Signals(window time.Duration) (Signals, error) {
	s := Signals{Route: rt.name, Window: window, InFlight: rt.InFlight()}
	c, err := rt.availability.Counts(window)
	if err != nil {
		return Signals{}, err
	}
	s.Traffic = c.Valid / window.Seconds()
	if c.Valid > 0 {
		s.Errors = c.Bad() / c.Valid
	}
	if s.Latency, err = rt.latency.Percentiles(window); err != nil && !isNoData(err) {
		return Signals{}, err
	}
	f, err := rt.failed.Snapshot(window)
	if err != nil {
		return Signals{}, err
	}
	if f.Count() > 0 {
		s.FailedLatency = sli.Percentiles{Window: window, Count: f.Count()}
		s.FailedLatency.P50, _ = f.P50()
		s.FailedLatency.P95, _ = f.P95()
		s.FailedLatency.P99, _ = f.P99()
		s.FailedLatency.P999, _ = f.P999()
	}
	return s, nil
}

func isNoData(err error) bool { return errors.Is(err, sli.ErrNoData) }
