package middleware

import (
	"errors"
	"time"

	"github.com/nines-slo/nines/histogram"
	"github.com/nines-slo/nines/internal/access"
	"github.com/nines-slo/nines/internal/shard"
	"github.com/nines-slo/nines/sli"
)

// Route is what a Middleware keeps for one route: its SLIs, its failure
// latencies and its requests in flight. The fields are the live SLIs, safe
// for concurrent use; read them, do not record into them.
type Route struct {
	// Name is the route: a ServeMux pattern, a WithRoute result,
	// OverflowRoute or UnmatchedRoute.
	Name string
	// Availability counts requests good, bad or not valid.
	Availability *sli.Ratio
	// Latency counts successful requests good when within the threshold,
	// and holds their latency histogram.
	Latency *sli.Latency
	// Failed holds the latency of failed (bad) requests, kept apart.
	Failed *histogram.Recorder

	// started counts the requests that began on the route; those not yet
	// recorded into Availability are in flight. Counting starts only (a
	// request's end is its record) keeps one atomic add off every request.
	started *shard.Counter
	m       *Middleware // the middleware the route belongs to
}

// record counts one finished request.
func (rt *Route) record(o sli.Outcome, d time.Duration) {
	sli.RecordRequest(rt.Availability, rt.Latency, o, d)
	if o == sli.Bad {
		rt.Failed.Record(d)
	}
}

// InFlight returns the route's requests being served now: from the start
// for routes known before the handler runs (Wrap, Handle); through Handler
// from the handler's first response bytes, until when Middleware.InFlight
// counts the request.
func (rt *Route) InFlight() int64 {
	finished := int64(access.RatioEvents(rt.Availability)) // first: every finished request has started
	return max(rt.started.Load()-finished, 0)
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
	// Route.InFlight).
	InFlight int64
}

// Signals returns the route's golden signals over the window ending now.
// window must be one of the latency histogram's windows or shorter; it
// fails with the sli and histogram packages' ErrInvalidWindow otherwise.
func (rt *Route) Signals(window time.Duration) (Signals, error) {
	s := Signals{Route: rt.Name, Window: window, InFlight: rt.InFlight()}
	c, err := rt.Availability.Counts(window)
	if err != nil {
		return Signals{}, err
	}
	s.Traffic = c.Valid / window.Seconds()
	if c.Valid > 0 {
		s.Errors = c.Bad() / c.Valid
	}
	if s.Latency, err = rt.Latency.Percentiles(window); err != nil && !isNoData(err) {
		return Signals{}, err
	}
	f, err := rt.Failed.Snapshot(window)
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
