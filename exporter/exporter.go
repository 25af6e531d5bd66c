package exporter

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// ErrInvalidOption is returned by New for an option it cannot use.
var ErrInvalidOption = errors.New("exporter: invalid option")

// DefaultBoundaries are the latency histogram's bucket boundaries unless
// WithBoundaries sets others: OpenTelemetry's advice for HTTP server
// request durations. Each latency objective's threshold is added to them.
func DefaultBoundaries() []time.Duration {
	ms := time.Millisecond
	return []time.Duration{5 * ms, 10 * ms, 25 * ms, 50 * ms, 75 * ms, 100 * ms, 250 * ms, 500 * ms, 750 * ms,
		time.Second, 2500 * ms, 5 * time.Second, 7500 * ms, 10 * time.Second}
}

// Exporter reports a registry's objectives through OpenTelemetry: counters
// and gauges on the MeterProviders it is registered on, and latency
// histograms through its Produce method (see the package documentation).
//
// An Exporter starts no goroutine and adds nothing to the recording path:
// it reads the objectives' state when a reader collects. It is safe for
// concurrent use. Build one with New.
type Exporter struct {
	reg    *slo.Registry
	bounds []time.Duration
	clock  func() time.Time // nil: each objective's own
	start  time.Time

	mu     sync.Mutex
	closed bool
	regs   []metric.Registration
	attrs  map[*slo.Objective]*objectiveAttrs
}

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

// Option configures an Exporter.
type Option interface{ apply(*Exporter) error }

type optionFunc func(*Exporter) error

func (f optionFunc) apply(e *Exporter) error { return f(e) }

// WithBoundaries sets the latency histogram's bucket boundaries, which
// must be positive and increasing; each latency objective's threshold is
// added to them. The default is DefaultBoundaries.
func WithBoundaries(b []time.Duration) Option {
	return optionFunc(func(e *Exporter) error {
		for i, d := range b {
			if d <= 0 || (i > 0 && d <= b[i-1]) {
				return fmt.Errorf("%w: WithBoundaries: boundary %d (%v) is not positive and above the one before", ErrInvalidOption, i, d)
			}
		}
		e.bounds = slices.Clone(b)
		return nil
	})
}

// WithClock makes the exporter read time from now: the time each status is
// computed for, and the histograms' timestamps. By default, or with a nil
// now, as in every package of nines, a status is each objective's own
// (Objective.Status, on the clock it was built with), and timestamps come
// from the wall clock.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(e *Exporter) error {
		e.clock = now
		return nil
	})
}

func (e *Exporter) now() time.Time {
	if e.clock != nil {
		return e.clock()
	}
	return time.Now()
}

// New returns an Exporter of r's objectives — those r holds now and those
// added later. Register puts its counters and gauges on a MeterProvider;
// the Exporter itself is the Producer of the latency histograms, to hand to
// readers. It fails with ErrInvalidOption for a nil registry or a bad
// option.
func New(r *slo.Registry, opts ...Option) (*Exporter, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil registry", ErrInvalidOption)
	}
	e := &Exporter{reg: r, bounds: DefaultBoundaries(), attrs: map[*slo.Objective]*objectiveAttrs{}}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.apply(e); err != nil {
			return nil, err
		}
	}
	e.start = e.now()
	return e, nil
}

// instruments are one MeterProvider's instruments.
type instruments struct {
	good, valid, sli, target, left, burn, alert, quant metric.Float64Observable
}

// Register creates the counters and gauges on mp — no global provider is
// involved — with one callback that reads every objective when a reader
// collects. An Exporter may be registered on several providers. It fails
// with ErrInvalidOption for a nil provider or a closed exporter, and with
// the meter's error if mp refuses an instrument.
func (e *Exporter) Register(mp metric.MeterProvider) error {
	if mp == nil {
		return fmt.Errorf("%w: nil meter provider", ErrInvalidOption)
	}
	m := mp.Meter(ScopeName)
	var errs []error
	counter := func(name, desc string) metric.Float64Observable {
		c, err := m.Float64ObservableCounter(name, metric.WithUnit("{event}"), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	gauge := func(name, unit, desc string) metric.Float64Observable {
		g, err := m.Float64ObservableGauge(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return g
	}
	in := &instruments{
		good:   counter(GoodEvents, "Good events recorded by the objective's SLI since the process started."),
		valid:  counter(ValidEvents, "Valid events recorded by the objective's SLI since the process started."),
		sli:    gauge(SLI, "1", "Good over valid events in the objective's window, in this process."),
		target: gauge(Target, "1", "The objective's target ratio."),
		left:   gauge(BudgetLeft, "1", "Fraction of the error budget left in the objective's window, in this process; negative when overspent."),
		burn:   gauge(BurnRate, "1", "Error rate over the burn window divided by the allowed error rate, in this process."),
		alert:  gauge(AlertFiring, "1", "1 while the alert rule fires in this process, else 0."),
		quant:  gauge(LatencyQuantile, "s", "Latency quantile over the latency window, in this process."),
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("exporter: %w", err)
	}
	if e.isClosed() {
		return fmt.Errorf("%w: the exporter is closed", ErrInvalidOption)
	}
	// The SDK runs callbacks under its own lock, and observe takes e.mu:
	// never call into the SDK holding e.mu, or a collection running now
	// and this call would wait for each other for ever.
	reg, err := m.RegisterCallback(func(_ context.Context, ob metric.Observer) error { return e.observe(in, ob) },
		in.good, in.valid, in.sli, in.target, in.left, in.burn, in.alert, in.quant)
	if err != nil {
		return fmt.Errorf("exporter: %w", err)
	}
	e.mu.Lock()
	closed := e.closed
	if !closed {
		e.regs = append(e.regs, reg)
	}
	e.mu.Unlock()
	if closed { // closed meanwhile
		reg.Unregister()
		return fmt.Errorf("%w: the exporter is closed", ErrInvalidOption)
	}
	return nil
}

func (e *Exporter) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// Close unregisters the callbacks of every Register; after it the exporter
// reports nothing, and Produce returns no histograms. It is idempotent, and
// safe while readers collect.
func (e *Exporter) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	regs := e.regs
	e.regs = nil
	e.mu.Unlock()
	var errs []error
	for _, r := range regs { // outside e.mu: see Register
		errs = append(errs, r.Unregister())
	}
	return errors.Join(errs...)
}

// attrsOf returns o's attribute sets, building them on first use.
func (e *Exporter) attrsOf(o *slo.Objective) *objectiveAttrs {
	e.mu.Lock()
	defer e.mu.Unlock()
	if a, ok := e.attrs[o]; ok {
		return a
	}
	kv := []attribute.KeyValue{NameKey.String(o.Name())}
	if s := o.Metadata().Service; s != "" {
		kv = append(kv, ServiceKey.String(s))
	}
	with := func(extra ...attribute.KeyValue) attribute.Set {
		return attribute.NewSet(append(slices.Clone(kv), extra...)...)
	}
	a := &objectiveAttrs{
		base: with(),
		burn: map[time.Duration]attribute.Set{}, alert: map[string]attribute.Set{}, quantile: map[quantileKey]attribute.Set{},
	}
	for _, w := range slo.BurnWindows() {
		a.burn[w] = with(BurnWindowKey.String(Duration(w)))
	}
	for _, r := range o.Alerts() {
		a.alert[r.Name] = with(AlertKey.String(r.Name), SeverityKey.String(r.Severity.String()))
	}
	if l, ok := o.SLI().(sli.LatencySource); ok {
		for _, w := range l.Windows() {
			for q := range quantiles {
				a.quantile[quantileKey{w, q}] = with(LatencyWindowKey.String(Duration(w)), QuantileKey.String(quantiles[q]))
			}
		}
		a.boundsNS = boundaries(e.bounds, l.Threshold())
		for _, b := range a.boundsNS {
			a.bounds = append(a.bounds, time.Duration(b).Seconds())
		}
	}
	e.attrs[o] = a
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

// observe is the instruments' callback: one status per objective.
func (e *Exporter) observe(in *instruments, ob metric.Observer) error {
	if e.isClosed() {
		return nil
	}
	var errs []error
	for _, o := range e.reg.Objectives() {
		a := e.attrsOf(o)
		set := metric.WithAttributeSet(a.base)
		if c, ok := recorded(o.SLI()); ok {
			ob.ObserveFloat64(in.good, c.Good, set)
			ob.ObserveFloat64(in.valid, c.Valid, set)
		}
		ob.ObserveFloat64(in.target, o.Target(), set)
		var s slo.Status
		var err error
		if e.clock != nil {
			s, err = o.StatusAt(e.clock())
		} else {
			s, err = o.Status() // on the objective's own clock
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !s.NoData {
			ob.ObserveFloat64(in.sli, s.SLI, set)
		}
		if left, err := s.Remaining(); err == nil {
			ob.ObserveFloat64(in.left, left, set)
		}
		for _, b := range s.BurnRates {
			if !b.NoData {
				ob.ObserveFloat64(in.burn, b.Rate, metric.WithAttributeSet(a.burn[b.Window]))
			}
		}
		for _, al := range s.Alerts {
			v := 0.0
			if al.Firing {
				v = 1
			}
			ob.ObserveFloat64(in.alert, v, metric.WithAttributeSet(a.alert[al.Rule.Name]))
		}
		for _, p := range s.Latency {
			for q, d := range []time.Duration{p.P50, p.P95, p.P99} {
				if set, ok := a.quantile[quantileKey{p.Window, q}]; ok {
					ob.ObserveFloat64(in.quant, d.Seconds(), metric.WithAttributeSet(set))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// recorded returns the good and valid events recorded into src since its
// creation, not counting restored state — what the event counters report:
// an sli.Counted's, or an Aggregated's parts' summed, weighted. It reports
// false for a Source that cannot say (an Aggregated with such a part
// included): its objective gets gauges but no counters.
func recorded(src sli.Source) (sli.Counts, bool) {
	switch s := src.(type) {
	case sli.Counted:
		return s.Recorded(), true
	case *sli.Aggregated:
		var sum sli.Counts
		for _, p := range s.Parts() {
			c, ok := recorded(p.SLI)
			if !ok {
				return sli.Counts{}, false
			}
			sum.Good += p.Weight * c.Good
			sum.Valid += p.Weight * c.Valid
		}
		return sum, true
	}
	return sli.Counts{}, false
}
