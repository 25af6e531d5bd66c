package sli

import (
	"fmt"
	"time"

	"github.com/nines-slo/nines/histogram"
)

// Source is anything that can count good and valid events over a window:
// Ratio, Latency and Aggregated are Sources, and so may be other types that
// a user wants to roll into an aggregate. An Aggregated calls its parts'
// CountsAt from whatever goroutines call it, so a Source used there must be
// safe for concurrent use.
//
// What else nines does with an SLI it asks of it through the interfaces
// below, never of its concrete type, so a user's own type — one that wraps
// a Latency to add to it, say — keeps every capability it implements:
// [LatencySource] for percentiles, histograms and the exported latency
// histogram; Stateful for snapshots; Counted for the exported event
// counters.
type Source interface {
	CountsAt(t time.Time, window time.Duration) (Counts, error)
}

// LatencySource is a Source whose events are latencies held to a
// threshold, with their distribution: objectives report its percentiles,
// status pages chart its histograms and exporters export its cumulative
// histogram. Latency is one.
type LatencySource interface {
	Source
	// Threshold is the latency within which an event is good.
	Threshold() time.Duration
	// Windows are the windows PercentilesAt and HistogramAt answer for.
	Windows() []time.Duration
	PercentilesAt(t time.Time, window time.Duration) (Percentiles, error)
	HistogramAt(t time.Time, window time.Duration) (*histogram.Snapshot, error)
	// Cumulative is every latency recorded since the SLI was created.
	Cumulative() *histogram.Snapshot
}

// Stateful is a Source whose recorded state snapshots carry, restore and
// merge: Ratio and Latency are.
type Stateful interface {
	Source
	State() *State
	// Add adds a state to the SLI, or fails changing nothing.
	Add(*State) error
}

// Counted is a Source that knows the events recorded into it since it was
// created, not counting restored state: what cumulative event counters
// export. Ratio and Latency are.
type Counted interface {
	Source
	Recorded() Counts
}

var (
	_ LatencySource = (*Latency)(nil)
	_ Stateful      = (*Ratio)(nil)
	_ Stateful      = (*Latency)(nil)
	_ Counted       = (*Ratio)(nil)
	_ Counted       = (*Latency)(nil)
)

// Part is one SLI rolled into an Aggregated SLI.
type Part struct {
	// Name identifies the part in reports, "search" say. Required and
	// unique within the aggregate.
	Name string
	// SLI is where the part's events come from. Required.
	SLI Source
	// Weight multiplies the part's good and valid events. Zero means 1,
	// which sums events as they are; 2 makes each of the part's events
	// count twice. At most [MaxWeight].
	Weight float64
}

// MaxWeight is the largest weight a [Part] takes: a million times the
// events of another part is already all of the aggregate, and larger
// weights would take sums of events past what a float64 holds.
const MaxWeight = 1e6

// Aggregated is an SLI made by summing the good and valid events of several
// parts, optionally weighted: several user journeys rolled into one "browse"
// SLI. Summing events (not averaging ratios) keeps the aggregate exact: a
// journey with ten times the traffic weighs ten times as much.
//
// An Aggregated is safe for concurrent use if its parts are. Build one with
// [NewAggregated]; the zero value has no parts.
type Aggregated struct {
	parts []Part
	now   func() time.Time
}

var _ Source = (*Aggregated)(nil)

// NewAggregated returns the aggregate of parts. It fails with
// [ErrInvalidConfig] when there are no parts or a part has no SLI, an empty or
// duplicate name, or a weight that is negative, NaN or over [MaxWeight], or
// is a [SliceSource]. Its one option is
// [WithClock], which sets what Counts calls now: the parts hold the data.
func NewAggregated(parts []Part, opts ...AggregatedOption) (*Aggregated, error) {
	c := newConfig(opts, AggregatedOption.applyAggregated)
	if len(parts) == 0 {
		return nil, fmt.Errorf("%w: no parts", ErrInvalidConfig)
	}
	seen := make(map[string]bool, len(parts))
	own := make([]Part, len(parts))
	for i, p := range parts {
		switch {
		case p.Name == "":
			return nil, fmt.Errorf("%w: part %d has no Name", ErrInvalidConfig, i)
		case seen[p.Name]:
			return nil, fmt.Errorf("%w: duplicate Name %q", ErrInvalidConfig, p.Name)
		case p.SLI == nil:
			return nil, fmt.Errorf("%w: part %q has no SLI", ErrInvalidConfig, p.Name)
		case !(p.Weight >= 0 && p.Weight <= MaxWeight):
			return nil, fmt.Errorf("%w: part %q has Weight %v, not in [0, %v]", ErrInvalidConfig, p.Name, p.Weight, MaxWeight)
		}
		if _, ok := p.SLI.(SliceSource); ok {
			return nil, fmt.Errorf("%w: part %q is a time-slice SLI: its counts are slices, which do not add up with events", ErrInvalidConfig, p.Name)
		}
		seen[p.Name] = true
		if p.Weight == 0 {
			p.Weight = 1
		}
		own[i] = p
	}
	return &Aggregated{parts: own, now: c.now}, nil
}

// Parts returns a copy of the parts, weights filled in.
func (a *Aggregated) Parts() []Part { return append([]Part(nil), a.parts...) }

// Counts returns the weighted sums of the parts' events in the window ending
// now.
func (a *Aggregated) Counts(window time.Duration) (Counts, error) {
	now := time.Now
	if a.now != nil {
		now = a.now
	}
	return a.CountsAt(now(), window)
}

// CountsAt returns the weighted sums of the parts' good and valid events in
// the window (t − window, t]. The first part that fails fails the whole,
// with the part's name in the error.
func (a *Aggregated) CountsAt(t time.Time, window time.Duration) (Counts, error) {
	var sum Counts
	for _, p := range a.parts {
		c, err := p.SLI.CountsAt(t, window)
		if err != nil {
			return Counts{}, fmt.Errorf("%w (part %q)", err, p.Name)
		}
		sum.Good += p.Weight * c.Good
		sum.Valid += p.Weight * c.Valid
	}
	return sum, nil
}
