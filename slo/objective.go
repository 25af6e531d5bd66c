package slo

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/nines-slo/nines/budget"
	"github.com/nines-slo/nines/internal/access"
	"github.com/nines-slo/nines/internal/printable"
	"github.com/nines-slo/nines/internal/rotation"
	"github.com/nines-slo/nines/sli"
)

// Metadata describes an objective the way docs/concepts.md's SLI template asks,
// so that every report and export can say what is measured and who owns
// it. All fields are free text and optional.
type Metadata struct {
	Service     string // the service or component, "user-profile"
	Owner       string // the team to page or ticket, "team-identity"
	Description string // what the objective promises, "profile pages load"
	Requests    string // which events count, "GET /users/{id}"
	Source      string // where and how they are measured, "load balancer logs, 10s"
	Runbook     string // where a responder starts, a URL: "https://runbooks.example/profile"
}

// Config declares an objective. Name, SLI and Target are required; zero
// values of the rest mean their defaults.
type Config struct {
	// Name identifies the objective: unique within a registry, and the key
	// of its state in snapshots.
	Name string
	// SLI supplies the good and valid events: an *[sli.Ratio], *[sli.Latency],
	// *[sli.Aggregated], or any [sli.Source]. Latency objectives report
	// percentiles too. A time-slice SLI ([sli.RatioSlices],
	// [sli.LatencySlices]) supplies good and valid slices instead: the
	// target is then the fraction of good slices, and the budget, burn
	// rates, alerts and their minimum events count slices.
	SLI sli.Source
	// Components make the objective a composite of other objectives, in
	// place of an SLI: its SLI is then a [Composite], which burns at the
	// weighted mean of its components' burn rates. Set either SLI or
	// Components.
	Components []Component
	// Target is the objective as a ratio in (0, 1): 0.999, never 99.9.
	Target float64
	// Window is the span the objective is measured over; zero is 30 days
	// rolling. The SLI must retain at least the window.
	Window Window
	// Metadata describes the objective for people.
	Metadata Metadata
	// Alerts are the burn-rate alert rules; nil means [DefaultAlerts], an
	// empty non-nil slice none.
	Alerts []AlertRule
	// AtRisk is the fraction of the budget below which a met objective is
	// reported at risk; zero means 0.25.
	AtRisk float64
	// ExhaustionWindow is the burn window whose rate [Status.Exhaustion]
	// assumes: one of [BurnWindows]; zero means
	// [DefaultExhaustionWindow], 6 hours, long enough not to swing with
	// every blip and short enough to see today's burn.
	ExhaustionWindow time.Duration
	// AlertLabels and AlertAnnotations are added to the objective's alerts
	// where they leave the process (the generated Prometheus alerting
	// rules): a team or tier to route on, a dashboard's address. Names are
	// Prometheus label names; those nines sets itself (alertname,
	// severity, owner, the nines_slo_ labels; summary, description,
	// runbook_url) are refused, set through Metadata instead. The maps are
	// copied.
	AlertLabels, AlertAnnotations map[string]string
}

// reservedLabels are the alert labels and annotations nines sets itself.
var reservedLabels = map[string]bool{
	"alertname": true, "alertstate": true, "severity": true, "owner": true,
	"nines_slo_name": true, "nines_slo_service": true, "nines_slo_alert": true,
	"summary": true, "description": true, "runbook_url": true,
}

// checkAlertLabels refuses alert labels and annotations a rule file could
// not carry or that would clash with nines' own.
func (c Config) checkAlertLabels() error {
	for _, m := range []struct {
		field string
		kv    map[string]string
		label bool
	}{{"AlertLabels", c.AlertLabels, true}, {"AlertAnnotations", c.AlertAnnotations, false}} {
		for k, v := range m.kv {
			switch {
			case !printable.LabelName(k):
				return fmt.Errorf("%w: %s: %q is not a label name", ErrInvalidConfig, m.field, k)
			case reservedLabels[k] || strings.HasPrefix(k, "nines_"):
				return fmt.Errorf("%w: %s: %q is one nines sets itself", ErrInvalidConfig, m.field, k)
			case m.label && !printable.Valid(v) || !utf8.ValidString(v):
				return fmt.Errorf("%w: %s[%q] %q holds invalid UTF-8 or a control character", ErrInvalidConfig, m.field, k, v)
			}
		}
	}
	return nil
}

// DefaultAtRisk is the remaining-budget fraction below which an objective
// is at risk.
const DefaultAtRisk = 0.25

// DefaultExhaustionWindow is the burn window whose rate the time to
// exhaustion assumes unless [Config.ExhaustionWindow] says otherwise.
const DefaultExhaustionWindow = 6 * time.Hour

// burnWindows are the windows every status reports burn rates over.
var burnWindows = [...]time.Duration{5 * time.Minute, 30 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour, 3 * 24 * time.Hour}

// BurnWindows returns the windows every status reports burn rates over,
// shortest first: 5m, 30m, 1h, 6h, 1d and 3d. The slice is the caller's.
func BurnWindows() []time.Duration { return slices.Clone(burnWindows[:]) }

// Objective is an SLI held to a target over a window: it computes the SLI,
// the error budget, burn rates and multiwindow burn-rate alerts at any time.
//
// Reading a status (Status, StatusAt) never changes anything. Alerts are
// evaluated in one place, EvaluateAt, which the objective calls on its own
// every evaluation interval ([WithEvaluationInterval]); each alert state
// change is delivered once, to the handler and the logger, in order.
//
// An Objective is safe for concurrent use. Build one with New; the zero
// value is not usable.
type Objective struct {
	name    string
	src     sli.Source
	latency sli.LatencySource // nil unless the SLI is one
	sliced  sli.SliceSource   // nil unless the SLI is one
	target  budget.Target
	window  Window
	meta    Metadata
	labels  map[string]string // Config.AlertLabels
	notes   map[string]string // Config.AlertAnnotations
	rules   []AlertRule
	atRisk  float64
	exhaust time.Duration // Config.ExhaustionWindow
	now     func() time.Time
	handler func(AlertEvent)
	logger  *slog.Logger
	every   time.Duration   // evaluation interval; 0 until an option or New sets it
	timer   *rotation.Timer // evaluates every interval; nil when nothing does

	mu         sync.Mutex
	firing     []time.Time  // per rule: when it started firing; zero when not
	last       time.Time    // latest evaluation that updated alert states
	queue      []AlertEvent // state changes not yet delivered, in order
	delivering bool         // a goroutine is delivering the queue
}

// Option configures an Objective.
type Option interface {
	apply(*Objective)
}

type optionFunc func(*Objective)

func (f optionFunc) apply(o *Objective) { f(o) }

// WithClock makes the objective read time from now instead of the wall
// clock; nil restores the wall clock, as in every package of nines. An
// objective on an injected clock evaluates its alerts on its own
// only when [WithEvaluationInterval] is given too; otherwise EvaluateAt is
// the caller's to call, as a test does.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(o *Objective) { o.now = now })
}

// DefaultEvaluationInterval is how often an objective evaluates its alerts
// unless [WithEvaluationInterval] says otherwise: well within the default
// alerts' shortest window, 5 minutes.
const DefaultEvaluationInterval = 30 * time.Second

// WithEvaluationInterval sets how often, in real time, the objective
// evaluates its alerts on its own (EvaluateAt at its clock's now); New
// fails with [ErrInvalidConfig] for an interval under a millisecond. The
// evaluations run on a timer, one at a time, and no goroutine runs
// between them; the timer holds the objective weakly and stops once it is
// no longer referenced.
func WithEvaluationInterval(d time.Duration) Option {
	return optionFunc(func(o *Objective) {
		o.every = d
		if d < time.Millisecond {
			o.every = -1 // refused by New
		}
	})
}

// WithAlertHandler sets the function that receives every alert state
// change, once each, in the order the changes happened, one call at a time.
// It runs on the goroutine of an evaluation (EvaluateAt, or the objective's
// own), after the objective's lock is released; it may call back into the
// objective.
func WithAlertHandler(f func(AlertEvent)) Option {
	return optionFunc(func(o *Objective) { o.handler = f })
}

// WithLogger sets the logger alert state changes are written to, at Warn
// for firing and Info for resolved. The default is slog.Default().
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(o *Objective) { o.logger = l })
}

// checkText refuses names that an exporter could not carry: invalid UTF-8
// anywhere, and control characters in what becomes a label (the name, the
// service, the owner), so that one objective can never fail a scrape or an
// OTLP request for all.
func (c Config) checkText() error {
	for _, f := range []struct {
		field, v string
		label    bool
	}{
		{"Name", c.Name, true}, {"Metadata.Service", c.Metadata.Service, true}, {"Metadata.Owner", c.Metadata.Owner, true},
		{"Metadata.Description", c.Metadata.Description, false}, {"Metadata.Requests", c.Metadata.Requests, false},
		{"Metadata.Source", c.Metadata.Source, false}, {"Metadata.Runbook", c.Metadata.Runbook, true},
	} {
		if f.label && !printable.Valid(f.v) || !utf8.ValidString(f.v) {
			return fmt.Errorf("%w: %s %q holds invalid UTF-8 or a control character", ErrInvalidConfig, f.field, f.v)
		}
	}
	return nil
}

// New returns the objective c declares. It fails with [ErrInvalidConfig],
// naming the field, for an empty name, a name, service, owner or alert
// name with invalid UTF-8 or a control character (other metadata may hold
// line breaks, not invalid UTF-8), a missing SLI (or Components, or
// both; see [Composite] for what a composite refuses), a target outside
// (0, 1), a bad window or alert rule, or an SLI that does not retain the
// window. Over a time-slice SLI it also fails for a rolling window that is
// not a whole number of slices, a calendar window whose periods may not
// start on a slice boundary (slices that do not divide 15 minutes,
// outside UTC), and an alert rule whose Short window is shorter than a
// slice (the default rules that are are left out).
func New(c Config, opts ...Option) (*Objective, error) {
	if c.Name == "" {
		return nil, fmt.Errorf("%w: Name is empty", ErrInvalidConfig)
	}
	if err := c.checkText(); err != nil {
		return nil, err
	}
	if err := c.checkAlertLabels(); err != nil {
		return nil, fmt.Errorf("%q: %w", c.Name, err)
	}
	if c.SLI == nil && len(c.Components) == 0 {
		return nil, fmt.Errorf("%w: %q: SLI is nil", ErrInvalidConfig, c.Name)
	}
	if err := c.Window.check(); err != nil {
		return nil, fmt.Errorf("%q: %w", c.Name, err)
	}
	w := c.Window.orDefault()
	target, err := budget.NewTarget(c.Target, w.longest())
	if err != nil {
		return nil, fmt.Errorf("%w: %q: Target: %v", ErrInvalidConfig, c.Name, err)
	}
	if !(c.AtRisk >= 0 && c.AtRisk < 1) {
		return nil, fmt.Errorf("%w: %q: AtRisk %v not in [0, 1)", ErrInvalidConfig, c.Name, c.AtRisk)
	}
	exhaustion := cmp.Or(c.ExhaustionWindow, DefaultExhaustionWindow)
	if !slices.Contains(burnWindows[:], exhaustion) {
		return nil, fmt.Errorf("%w: %q: ExhaustionWindow %v is not one of the burn windows %v", ErrInvalidConfig, c.Name, c.ExhaustionWindow, burnWindows)
	}
	o := &Objective{
		name:    c.Name,
		src:     c.SLI,
		target:  target,
		window:  w,
		meta:    c.Metadata,
		labels:  maps.Clone(c.AlertLabels),
		notes:   maps.Clone(c.AlertAnnotations),
		atRisk:  c.AtRisk,
		exhaust: exhaustion,
	}
	if o.atRisk == 0 {
		o.atRisk = DefaultAtRisk
	}
	if len(c.Components) > 0 {
		comp, err := newComposite(c, w, target.ErrorRate())
		if err != nil {
			return nil, fmt.Errorf("%q: %w", c.Name, err)
		}
		o.src = comp
	}
	o.latency, _ = o.src.(sli.LatencySource)
	o.sliced, _ = o.src.(sli.SliceSource)
	if o.sliced != nil {
		if err := checkSlices(o.sliced, w); err != nil {
			return nil, fmt.Errorf("%q: %w", c.Name, err)
		}
	}
	// Alert windows must see a slice of every time-slice SLI they read.
	slice := time.Duration(0)
	if o.sliced != nil {
		slice = o.sliced.Slicing().Length
	}
	if comp, ok := o.src.(*Composite); ok {
		slice = comp.longestSlice()
	}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(o)
		}
	}
	if o.every < 0 {
		return nil, fmt.Errorf("%w: %q: evaluation interval under a millisecond", ErrInvalidConfig, c.Name)
	}
	rules := c.Alerts
	if rules == nil {
		rules = DefaultAlerts()
	}
	// No burn rate exceeds 1 ÷ (1 − target), when every event is bad.
	maxBurn := 1 / target.ErrorRate()
	current, err := budget.NewTarget(c.Target, w.Length(o.clock()))
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrInvalidConfig, c.Name, err)
	}
	names := map[string]bool{}
	for i, r := range rules {
		if err := r.check(i); err != nil {
			return nil, fmt.Errorf("%q: %w", c.Name, err)
		}
		th, minEvents := r.Guard(current)
		if math.IsInf(th, 0) || th == 0 || math.IsInf(minEvents, 0) {
			return nil, fmt.Errorf("%w: %q: Alerts[%d] %q: threshold %v and minimum events %v, want finite and positive numbers", ErrInvalidConfig, c.Name, i, r.Name, th, minEvents)
		}
		if th >= maxBurn && r.Exhaustion == 0 { // an exhaustion rule's falls with the budget
			if c.Alerts == nil {
				continue // a default rule this target cannot trip
			}
			return nil, fmt.Errorf("%w: %q: Alerts[%d] %q can never fire: its threshold %.4g is at least the highest possible burn rate %.4g", ErrInvalidConfig, c.Name, i, r.Name, th, maxBurn)
		}
		if r.Short < slice {
			if c.Alerts == nil {
				continue // a default rule too short to see a slice
			}
			return nil, fmt.Errorf("%w: %q: Alerts[%d] %q: Short %v is shorter than a time slice the SLI reads, %v", ErrInvalidConfig, c.Name, i, r.Name, r.Short, slice)
		}
		if names[r.Name] {
			return nil, fmt.Errorf("%w: %q: two alert rules named %q", ErrInvalidConfig, c.Name, r.Name)
		}
		names[r.Name] = true
		o.rules = append(o.rules, r)
	}
	o.firing = make([]time.Time, len(o.rules))
	// The SLI must answer for the longest span the objective will ask.
	longest := w.longest()
	for _, r := range o.rules {
		longest = max(longest, r.Long)
	}
	if _, err := o.src.CountsAt(o.clock(), longest); errors.Is(err, sli.ErrInvalidWindow) {
		return nil, fmt.Errorf("%w: %q: the SLI does not retain the window: %v", ErrInvalidConfig, c.Name, err)
	}
	if o.every == 0 && o.now == nil {
		o.every = DefaultEvaluationInterval
	}
	if o.every > 0 {
		o.timer = rotation.Start(o, o.every, (*Objective).evaluateOnTimer)
	}
	return o, nil
}

// checkSlices refuses a window w that the slices of sl do not tile: a rolling window must be a whole number of slices, and a
// calendar period must start on a slice boundary, which slices that
// divide 15 minutes do in every time zone in use and any slice does in
// UTC.
func checkSlices(sl sli.SliceSource, w Window) error {
	l := sl.Slicing().Length
	switch {
	case l <= 0:
		return fmt.Errorf("%w: SLI: slices of %v", ErrInvalidConfig, l)
	case !w.IsCalendar() && w.rolling%l != 0:
		return fmt.Errorf("%w: Window %v is not a whole number of the SLI's %v slices", ErrInvalidConfig, w, l)
	case w.IsCalendar() && (15*time.Minute)%l != 0 && w.loc != time.UTC:
		return fmt.Errorf("%w: Window %v: slices of %v do not start at local midnight in every time zone; use slices that divide 15 minutes, or UTC", ErrInvalidConfig, w, l)
	}
	return nil
}

// evaluateOnTimer is the objective's own evaluation; an error goes to its
// logger.
func (o *Objective) evaluateOnTimer(time.Time) {
	if _, err := o.Evaluate(); err != nil {
		o.log().Error("slo: evaluating alerts", slog.String("objective", o.name), slog.Any("error", err))
	}
}

func (o *Objective) log() *slog.Logger {
	if o.logger != nil {
		return o.logger
	}
	return slog.Default()
}

func (o *Objective) clock() time.Time {
	if o.now != nil {
		return o.now()
	}
	return time.Now()
}

// Name returns the objective's name.
func (o *Objective) Name() string { return o.name }

// Target returns the objective ratio, 0.999 say.
func (o *Objective) Target() float64 { return o.target.Objective() }

// Window returns the window the objective is measured over.
func (o *Objective) Window() Window { return o.window }

// AlertLabels returns a copy of the labels its alerts carry out of the
// process (Config.AlertLabels), or nil.
func (o *Objective) AlertLabels() map[string]string { return maps.Clone(o.labels) }

// AlertAnnotations returns a copy of the annotations its alerts carry out
// of the process (Config.AlertAnnotations), or nil.
func (o *Objective) AlertAnnotations() map[string]string { return maps.Clone(o.notes) }

// Metadata returns the objective's description.
func (o *Objective) Metadata() Metadata { return o.meta }

// SLI returns the objective's SLI.
func (o *Objective) SLI() sli.Source { return o.src }

// Alerts returns a copy of the objective's alert rules.
func (o *Objective) Alerts() []AlertRule { return slices.Clone(o.rules) }

// Config returns the configuration the objective was built with, with its
// defaults filled in: the window, the alert rules New kept, AtRisk and
// ExhaustionWindow. A composite's has Components and no SLI. New builds an
// objective that behaves the same from it, which is what tools that write
// objectives out (OpenSLO, rule files) read. The slices and maps are
// copies.
func (o *Objective) Config() Config {
	c := Config{
		Name:             o.name,
		SLI:              o.src,
		Target:           o.target.Objective(),
		Window:           o.window,
		Metadata:         o.meta,
		Alerts:           append([]AlertRule{}, o.rules...), // never nil: nil means the defaults
		AtRisk:           o.atRisk,
		ExhaustionWindow: o.exhaust,
		AlertLabels:      o.AlertLabels(),
		AlertAnnotations: o.AlertAnnotations(),
	}
	if comp, ok := o.src.(*Composite); ok {
		c.SLI, c.Components = nil, comp.Components()
	}
	return c
}

// Attainment is an objective's standing over its window.
type Attainment uint8

// Attainments. The rule: [Breached] when the SLI is below the target (the
// budget is overspent: Remaining < 0); AtRisk when less than the [Config.AtRisk]
// fraction of the budget remains (0 included) or any alert is firing; Met
// otherwise. [NoData] when the window has no valid events; [Failed] when
// the status could not be computed at all (its SLI failed), with the
// reason in [Status.Err].
const (
	NoData Attainment = iota
	Met
	AtRisk
	Breached
	Failed
)

// String returns "no data", "met", "at risk", "breached" or "failed".
func (a Attainment) String() string {
	switch a {
	case NoData:
		return "no data"
	case Met:
		return "met"
	case AtRisk:
		return "at risk"
	case Breached:
		return "breached"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("Attainment(%d)", uint8(a))
}

// BurnRate is the burn rate over one window ending at the status time.
type BurnRate struct {
	Window      time.Duration // the window, ending at the status time
	Good, Valid float64       // events in the window
	Rate        float64       // (bad/valid) ÷ (1 − target); 0 when NoData
	NoData      bool          // no valid events in the window
}

// Alert is the state of one alert rule at the status time.
type Alert struct {
	Rule      AlertRule // the rule
	Threshold float64   // burn rate that fires it, for this window's period
	MinEvents float64   // valid events the Long window needs before it may fire
	Long      BurnRate  // over Rule.Long
	Short     BurnRate  // over Rule.Short
	Firing    bool      // whether the rule is firing
	Since     time.Time // when it started firing; zero when not firing
}

// Exhaustion is when the objective's budget runs out if the burn rate of
// Window goes on; see [budget.Budget.Exhaustion]. Over a rolling window
// the budget is never exhausted when it outlasts the window; over a
// calendar window, when it outlasts the period (the budget starts over).
type Exhaustion struct {
	Window time.Duration // the burn window whose rate is assumed
	NoData bool          // no valid events in the window or the budget: nothing to tell
	budget.Exhaustion
}

// Status is everything an objective reports at one time. It is a plain
// value; the caller owns it.
type Status struct {
	Name     string    // the objective's name
	Metadata Metadata  // the objective's description
	Target   float64   // the objective ratio
	Window   Window    // the window it is measured over
	At       time.Time // the time the status is for
	Start    time.Time // the window's start: At − window, or the calendar period's start

	Good, Valid float64       // events in the window (slices, for a time-slice SLI)
	SLI         float64       // Good ÷ Valid; 0 when NoData
	NoData      bool          // no valid events in the window
	Attainment  Attainment    // met, at risk, breached, or no data
	Budget      budget.Budget // the error budget over the window: Remaining() is what gates check
	Traffic     float64       // valid events per second over the window so far

	// Slicing describes a time-slice SLI's slices ([sli.SliceSource]),
	// whose good and valid slices Good and Valid count, and Events the
	// events in them, from which Traffic is; both zero for an SLI of
	// events.
	Slicing sli.Slicing
	Events  sli.Counts

	// Components are a composite objective's components over the
	// window, in order; nil for an objective of one SLI.
	Components []ComponentBurn

	BurnRates  []BurnRate        // over BurnWindows()
	Exhaustion Exhaustion        // at the burn rate of [Config.ExhaustionWindow]
	Alerts     []Alert           // one per rule
	Latency    []sli.Percentiles // latency objectives: p50/p95/p99 per histogram window with data

	// Exemplars are the SLI's most recent bad (or slow) events recorded
	// with a sampled span, from the window up to At, the latest first:
	// the requests behind a burning budget, by their traces
	// ([sli.ExemplarSource]; at most [sli.MaxExemplars]). A composite's
	// are its components'.
	Exemplars []sli.Exemplar

	// Err is why the status could not be computed (an SLI that failed, a
	// count that is not finite); nil otherwise. A failed status has its
	// Attainment [Failed], its description (Name, Metadata, Target,
	// Window, At, Start) and nothing measured.
	Err error
}

// Remaining returns the fraction of the error budget left; see
// [budget.Budget.Remaining]. It fails with [budget.ErrNoData] without valid
// events.
func (s Status) Remaining() (float64, error) { return s.Budget.Remaining() }

// Status returns the objective's status now; see StatusAt.
func (o *Objective) Status() (Status, error) { return o.StatusAt(o.clock()) }

// StatusAt returns the objective's status at t. It changes nothing and
// calls no handler: each alert reports whether its condition holds at t
// (Firing), and Since is when the latest evaluation saw it start firing,
// if it did. It may be called from anywhere, as often as wanted — a status
// page anyone may load, every collection of an exporter.
//
// When the status cannot be computed (the SLI fails), the error is
// returned and the status is still the objective's, [Failed], with the
// error in Err, so that a report of many objectives can show it beside
// the others.
func (o *Objective) StatusAt(t time.Time) (Status, error) { return o.statusAt(t, false) }

// Evaluate evaluates the alerts now; see EvaluateAt.
func (o *Objective) Evaluate() (Status, error) { return o.EvaluateAt(o.clock()) }

// EvaluateAt computes the status at t, as StatusAt does, and, when t lies
// between the latest evaluation and the clock's now, updates the alert
// states and delivers their changes to the handler and the logger before
// it returns. At an earlier or later t it changes nothing. The objective
// calls it on its own every evaluation interval (see
// [WithEvaluationInterval]); a caller that drives the clock, as a test
// does, calls it itself.
func (o *Objective) EvaluateAt(t time.Time) (Status, error) { return o.statusAt(t, true) }

// statusAt computes the status at t; mayUpdate lets it update the alert
// states and deliver their changes (see EvaluateAt). A status that cannot
// be computed is the failed status, with the error.
func (o *Objective) statusAt(t time.Time, mayUpdate bool) (Status, error) {
	s, err := o.compute(t, mayUpdate)
	if err != nil {
		start, _ := o.window.Bounds(t)
		s = Status{Name: o.name, Metadata: o.meta, Target: o.target.Objective(), Window: o.window,
			At: t, Start: start, NoData: true, Attainment: Failed, Err: err,
			Exhaustion: Exhaustion{Window: o.exhaust, NoData: true}}
		// The budget of no events, so that its target and period are
		// there to report.
		if target, terr := budget.NewTarget(o.target.Objective(), o.window.Length(t)); terr == nil {
			s.Budget, _ = target.Budget(0, 0)
		}
	}
	return s, err
}

// compute computes the status at t; see statusAt.
func (o *Objective) compute(t time.Time, mayUpdate bool) (Status, error) {
	start, end := o.window.Bounds(t)
	target, err := budget.NewTarget(o.target.Objective(), o.window.Length(t))
	if err != nil {
		return Status{}, fmt.Errorf("slo: %q: %w", o.name, err)
	}
	elapsed := t.Sub(start)
	// Every window the status reads, summed in one pass where the SLI can
	// (its own Ratio or Latency), else one by one as they are asked for.
	ws := make([]time.Duration, 0, 1+len(burnWindows)+2*len(o.rules))
	need := func(w time.Duration) {
		if w > 0 && !slices.Contains(ws, w) {
			ws = append(ws, w)
		}
	}
	need(elapsed)
	for _, w := range burnWindows {
		need(w)
	}
	for _, r := range o.rules {
		need(r.Long)
		need(r.Short)
	}
	type entry struct {
		c     sli.Counts
		known bool
	}
	cache := make([]entry, len(ws))
	if access.CountsManyAt != nil {
		gv := make([]float64, 2*len(ws))
		good, valid := gv[:len(ws)], gv[len(ws):]
		ok, err := access.CountsManyAt(o.src, t, ws, good, valid)
		if err != nil {
			return Status{}, fmt.Errorf("slo: %q: %w", o.name, err)
		}
		for i := range ws {
			cache[i] = entry{sli.Counts{Good: good[i], Valid: valid[i]}, ok}
		}
	}
	counts := func(w time.Duration) (sli.Counts, error) {
		i := slices.Index(ws, w)
		if i < 0 {
			return sli.Counts{}, nil // w ≤ 0: no events
		}
		if e := &cache[i]; !e.known {
			c, err := o.src.CountsAt(t, w)
			if err != nil {
				return sli.Counts{}, fmt.Errorf("slo: %q: %w", o.name, err)
			}
			*e = entry{c, true}
		}
		return cache[i].c, nil
	}
	c, err := counts(elapsed)
	if err != nil {
		return Status{}, err
	}
	s := Status{
		Name: o.name, Metadata: o.meta, Target: target.Objective(), Window: o.window,
		At: t, Start: start, Good: c.Good, Valid: c.Valid, NoData: c.Valid == 0,
	}
	if !s.NoData {
		s.SLI = c.Good / c.Valid
	}
	events := c
	if o.sliced != nil {
		s.Slicing = o.sliced.Slicing()
		events = sli.Counts{}
		if elapsed > 0 {
			if events, err = o.sliced.EventsAt(t, elapsed); err != nil {
				return Status{}, fmt.Errorf("slo: %q: %w", o.name, err)
			}
		}
		s.Events = events
	}
	if elapsed > 0 {
		s.Traffic = events.Valid / elapsed.Seconds()
	}
	if comp, ok := o.src.(*Composite); ok && elapsed > 0 {
		if s.Components, _, _, _, err = comp.burnsAt(t, elapsed); err != nil {
			return Status{}, fmt.Errorf("slo: %q: %w", o.name, err)
		}
	}
	if s.Budget, err = target.Budget(c.Good, c.Valid); err != nil {
		return Status{}, fmt.Errorf("slo: %q: %w", o.name, err)
	}
	burn := func(w time.Duration) (BurnRate, error) {
		c, err := counts(w)
		if err != nil {
			return BurnRate{}, err
		}
		b := BurnRate{Window: w, Good: c.Good, Valid: c.Valid, NoData: c.Valid == 0}
		if !b.NoData {
			b.Rate, _ = target.BurnRate(c.Good, c.Valid)
		}
		return b, nil
	}
	for _, w := range burnWindows {
		b, err := burn(w)
		if err != nil {
			return Status{}, err
		}
		s.BurnRates = append(s.BurnRates, b)
		if w == o.exhaust {
			s.Exhaustion = Exhaustion{Window: w, NoData: true}
			left := o.window.rolling
			if o.window.IsCalendar() {
				left = end.Sub(t)
			}
			if e, err := s.Budget.Exhaustion(b.Rate, left); err == nil && !b.NoData {
				s.Exhaustion = Exhaustion{Window: w, Exhaustion: e}
			}
		}
	}
	s.Alerts = make([]Alert, len(o.rules))
	remaining, err := s.Budget.Remaining()
	if err != nil {
		remaining = 1 // no events: no rule has enough to fire
	}
	for i, r := range o.rules {
		a := Alert{Rule: r}
		_, a.MinEvents = r.Guard(target)
		a.Threshold = r.ThresholdAt(target, remaining)
		if a.Long, err = burn(r.Long); err != nil {
			return Status{}, err
		}
		if a.Short, err = burn(r.Short); err != nil {
			return Status{}, err
		}
		s.Alerts[i] = a
	}
	o.evaluate(t, s.Alerts, mayUpdate)
	s.Attainment = o.attainment(s)
	if o.latency != nil {
		for _, w := range o.latency.Windows() {
			if p, err := o.latency.PercentilesAt(t, w); err == nil {
				s.Latency = append(s.Latency, p)
			}
		}
	}
	s.Exemplars = exemplarsIn(o.src, s.Start, t)
	if mayUpdate {
		o.deliver()
	}
	return s, nil
}

// exemplarsIn returns src's exemplars in (start, t], the latest first; a
// composite's are its components'.
func exemplarsIn(src sli.Source, start, t time.Time) []sli.Exemplar {
	var all []sli.Exemplar
	switch s := src.(type) {
	case sli.ExemplarSource:
		all = s.Exemplars()
	case *Composite:
		for _, c := range s.parts {
			all = append(all, exemplarsIn(c.Objective.src, start, t)...)
		}
		slices.SortFunc(all, func(a, b sli.Exemplar) int { // latest first; one exemplar's copies side by side
			return cmp.Or(b.Time.Compare(a.Time), bytes.Compare(a.TraceID[:], b.TraceID[:]), bytes.Compare(a.SpanID[:], b.SpanID[:]))
		})
	}
	kept := all[:0]
	for i, e := range all {
		// In the window, and once: components may share an SLI.
		if e.Time.After(start) && !e.Time.After(t) && (i == 0 || e != all[i-1]) {
			kept = append(kept, e)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return kept[:min(len(kept), sli.MaxExemplars)]
}

// evaluate updates the alert states from the burn rates in alerts (filling
// in Firing and Since) and queues the state changes for delivery. Only an
// evaluation at a time between the latest one and the clock's now changes
// state; one in the past or the future reports what the rules say then.
func (o *Objective) evaluate(t time.Time, alerts []Alert, mayUpdate bool) {
	now := o.clock()
	o.mu.Lock()
	defer o.mu.Unlock()
	update := mayUpdate && !t.Before(o.last) && !t.After(now)
	if update {
		o.last = t
	}
	for i := range alerts {
		a := &alerts[i]
		enough := a.Long.Valid >= a.MinEvents
		fire := enough && a.Long.Rate > a.Threshold && a.Short.Rate > a.Threshold
		if !update {
			a.Firing = fire
			if fire && !mayUpdate {
				a.Since = o.firing[i] // zero unless the latest evaluation saw it fire
			}
			continue
		}
		was := !o.firing[i].IsZero()
		switch {
		case !was && fire:
			o.firing[i] = t
		case was && !fire:
			o.firing[i] = time.Time{}
		}
		a.Firing = !o.firing[i].IsZero()
		a.Since = o.firing[i]
		if a.Firing != was {
			o.queue = append(o.queue, AlertEvent{
				Objective: o.name, Rule: a.Rule, Firing: a.Firing, At: t,
				Long: a.Long.Rate, Short: a.Short.Rate, Threshold: a.Threshold,
			})
		}
	}
}

func (o *Objective) attainment(s Status) Attainment {
	r, err := s.Budget.Remaining()
	if err != nil {
		return NoData
	}
	if r < 0 {
		return Breached
	}
	if r < o.atRisk {
		return AtRisk
	}
	for _, a := range s.Alerts {
		if a.Firing {
			return AtRisk
		}
	}
	return Met
}

// deliver hands queued state changes to the logger and the handler, in the
// order they happened, one at a time, outside the state lock. Whoever finds
// the queue unattended delivers it, including events queued meanwhile by
// other goroutines or by the handler itself; the others return at once.
func (o *Objective) deliver() {
	o.mu.Lock()
	if o.delivering || len(o.queue) == 0 {
		o.mu.Unlock()
		return
	}
	o.delivering = true
	o.mu.Unlock()
	finished := false
	defer func() {
		if !finished { // a handler panicked: let the next caller deliver
			o.mu.Lock()
			o.delivering = false
			o.mu.Unlock()
		}
	}()
	logger := o.log()
	for {
		o.mu.Lock()
		batch := o.queue
		o.queue = nil
		if len(batch) == 0 {
			o.delivering = false
			o.mu.Unlock()
			finished = true
			return
		}
		o.mu.Unlock()
		for _, e := range batch {
			level, msg := slog.LevelWarn, "slo alert firing"
			if !e.Firing {
				level, msg = slog.LevelInfo, "slo alert resolved"
			}
			logger.Log(context.Background(), level, msg,
				slog.String("objective", e.Objective), slog.String("alert", e.Rule.Name),
				slog.String("severity", e.Rule.Severity.String()), slog.Float64("burn_long", e.Long),
				slog.Float64("burn_short", e.Short), slog.Float64("threshold", e.Threshold),
				slog.Time("at", e.At))
			if o.handler != nil {
				o.handler(e)
			}
		}
	}
}
