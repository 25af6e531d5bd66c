package producer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/exporter/internal/names"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

// ErrInvalidOption is returned by [New] for a nil registry or an option it
// cannot use.
var ErrInvalidOption = errors.New("producer: invalid option")

// DefaultBoundaries are the latency histogram's bucket boundaries unless
// [WithBoundaries] sets others: OpenTelemetry's advice for HTTP server
// request durations. Each latency objective's threshold is added to them.
func DefaultBoundaries() []time.Duration {
	ms := time.Millisecond
	return []time.Duration{5 * ms, 10 * ms, 25 * ms, 50 * ms, 75 * ms, 100 * ms, 250 * ms, 500 * ms, 750 * ms,
		time.Second, 2500 * ms, 5 * time.Second, 7500 * ms, 10 * time.Second}
}

// Producer reports a registry's objectives as OpenTelemetry metrics: it is
// an [sdkmetric.Producer], to hand to each reader that should carry them
// (see the package documentation).
//
// A Producer starts no goroutine, holds no registration and adds nothing
// to the recording path: it reads the objectives' state when a reader
// collects. It is safe for concurrent use. Build one with [New].
type Producer struct {
	reg    *slo.Registry
	bounds []time.Duration
	clock  func() time.Time // nil: each objective's own
	start  time.Time

	mu    sync.Mutex
	attrs map[*slo.Objective]*objectiveAttrs

	exponential bool  // WithExponentialBuckets
	expScale    int32 // its scale

	servers  []*middleware.Middleware // WithHTTPServer
	httpSets map[httpKey]attribute.Set

	// Delta temporality (WithTemporality): what the previous collection
	// reported, under deltaMu.
	counterDelta, histDelta bool
	deltaMu                 sync.Mutex
	last                    map[*slo.Objective]*reported
	lastHTTP                map[httpKey]metricdata.HistogramDataPoint[float64] // WithHTTPServer's
	lastAt                  time.Time
}

var _ sdkmetric.Producer = (*Producer)(nil)

// objectiveAttrs holds one objective's attribute sets, built once: a
// collection then allocates nothing for attributes.
type objectiveAttrs struct {
	base     attribute.Set
	burn     map[time.Duration]attribute.Set
	alert    map[string]attribute.Set
	quantile map[quantileKey]attribute.Set
	bounds   []float64 // the latency histogram's, in seconds
	boundsNS []int64
}

type quantileKey struct {
	window time.Duration
	q      int // index into quantiles
}

var quantiles = []string{"0.5", "0.95", "0.99"}

// Option configures a [Producer].
type Option interface{ apply(*Producer) error }

type optionFunc func(*Producer) error

func (f optionFunc) apply(p *Producer) error { return f(p) }

// WithBoundaries sets the latency histogram's bucket boundaries, which
// must be positive and increasing; each latency objective's threshold is
// added to them. The default is [DefaultBoundaries].
func WithBoundaries(b []time.Duration) Option {
	return optionFunc(func(p *Producer) error {
		for i, d := range b {
			if d <= 0 || (i > 0 && d <= b[i-1]) {
				return fmt.Errorf("%w: WithBoundaries: boundary %d (%v) is not positive and above the one before", ErrInvalidOption, i, d)
			}
		}
		p.bounds = slices.Clone(b)
		return nil
	})
}

// WithClock makes the producer read time from now: the time each status is
// computed for, and the points' timestamps. By default, or with a nil now,
// as in every package of nines, a status is each objective's own
// ([slo.Objective.Status], on the clock it was built with), and timestamps
// come from the wall clock.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(p *Producer) error {
		p.clock = now
		return nil
	})
}

func (p *Producer) now() time.Time {
	if p.clock != nil {
		return p.clock()
	}
	return time.Now()
}

// New returns a Producer of r's objectives: those r holds now and those
// added later. Its cumulative counters and histograms start at New's time,
// so make it at startup. It fails with [ErrInvalidOption] for a nil
// registry or a bad option.
func New(r *slo.Registry, opts ...Option) (*Producer, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil registry", ErrInvalidOption)
	}
	p := &Producer{reg: r, bounds: DefaultBoundaries(), attrs: map[*slo.Objective]*objectiveAttrs{}}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.apply(p); err != nil {
			return nil, err
		}
	}
	p.start = p.now()
	return p, nil
}

// attrsOf returns o's attribute sets, building them on first use.
func (p *Producer) attrsOf(o *slo.Objective) *objectiveAttrs {
	p.mu.Lock()
	defer p.mu.Unlock()
	if a, ok := p.attrs[o]; ok {
		return a
	}
	kv := []attribute.KeyValue{names.Name.String(o.Name())}
	if s := o.Metadata().Service; s != "" {
		kv = append(kv, names.Service.String(s))
	}
	with := func(extra ...attribute.KeyValue) attribute.Set {
		return attribute.NewSet(append(slices.Clone(kv), extra...)...)
	}
	a := &objectiveAttrs{
		base: with(),
		burn: map[time.Duration]attribute.Set{}, alert: map[string]attribute.Set{}, quantile: map[quantileKey]attribute.Set{},
	}
	for _, w := range slo.BurnWindows() {
		a.burn[w] = with(names.BurnWindow.String(names.Duration(w)))
	}
	for _, r := range o.Alerts() {
		a.alert[r.Name] = with(names.Alert.String(r.Name), names.Severity.String(r.Severity.String()))
	}
	if l, ok := o.SLI().(sli.LatencySource); ok {
		for _, w := range l.Windows() {
			for q := range quantiles {
				a.quantile[quantileKey{w, q}] = with(names.LatencyWindow.String(names.Duration(w)), names.Quantile.String(quantiles[q]))
			}
		}
		a.boundsNS = boundaries(p.bounds, l.Threshold())
		for _, b := range a.boundsNS {
			a.bounds = append(a.bounds, time.Duration(b).Seconds())
		}
	}
	p.attrs[o] = a
	return a
}

// boundaries returns bounds with threshold added, sorted, in nanoseconds.
func boundaries(bounds []time.Duration, threshold time.Duration) []int64 {
	out := make([]int64, 0, len(bounds)+1)
	for _, b := range bounds {
		out = append(out, int64(b))
	}
	if !slices.Contains(out, int64(threshold)) {
		out = append(out, int64(threshold))
		slices.Sort(out)
	}
	return out
}

// collection gathers one Produce's points, instrument by instrument.
type collection struct {
	start, at                                      time.Time
	counterTemp, histTemp                          metricdata.Temporality
	good, valid, sli, target, left, burn, alert, q []metricdata.DataPoint[float64]
	ok                                             []metricdata.DataPoint[float64] // 1 status computed, 0 failed
	exhaustion                                     []metricdata.DataPoint[float64] // seconds until the budget is spent
	goodSlices, validSlices                        []metricdata.DataPoint[float64] // time-slice objectives' slices in the window
	latency                                        []metricdata.HistogramDataPoint[float64]
	expLatency                                     []metricdata.ExponentialHistogramDataPoint[float64] // instead, WithExponentialBuckets
	http                                           []metricdata.HistogramDataPoint[float64]            // WithHTTPServer
	httpKeys                                       []httpKey                                           // http's, in order
	active                                         []metricdata.DataPoint[int64]
}

// newCollection returns a collection with room for n objectives' points
// of the default shape (six burn windows, three alerts, three latency
// windows of three quantiles), so that appending rarely grows a slice.
func newCollection(start, at time.Time, n int) collection {
	pts := func(k int) []metricdata.DataPoint[float64] { return make([]metricdata.DataPoint[float64], 0, k*n) }
	return collection{start: start, at: at,
		good: pts(1), valid: pts(1), sli: pts(1), target: pts(1), left: pts(1), ok: pts(1),
		burn: pts(len(slo.BurnWindows())), alert: pts(3), q: pts(3)}
}

func (c *collection) point(dst *[]metricdata.DataPoint[float64], v float64, set attribute.Set, cumulative bool) {
	pt := metricdata.DataPoint[float64]{Attributes: set, Time: c.at, Value: v}
	if cumulative {
		pt.StartTime = c.start
	}
	*dst = append(*dst, pt)
}

// Produce returns every objective's metrics (see the package
// documentation's table): the event counters, cumulative since the
// Producer was made; the gauges of each objective's status, computed now;
// and the latency histograms. It implements [sdkmetric.Producer].
//
// An objective whose status fails loses the gauges of its status (its
// counters, target and histogram are still reported, and its
// nines.slo.status.ok gauge is 0 instead of 1), and its error goes
// to OpenTelemetry's error handler ([otel.Handle]; see
// [otel.SetErrorHandler]), not to the reader: a reader that gets an error
// from a producer exports nothing at all, which would let one objective
// silence every other and the application's own instruments. Produce
// itself never fails.
func (p *Producer) Produce(context.Context) ([]metricdata.ScopeMetrics, error) {
	if p.counterDelta || p.histDelta {
		// One collection at a time, each against the one before.
		p.deltaMu.Lock()
		defer p.deltaMu.Unlock()
	}
	objs := p.reg.Objectives()
	c := newCollection(p.start, p.now(), len(objs))
	c.counterTemp, c.histTemp = metricdata.CumulativeTemporality, metricdata.CumulativeTemporality
	if p.counterDelta {
		c.counterTemp = metricdata.DeltaTemporality
	}
	if p.histDelta {
		c.histTemp = metricdata.DeltaTemporality
	}
	var counted, latency []*slo.Objective // for deltas
	for _, o := range objs {
		a := p.attrsOf(o)
		if n, ok := names.Recorded(o.SLI()); ok {
			c.point(&c.good, n.Good, a.base, true)
			c.point(&c.valid, n.Valid, a.base, true)
			counted = append(counted, o)
		}
		c.point(&c.target, o.Target(), a.base, false)
		if l, ok := o.SLI().(sli.LatencySource); ok {
			if p.exponential {
				pt := toExponential(cumulativeOf(l), p.expScale)
				pt.Attributes, pt.StartTime, pt.Time = a.base, c.start, c.at
				c.expLatency = append(c.expLatency, pt)
			} else {
				pt := toExplicit(cumulativeOf(l), a.boundsNS)
				pt.Attributes, pt.StartTime, pt.Time = a.base, c.start, c.at
				pt.Bounds = a.bounds
				c.latency = append(c.latency, pt)
			}
			latency = append(latency, o)
		}
		var s slo.Status
		var err error
		if p.clock != nil {
			s, err = o.StatusAt(c.at)
		} else {
			s, err = o.Status() // on the objective's own clock
		}
		if err != nil {
			c.point(&c.ok, 0, a.base, false)
			otel.Handle(fmt.Errorf("producer: %w", err))
			continue
		}
		c.point(&c.ok, 1, a.base, false)
		c.status(s, a)
	}
	p.httpServers(&c)
	c.exemplars(counted, latency, p.lastAt) // before deltas moves lastAt on
	p.deltas(&c, counted, latency)
	var out []metricdata.ScopeMetrics
	if sm := c.scope(); len(sm.Metrics) > 0 {
		out = append(out, sm)
	}
	return out, nil
}

// exemplars attaches the objectives' exemplars of bad events
// ([sli.ExemplarSource]) to their points: to the valid events counter,
// each a count of one, and those with a duration to the latency
// histogram, each its duration. A cumulative point has every exemplar
// kept up to its time; a delta point those after the previous
// collection, last (zero for none), so that no two collections report
// one. counted and latency are the objectives of c.valid's and the
// latency points, in order.
func (c *collection) exemplars(counted, latency []*slo.Objective, last time.Time) {
	of := func(o *slo.Objective, temp metricdata.Temporality, latency bool) []metricdata.Exemplar[float64] {
		src, ok := o.SLI().(sli.ExemplarSource)
		if !ok {
			return nil
		}
		var out []metricdata.Exemplar[float64]
		for _, e := range src.Exemplars() {
			if temp == metricdata.DeltaTemporality && !e.Time.After(last) || e.Time.After(c.at) || latency && e.Duration <= 0 {
				continue
			}
			v := 1.0
			if latency {
				v = e.Duration.Seconds()
			}
			out = append(out, metricdata.Exemplar[float64]{Time: e.Time, Value: v, TraceID: e.TraceID[:], SpanID: e.SpanID[:]})
		}
		return out
	}
	for i, o := range counted {
		c.valid[i].Exemplars = of(o, c.counterTemp, false)
	}
	for i, o := range latency {
		if len(c.expLatency) > 0 { // WithExponentialBuckets: these instead of c.latency
			c.expLatency[i].Exemplars = of(o, c.histTemp, true)
		} else {
			c.latency[i].Exemplars = of(o, c.histTemp, true)
		}
	}
}

// status adds the gauges of one objective's status.
func (c *collection) status(s slo.Status, a *objectiveAttrs) {
	if !s.NoData {
		c.point(&c.sli, s.SLI, a.base, false)
	}
	if s.Slicing.Length > 0 {
		c.point(&c.goodSlices, s.Good, a.base, false)
		c.point(&c.validSlices, s.Valid, a.base, false)
	}
	if left, err := s.Remaining(); err == nil {
		c.point(&c.left, left, a.base, false)
	}
	for _, b := range s.BurnRates {
		if !b.NoData {
			c.point(&c.burn, b.Rate, a.burn[b.Window], false)
		}
	}
	if e := s.Exhaustion; !e.NoData && !e.Never {
		c.point(&c.exhaustion, e.In.Seconds(), a.burn[e.Window], false)
	}
	for _, al := range s.Alerts {
		v := 0.0
		if al.Firing {
			v = 1
		}
		c.point(&c.alert, v, a.alert[al.Rule.Name], false)
	}
	for _, l := range s.Latency {
		for q, d := range []time.Duration{l.P50, l.P95, l.P99} {
			if set, ok := a.quantile[quantileKey{l.Window, q}]; ok {
				c.point(&c.q, d.Seconds(), set, false)
			}
		}
	}
}

// scope returns the collection as one scope's metrics, leaving out
// instruments without points.
func (c *collection) scope() metricdata.ScopeMetrics {
	var ms []metricdata.Metrics
	sum := func(name, desc string, pts []metricdata.DataPoint[float64]) {
		if len(pts) > 0 {
			ms = append(ms, metricdata.Metrics{Name: name, Description: desc, Unit: "{event}",
				Data: metricdata.Sum[float64]{DataPoints: pts, Temporality: c.counterTemp, IsMonotonic: true}})
		}
	}
	gauge := func(name, unit, desc string, pts []metricdata.DataPoint[float64]) {
		if len(pts) > 0 {
			ms = append(ms, metricdata.Metrics{Name: name, Description: desc, Unit: unit,
				Data: metricdata.Gauge[float64]{DataPoints: pts}})
		}
	}
	sum(names.GoodEvents, "Good events recorded by the objective's SLI since the process started.", c.good)
	sum(names.ValidEvents, "Valid events recorded by the objective's SLI since the process started.", c.valid)
	const latencyDesc = "Latency of the objective's events since the process started."
	if len(c.latency) > 0 {
		ms = append(ms, metricdata.Metrics{Name: names.Latency, Description: latencyDesc, Unit: "s",
			Data: metricdata.Histogram[float64]{DataPoints: c.latency, Temporality: c.histTemp}})
	}
	if len(c.expLatency) > 0 {
		ms = append(ms, metricdata.Metrics{Name: names.Latency, Description: latencyDesc, Unit: "s",
			Data: metricdata.ExponentialHistogram[float64]{DataPoints: c.expLatency, Temporality: c.histTemp}})
	}
	if len(c.http) > 0 {
		ms = append(ms, metricdata.Metrics{Name: httpDuration, Description: "Duration of HTTP server requests.", Unit: "s",
			Data: metricdata.Histogram[float64]{DataPoints: c.http, Temporality: c.histTemp}})
	}
	if len(c.active) > 0 {
		ms = append(ms, metricdata.Metrics{Name: httpActive, Description: "Number of active HTTP server requests.", Unit: "{request}",
			Data: metricdata.Sum[int64]{DataPoints: c.active, Temporality: metricdata.CumulativeTemporality}})
	}
	gauge(names.SLI, "1", "Good over valid events in the objective's window, in this process.", c.sli)
	gauge(names.Target, "1", "The objective's target ratio.", c.target)
	gauge(names.BudgetLeft, "1", "Fraction of the error budget left in the objective's window, in this process; negative when overspent.", c.left)
	gauge(names.BurnRate, "1", "Error rate over the burn window divided by the allowed error rate, in this process.", c.burn)
	gauge(names.AlertFiring, "1", "1 while the alert rule fires in this process, else 0.", c.alert)
	gauge(names.LatencyQuantile, "s", "Latency quantile over the latency window, in this process.", c.q)
	gauge(names.Exhaustion, "s", "Time until the error budget is spent if the burn rate of the burn window goes on, in this process; not reported when the budget outlasts the period.", c.exhaustion)
	gauge(names.GoodSlices, "{slice}", "Good time slices in the objective's window, in this process: time-slice objectives only.", c.goodSlices)
	gauge(names.ValidSlices, "{slice}", "Valid time slices in the objective's window, in this process: time-slice objectives only.", c.validSlices)
	gauge(names.StatusOK, "1", "1 when the objective's status was computed in this collection, 0 when it failed (its other gauges are then missing).", c.ok)
	sm := metricdata.ScopeMetrics{Metrics: ms}
	sm.Scope.Name = names.Scope
	return sm
}
