package sli

import (
	"fmt"
	"time"
)

// Latency is an SLI over event durations: a valid event is good when it
// took no longer than the threshold ("the fraction of requests answered
// within 100 ms").
//
// A Latency is safe for concurrent use, with the same locking as Ratio:
// lock-free on the default clock. Build one with NewLatency; the zero value
// is not usable.
type Latency struct {
	s         *series
	threshold time.Duration
}

var _ Source = (*Latency)(nil)

// NewLatency returns a latency SLI whose valid events are good when they
// take at most threshold. It fails with ErrInvalidThreshold when threshold
// is not positive and with ErrInvalidStorage for a bad Storage.
func NewLatency(threshold time.Duration, opts ...Option) (*Latency, error) {
	if threshold <= 0 {
		return nil, fmt.Errorf("%w: threshold %v", ErrInvalidThreshold, threshold)
	}
	s, err := newSeries(newConfig(opts))
	if err != nil {
		return nil, err
	}
	return &Latency{s: s, threshold: threshold}, nil
}

// Threshold returns the duration within which an event is good.
func (l *Latency) Threshold() time.Duration { return l.threshold }

// outcome classifies a duration; a negative one is counted and not valid.
func (l *Latency) outcome(d time.Duration) Outcome {
	switch {
	case d < 0:
		l.s.negative.Add(1)
		return Invalid
	case d <= l.threshold:
		return Good
	}
	return Bad
}

// Record counts one valid event that took d, now. A negative d cannot be a
// duration: the event is counted in Totals.Negative and as not valid.
func (l *Latency) Record(d time.Duration) {
	if l.s.now != nil {
		l.s.addAt(l.s.now(), l.outcome(d))
		return
	}
	l.s.add(l.outcome(d))
}

// RecordAt counts one valid event that took d and happened at t.
func (l *Latency) RecordAt(t time.Time, d time.Duration) { l.s.addAt(t, l.outcome(d)) }

// Exclude counts one event that is not valid for this SLI (a request the
// client abandoned, say) now: it is in neither good nor valid, only in
// Totals.Invalid.
func (l *Latency) Exclude() {
	if l.s.now != nil {
		l.s.addAt(l.s.now(), Invalid)
		return
	}
	l.s.add(Invalid)
}

// ExcludeAt counts one event that is not valid and happened at t.
func (l *Latency) ExcludeAt(t time.Time) { l.s.addAt(t, Invalid) }

// Counts returns the good and valid events in the window ending now.
func (l *Latency) Counts(window time.Duration) (Counts, error) {
	return l.s.countsAt(l.s.present(), window)
}

// CountsAt returns the good and valid events in the window (t − window, t],
// rounded outward to bucket boundaries as Ratio.CountsAt describes.
func (l *Latency) CountsAt(t time.Time, window time.Duration) (Counts, error) {
	return l.s.countsAt(t, window)
}

// Totals returns everything recorded since the SLI was created.
func (l *Latency) Totals() Totals { return l.s.totals() }

// Storage returns the storage in use, defaults filled in.
func (l *Latency) Storage() Storage { return l.s.storage }
