package sli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nines-slo/nines/histogram"
	"github.com/nines-slo/nines/internal/access"
	"github.com/nines-slo/nines/internal/shard"
)

// Latency is an SLI over event durations: a valid event is good when it
// took no longer than the threshold ("the fraction of requests answered
// within 100 ms"). It also keeps the durations in an HDR histogram over
// recent windows, for p50, p95 and p99.
//
// One Record updates both, the threshold counts and the histogram: a plain
// add on the processor's own counters and an atomic add in its histogram,
// no lock, no allocation on the default clock. With [WithClock], a record
// that starts a new cell or lands in a past one takes the SLI's locks, as
// reads do.
//
// Memory follows traffic: the counts' cells (see Storage) plus the
// histogram's (see [histogram.Recorder]), a few tens of KiB at 100 events a
// second.
//
// A Latency is safe for concurrent use. Build one with [NewLatency]; the zero
// value is not usable.
type Latency struct {
	s         *series
	h         *histogram.Recorder
	threshold time.Duration
	// The series' hot counters and whether it reads an injected clock,
	// kept here for the record path (see hotSet).
	hot     hotSet
	clocked bool
}

var _ Source = (*Latency)(nil)

// NewLatency returns a latency SLI whose valid events are good when they
// take at most threshold. It fails with [ErrInvalidConfig] when threshold
// is not positive or the Storage is bad, and with
// [histogram.ErrInvalidConfig] for a bad [WithHistogram].
func NewLatency(threshold time.Duration, opts ...LatencyOption) (*Latency, error) {
	if threshold <= 0 {
		return nil, fmt.Errorf("%w: threshold %v", ErrInvalidConfig, threshold)
	}
	c := newConfig(opts, LatencyOption.applyLatency)
	s, err := newSeries(c)
	if err != nil {
		return nil, err
	}
	h, err := histogram.NewRecorder(c.hist, histogram.WithClock(c.now))
	if err != nil {
		return nil, err
	}
	return &Latency{s: s, h: h, threshold: threshold, hot: s.hot, clocked: s.now != nil}, nil
}

// Threshold returns the duration within which an event is good.
func (l *Latency) Threshold() time.Duration { return l.threshold }

// outcome classifies a duration; a negative one is counted and not valid.
func (l *Latency) outcome(d time.Duration) Outcome { return latencyOutcome(l.s, l.threshold, d) }

// latencyOutcome classifies a duration against threshold, counting a
// negative one in s and as not valid.
func latencyOutcome(s *series, threshold, d time.Duration) Outcome {
	switch {
	case d < 0:
		s.negative.Add(1)
		return Invalid
	case d <= threshold:
		return Good
	}
	return Bad
}

// Record counts one valid event that took d, now, in the threshold counts
// and the histogram. A negative d cannot be a duration: the event is counted
// in [Totals.Negative] and as not valid, and in the histogram's Invalid.
func (l *Latency) Record(d time.Duration) {
	if l.clocked {
		l.s.addNow(l.s.now(), l.outcome(d))
		l.h.Record(d)
		return
	}
	d0 := l.outcome(d)
	p := uint(shard.Pin()) // once for both the counts and the histogram
	ok := l.hot.addPinned(p, d0)
	shard.Unpin()
	if !ok {
		l.s.addShared(d0)
	}
	access.HistogramRecordOn(l.h, uint32(p), d)
}

// RecordContext counts one valid event that took d, as Record does, and
// keeps a slow one (over the threshold) as an exemplar (see
// [Latency.Exemplars]) when ctx holds a sampled OpenTelemetry span. An
// event within the threshold costs what Record does; a slow one looks at
// ctx for its span, as [Ratio.RecordContext] says.
func (l *Latency) RecordContext(ctx context.Context, d time.Duration) {
	l.Record(d)
	if d > l.threshold {
		l.s.keep(ctx, d)
	}
}

// Exemplars returns the most recent slow events recorded with a sampled
// span (RecordContext, [RecordRequestContext]), the latest first, at most
// [MaxExemplars], each with its duration. They are kept in memory only.
func (l *Latency) Exemplars() []Exemplar { return l.s.ex.list() }

// RecordRequestContext is [RecordRequest] with the request's context:
// a failed request is kept as an exemplar of a, and a slow successful one
// as an exemplar of l, with its duration, when ctx holds a sampled span.
func RecordRequestContext(ctx context.Context, a *Ratio, l *Latency, o Outcome, d time.Duration) {
	RecordRequest(a, l, o, d)
	switch {
	case o == Bad:
		a.s.keep(ctx, d)
	case o == Good && d > l.threshold:
		l.s.keep(ctx, d)
	}
}

// RecordRequest counts one request in an availability SLI and a latency
// SLI at once, as HTTP middleware does: outcome o in a; and in l, its
// duration d when o is Good, or an event that is not valid otherwise (a
// failed request's latency says nothing of the service's speed). On the
// default clocks it finds the processor's counters once for all three
// counts instead of once each.
func RecordRequest(a *Ratio, l *Latency, o Outcome, d time.Duration) {
	if a.clocked || l.clocked {
		a.Record(o)
		if o == Good {
			l.Record(d)
		} else {
			l.Exclude()
		}
		return
	}
	lo := Invalid
	if o == Good {
		lo = l.outcome(d)
	}
	p := uint(shard.Pin())
	okA, okL := a.hot.addPinned(p, o), l.hot.addPinned(p, lo)
	shard.Unpin()
	if !okA {
		a.s.addShared(o)
	}
	if !okL {
		l.s.addShared(lo)
	}
	if o == Good {
		access.HistogramRecordOn(l.h, uint32(p), d)
	}
}

// RecordAt counts one valid event that took d and happened at t.
func (l *Latency) RecordAt(t time.Time, d time.Duration) {
	l.s.addAt(t, l.outcome(d))
	l.h.RecordAt(t, d)
}

// Exclude counts one event that is not valid for this SLI (a request the
// client abandoned, say) now: it is in neither good nor valid, only in
// [Totals.Invalid], and not in the histogram.
func (l *Latency) Exclude() {
	if l.clocked {
		l.s.addNow(l.s.now(), Invalid)
		return
	}
	l.s.add(Invalid)
}

// ExcludeAt counts one event that is not valid and happened at t.
func (l *Latency) ExcludeAt(t time.Time) { l.s.addAt(t, Invalid) }

// Counts returns the good and valid events in the window ending now.
func (l *Latency) Counts(window time.Duration) (Counts, error) {
	return l.s.countsAt(l.s.clock(), window)
}

// CountsAt returns the good and valid events in the window (t − window, t],
// as [Ratio.CountsAt] describes.
func (l *Latency) CountsAt(t time.Time, window time.Duration) (Counts, error) {
	return l.s.countsAt(t, window)
}

// Totals returns everything recorded since the SLI was created.
func (l *Latency) Totals() Totals { return l.s.totals() }

// Recorded returns the good and valid events recorded into this SLI since
// it was created, not counting states added by Add; see [Ratio.Recorded].
func (l *Latency) Recorded() Counts { return l.s.recorded() }

// Cumulative returns the histogram of every duration recorded into this
// SLI since it was created, not counting states added by Add; see
// [histogram.Recorder.Cumulative].
func (l *Latency) Cumulative() *histogram.Snapshot { return l.h.Cumulative() }

func init() {
	access.LatencyCumulativeEach = func(src any, f func(lo, hi time.Duration, n uint64)) bool {
		l, ok := src.(*Latency)
		if ok {
			access.HistogramCumulativeEach(l.h, f)
		}
		return ok
	}
}

// Storage returns the storage of the threshold counts, defaults filled in.
func (l *Latency) Storage() Storage { return l.s.storage }

// Windows returns the windows the histogram keeps, shortest first.
func (l *Latency) Windows() []time.Duration { return l.h.Windows() }

// Histogram returns the histogram of the durations recorded in the window
// ending now; see [histogram.Recorder.Snapshot].
func (l *Latency) Histogram(window time.Duration) (*histogram.Snapshot, error) {
	return l.h.Snapshot(window)
}

// HistogramAt returns the histogram of the durations recorded in the window
// (t − window, t]; see [histogram.Recorder.SnapshotAt]. window may be at most
// the longest of Windows.
func (l *Latency) HistogramAt(t time.Time, window time.Duration) (*histogram.Snapshot, error) {
	return l.h.SnapshotAt(t, window)
}

// Percentiles are the latency percentiles of one window. Count is the
// number of durations they come from; it is never zero (see [ErrNoData]).
type Percentiles struct {
	Window              time.Duration // the window they cover
	Count               uint64        // durations in the window
	P50, P95, P99, P999 time.Duration // median, 95th, 99th and 99.9th percentiles
}

// Percentiles returns p50, p95, p99 and p99.9 of the window ending now. It
// fails with [ErrNoData] when no duration was recorded in it.
func (l *Latency) Percentiles(window time.Duration) (Percentiles, error) {
	return l.PercentilesAt(l.s.clock(), window)
}

// percentileQs are the quantiles of Percentiles.
var percentileQs = []float64{0.5, 0.95, 0.99, 0.999}

// PercentilesAt returns p50, p95, p99 and p99.9 of the window
// (t − window, t]. It allocates nothing but the percentiles' values.
func (l *Latency) PercentilesAt(t time.Time, window time.Duration) (Percentiles, error) {
	n, v, err := l.h.QuantilesAt(t, window, percentileQs)
	if errors.Is(err, histogram.ErrNoData) {
		return Percentiles{}, fmt.Errorf("%w in the last %v", ErrNoData, window)
	}
	if err != nil {
		return Percentiles{}, err
	}
	return Percentiles{Window: window, Count: n, P50: v[0], P95: v[1], P99: v[2], P999: v[3]}, nil
}
