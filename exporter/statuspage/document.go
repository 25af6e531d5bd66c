package statuspage

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/nines-slo/nines/exporter/internal/names"
	"github.com/nines-slo/nines/internal/limit"
	"github.com/nines-slo/nines/slo"
)

// Schema names the version of the status document. A change that
// could break a reader (a field removed or its meaning changed) gets a new
// version; fields are only ever added within one.
const Schema = "nines.status/v1"

// Document is the JSON document the status handler serves at
// ?format=json (or to Accept: application/json): every objective of a
// registry, for machines and release gates. Times are RFC 3339, durations
// and latencies are in seconds, ratios are fractions (0.999, not 99.9).
// Fields that have no value without data (no valid events in the window)
// are null, never 0 or NaN.
type Document struct {
	Schema string    `json:"schema"` // Schema
	At     time.Time `json:"at"`     // when the document was computed
	// Instance identifies the process that served the document
	// ([WithInstance], or one made at its start), so that a reader of
	// several replicas' documents can tell two replicas from one read
	// twice. Empty in a document that was not served.
	Instance   string      `json:"instance,omitempty"`
	Objectives []Objective `json:"objectives"` // in registry order
}

// Objective is one objective in a Document.
type Objective struct {
	Name        string    `json:"name"`
	Service     string    `json:"service,omitempty"`
	Owner       string    `json:"owner,omitempty"`
	Description string    `json:"description,omitempty"`
	Requests    string    `json:"requests,omitempty"` // which events count
	Source      string    `json:"source,omitempty"`   // where they are measured
	Runbook     string    `json:"runbook,omitempty"`  // where a responder starts
	Target      float64   `json:"target"`             // the objective, 0.999
	Window      string    `json:"window"`             // "30d rolling", "calendar month (UTC)"
	Period      float64   `json:"periodSeconds"`      // the budget period's length
	Start       time.Time `json:"start"`              // the window's start
	State       string    `json:"state"`              // "met", "at risk", "breached", "no data" or "failed"
	Error       string    `json:"error,omitempty"`    // why the status failed ("failed" only)

	Good    float64  `json:"good"`             // good events in the window (slices, for a time-slice objective)
	Valid   float64  `json:"valid"`            // valid events in the window (slices, for a time-slice objective)
	SLI     *float64 `json:"sli"`              // good ÷ valid; null without data
	Traffic float64  `json:"trafficPerSecond"` // valid events per second over the window so far

	// Slices describes a time-slice objective, whose good and valid
	// counts — and budget, burn rates and alerts — count slices; absent
	// for an objective over events.
	Slices *Slices `json:"slices,omitempty"`
	// Components are a composite objective's components over the window
	// (see [slo.Composite]); absent for an objective of one SLI.
	Components []Component `json:"components,omitempty"`
	// Exemplars are the window's most recent bad (or slow) requests that
	// had a sampled trace, the latest first ([slo.Status.Exemplars]).
	Exemplars []Exemplar `json:"exemplars,omitempty"`

	Budget     *Budget     `json:"budget"`     // null without data
	Exhaustion *Exhaustion `json:"exhaustion"` // null without data in its window
	BurnRates  []Burn      `json:"burnRates"`
	Alerts     []Alert     `json:"alerts"`
	Latency    []Latency   `json:"latency,omitempty"` // latency objectives: per histogram window with data
}

// Budget is an objective's error budget over its window.
type Budget struct {
	Remaining        float64 `json:"remaining"`        // fraction left: 1 untouched, 0 spent, < 0 overspent
	RemainingEvents  float64 `json:"remainingEvents"`  // bad events the window's traffic can still absorb
	RemainingSeconds float64 `json:"remainingSeconds"` // downtime left over the period
	AllowedEvents    float64 `json:"allowedEvents"`    // bad events allowed among the valid ones
	BadEvents        float64 `json:"badEvents"`        // bad events counted
}

// Component is one component of a composite objective over its window.
type Component struct {
	Name     string   `json:"name"`
	Weight   float64  `json:"weight"`
	Good     float64  `json:"good"`
	Valid    float64  `json:"valid"`
	BurnRate *float64 `json:"burnRate"` // against its own target; null when left out
	NoData   bool     `json:"noData"`   // no valid events in the window
	Excluded bool     `json:"excluded"` // left out of the window for want of data
}

// Exemplar is one bad or slow request with its trace; see [sli.Exemplar].
type Exemplar struct {
	Time    time.Time `json:"time"`
	TraceID string    `json:"traceId"` // 32 hexadecimal digits, as OpenTelemetry writes it
	SpanID  string    `json:"spanId"`  // 16 hexadecimal digits
	// Seconds is the request's duration, where it was recorded with one.
	Seconds *float64 `json:"durationSeconds,omitempty"`
}

// Slices describes a time-slice objective's slices; see [sli.Slicing].
type Slices struct {
	Length      string   `json:"length"` // "1m"
	Seconds     float64  `json:"lengthSeconds"`
	Good        string   `json:"good"`                       // what makes a slice good: "p99 ≤ 300ms in each 1m0s slice"
	MinGood     float64  `json:"minGood"`                    // the fraction of a slice's events that must be good (the percentile, for latencies)
	Threshold   *float64 `json:"thresholdSeconds,omitempty"` // the latency threshold; absent for a ratio
	Empty       string   `json:"empty"`                      // what a slice without valid events counts as: "not valid", "good" or "bad"
	GoodEvents  float64  `json:"goodEvents"`                 // good events in the window's slices
	ValidEvents float64  `json:"validEvents"`                // valid events in the window's slices
}

// Exhaustion is when the budget runs out at the burn rate of a recent
// window; see [slo.Exhaustion].
type Exhaustion struct {
	Window    string   `json:"window"` // the burn window whose rate is assumed, "6h"
	Seconds   float64  `json:"windowSeconds"`
	BurnRate  float64  `json:"burnRate"`
	Never     bool     `json:"never"`          // the budget outlasts the period at that rate
	In        *float64 `json:"inSeconds"`      // until the budget is spent; null when never
	LeftAtEnd float64  `json:"remainingAtEnd"` // fraction left when the period ends at that rate
}

// Burn is a burn rate over one window ending at the document's time.
type Burn struct {
	Window  string   `json:"window"` // "5m"
	Seconds float64  `json:"windowSeconds"`
	Good    float64  `json:"good"`
	Valid   float64  `json:"valid"`
	Rate    *float64 `json:"rate"` // null without data
}

// Alert is the state of one burn-rate alert rule.
type Alert struct {
	Name      string     `json:"name"`     // "page-1h"
	Severity  string     `json:"severity"` // "page" or "ticket"
	Firing    bool       `json:"firing"`
	Since     *time.Time `json:"since,omitempty"`
	Threshold *float64   `json:"threshold"` // burn rate that fires it; null if not finite
	MinEvents *float64   `json:"minEvents"` // valid events the long window needs; null if not finite
	Long      Burn       `json:"long"`
	Short     Burn       `json:"short"`
	// The rule: the fraction of the budget a burn-rate rule's threshold
	// spends in Long, or an exhaustion rule's horizon in seconds (see
	// [slo.AlertRule]), so that a tool can write the rule out again.
	BudgetFraction *float64 `json:"budgetFraction,omitempty"`
	Exhaustion     *float64 `json:"exhaustionSeconds,omitempty"`
}

// Latency is the latency percentiles over one window.
type Latency struct {
	Window  string  `json:"window"` // "5m"
	Seconds float64 `json:"windowSeconds"`
	Count   uint64  `json:"count"`
	P50     float64 `json:"p50"` // seconds
	P95     float64 `json:"p95"`
	P99     float64 `json:"p99"`
	P999    float64 `json:"p999"`
}

// NewDocument returns the document for statuses computed at at.
func NewDocument(at time.Time, statuses []slo.Status) Document {
	doc := Document{Schema: Schema, At: at, Objectives: make([]Objective, 0, len(statuses))}
	for _, s := range statuses {
		doc.Objectives = append(doc.Objectives, objectiveStatus(s))
	}
	return doc
}

func objectiveStatus(s slo.Status) Objective {
	o := Objective{
		Name: s.Name, Service: s.Metadata.Service, Owner: s.Metadata.Owner, Description: s.Metadata.Description,
		Requests: s.Metadata.Requests, Source: s.Metadata.Source, Runbook: s.Metadata.Runbook,
		Target: s.Target, Window: s.Window.String(), Period: s.Budget.Target().Period().Seconds(), Start: s.Start,
		State: s.Attainment.String(), Good: s.Good, Valid: s.Valid, Traffic: s.Traffic,
		BurnRates: []Burn{}, Alerts: []Alert{},
	}
	if s.Err != nil {
		o.Error = s.Err.Error()
	}
	if !s.NoData {
		o.SLI = finite(s.SLI)
	}
	for _, c := range s.Components {
		cs := Component{Name: c.Name, Weight: c.Weight, Good: c.Good, Valid: c.Valid, NoData: c.NoData, Excluded: c.Excluded}
		if !c.Excluded {
			cs.BurnRate = finite(c.Rate)
		}
		o.Components = append(o.Components, cs)
	}
	for _, e := range s.Exemplars {
		x := Exemplar{Time: e.Time, TraceID: e.TraceID.String(), SpanID: e.SpanID.String()}
		if e.Duration > 0 {
			x.Seconds = ptr(e.Duration.Seconds())
		}
		o.Exemplars = append(o.Exemplars, x)
	}
	if sl := s.Slicing; sl.Length > 0 {
		o.Slices = &Slices{Length: names.Duration(sl.Length), Seconds: sl.Length.Seconds(), Good: sl.String(),
			MinGood: sl.MinGood, Empty: sl.Empty.String(), GoodEvents: s.Events.Good, ValidEvents: s.Events.Valid}
		if sl.Threshold > 0 {
			o.Slices.Threshold = ptr(sl.Threshold.Seconds())
		}
	}
	if left, err := s.Budget.Remaining(); err == nil {
		events, _ := s.Budget.RemainingEvents()
		downtime, _ := s.Budget.DowntimeLeft()
		o.Budget = &Budget{Remaining: left, RemainingEvents: events, RemainingSeconds: downtime.Seconds(),
			AllowedEvents: s.Budget.Allowed(), BadEvents: s.Budget.Bad()}
	}
	if e := s.Exhaustion; !e.NoData && s.Err == nil {
		o.Exhaustion = &Exhaustion{Window: names.Duration(e.Window), Seconds: e.Window.Seconds(), BurnRate: e.BurnRate,
			Never: e.Never, LeftAtEnd: e.LeftAtEnd}
		if !e.Never {
			o.Exhaustion.In = finite(e.In.Seconds())
		}
	}
	for _, b := range s.BurnRates {
		o.BurnRates = append(o.BurnRates, burnStatus(b))
	}
	for _, a := range s.Alerts {
		as := Alert{Name: a.Rule.Name, Severity: a.Rule.Severity.String(), Firing: a.Firing,
			Threshold: finite(a.Threshold), MinEvents: finite(a.MinEvents), Long: burnStatus(a.Long), Short: burnStatus(a.Short)}
		if !a.Since.IsZero() {
			as.Since = ptr(a.Since)
		}
		if r := a.Rule; r.Exhaustion > 0 {
			as.Exhaustion = ptr(r.Exhaustion.Seconds())
		} else {
			as.BudgetFraction = ptr(r.BudgetFraction)
		}
		o.Alerts = append(o.Alerts, as)
	}
	for _, p := range s.Latency {
		o.Latency = append(o.Latency, Latency{Window: names.Duration(p.Window), Seconds: p.Window.Seconds(), Count: p.Count,
			P50: p.P50.Seconds(), P95: p.P95.Seconds(), P99: p.P99.Seconds(), P999: p.P999.Seconds()})
	}
	return o
}

func burnStatus(b slo.BurnRate) Burn {
	bs := Burn{Window: names.Duration(b.Window), Seconds: b.Window.Seconds(), Good: b.Good, Valid: b.Valid}
	if !b.NoData {
		bs.Rate = finite(b.Rate)
	}
	return bs
}

func ptr[T any](v T) *T { return &v }

// finite returns a pointer to v, or nil (JSON null) when v is NaN or
// infinite: JSON has no such numbers.
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// MaxDocument is the longest document Decode reads: far above the
// document of thousands of objectives (about 4 KiB each). A longer one is
// refused having read no more than that.
const MaxDocument = 64 << 20

// ErrInvalidDocument is returned by Decode for a document it cannot
// read.
var ErrInvalidDocument = errors.New("statuspage: invalid status document")

// Decode reads a status document, refusing other schemas and
// documents that break its invariants (unknown state, a target outside
// (0, 1), more good than valid events, negative counts).
func Decode(r io.Reader) (Document, error) {
	data, err := limit.ReadAll(r, MaxDocument)
	if err != nil {
		return Document{}, fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	}
	var doc Document
	if err := json.Unmarshal(data, &doc); err != nil {
		return Document{}, fmt.Errorf("%w: %v", ErrInvalidDocument, err)
	}
	if doc.Schema != Schema {
		return Document{}, fmt.Errorf("%w: schema %q, want %q", ErrInvalidDocument, doc.Schema, Schema)
	}
	names := make(map[string]bool, len(doc.Objectives))
	for i, o := range doc.Objectives {
		bad := func(what string) error {
			return fmt.Errorf("%w: objective %d (%q): %s", ErrInvalidDocument, i, o.Name, what)
		}
		switch {
		case o.Name == "":
			return Document{}, bad("no name")
		case names[o.Name]:
			return Document{}, bad("a second objective of that name") // a registry's names are unique
		}
		names[o.Name] = true
		switch {
		case !(o.Target > 0 && o.Target < 1):
			return Document{}, bad(fmt.Sprintf("target %v not in (0, 1)", o.Target))
		case !(o.Period > 0):
			return Document{}, bad("no period")
		case !(o.Valid >= 0 && o.Good >= 0 && o.Good <= o.Valid):
			return Document{}, bad(fmt.Sprintf("good %v of valid %v", o.Good, o.Valid))
		case o.Slices != nil && !(o.Slices.Seconds > 0 && o.Slices.ValidEvents >= 0 && o.Slices.GoodEvents >= 0 && o.Slices.GoodEvents <= o.Slices.ValidEvents):
			return Document{}, bad(fmt.Sprintf("slices of %vs, good events %v of valid %v", o.Slices.Seconds, o.Slices.GoodEvents, o.Slices.ValidEvents))
		}
		for _, e := range o.Exemplars {
			if _, err := trace.TraceIDFromHex(e.TraceID); err != nil {
				return Document{}, bad(fmt.Sprintf("exemplar of trace %q: %v", e.TraceID, err))
			}
			if _, err := trace.SpanIDFromHex(e.SpanID); err != nil || e.Seconds != nil && !(*e.Seconds >= 0) {
				return Document{}, bad(fmt.Sprintf("exemplar of trace %q, span %q", e.TraceID, e.SpanID))
			}
		}
		switch o.State {
		case slo.NoData.String(), slo.Met.String(), slo.AtRisk.String(), slo.Breached.String(), slo.Failed.String():
		default:
			return Document{}, bad(fmt.Sprintf("state %q", o.State))
		}
		for _, b := range append(o.BurnRates, burnsOf(o.Alerts)...) {
			if !(b.Valid >= 0 && b.Good >= 0 && b.Good <= b.Valid && b.Seconds > 0) {
				return Document{}, bad(fmt.Sprintf("burn window %q: good %v of valid %v", b.Window, b.Good, b.Valid))
			}
		}
	}
	return doc, nil
}

func burnsOf(alerts []Alert) []Burn {
	var out []Burn
	for _, a := range alerts {
		out = append(out, a.Long, a.Short)
	}
	return out
}

// wantsJSON reports whether a request asks for the JSON document.
func wantsJSON(r *http.Request) bool {
	if f := r.URL.Query().Get("format"); f != "" {
		return f == "json"
	}
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}
