package sli

import (
	"context"
	"time"

	"github.com/nines-slo/nines/internal/access"
	"github.com/nines-slo/nines/internal/shard"
)

// Ratio is an SLI that counts events as good, bad or not valid: "the
// fraction of GET /users/{id} responses that were not 5xx".
//
// A Ratio is safe for concurrent use. On the default clock Record is
// lock-free, allocation-free and reads no clock. With [WithClock], a record
// that starts a new cell or lands in a past one takes the SLI's lock, as
// reads do. Build one with [NewRatio]; the zero value is not usable.
type Ratio struct {
	s *series
	// The series' hot counters and whether it reads an injected clock,
	// kept here for the record path (see hotSet).
	hot     hotSet
	clocked bool
}

var _ Source = (*Ratio)(nil)

// NewRatio returns a ratio SLI. With no options it uses the wall clock and
// the default Storage. It fails with [ErrInvalidConfig] for a bad Storage.
func NewRatio(opts ...RatioOption) (*Ratio, error) {
	c := newConfig(opts, RatioOption.applyRatio)
	s, err := newSeries(c)
	if err != nil {
		return nil, err
	}
	return &Ratio{s: s, hot: s.hot, clocked: s.now != nil}, nil
}

// Record counts one event now. An Outcome other than Good, Bad or Invalid
// is counted as not valid and in [Totals.Unknown].
func (r *Ratio) Record(o Outcome) {
	if r.clocked {
		r.s.addNow(r.s.now(), o)
		return
	}
	p := uint(shard.Pin())
	ok := r.hot.addPinned(p, o)
	shard.Unpin()
	if !ok {
		r.s.addShared(o)
	}
}

// RecordContext counts one event now, as Record does, and keeps a bad one
// as an exemplar (see [Ratio.Exemplars]) when ctx holds a sampled
// OpenTelemetry span: the request's, in a handler. A good or not valid
// event costs what Record does; a bad one looks at ctx for its span, up
// to 256 bad events and 4 exemplars kept in 10 seconds (the rest cost a
// few nanoseconds more than Record), no allocation.
func (r *Ratio) RecordContext(ctx context.Context, o Outcome) {
	r.Record(o)
	if o == Bad {
		r.s.keep(ctx, 0)
	}
}

// Exemplars returns the most recent bad events recorded with a sampled
// span (RecordContext, [RecordRequestContext]), the latest first, at most
// [MaxExemplars]. They are kept in memory only: states and snapshots do
// not carry them.
func (r *Ratio) Exemplars() []Exemplar { return r.s.ex.list() }

// RecordAt counts one event that happened at t. Events older than the
// retention are counted in [Totals.OutOfRange].
func (r *Ratio) RecordAt(t time.Time, o Outcome) { r.s.addAt(t, o) }

// Counts returns the good and valid events in the window ending now.
func (r *Ratio) Counts(window time.Duration) (Counts, error) {
	return r.s.countsAt(r.s.clock(), window)
}

// CountsAt returns the good and valid events in the window (t − window, t].
// Its far edge is rounded to the nearest cell boundary (see Storage): within
// 2% of the window for windows from 4 m 10 s to a day, within 7.5 minutes
// for longer ones, exact for a window that starts on the 15-minute grid. A
// t that is the present (within a tick, 10 s, of the clock's now) ends the
// window at the present as the SLI counts it, which is never before the
// current cell's start, so that after the clock steps back the window still
// holds every event recorded since. A t in the past ends the window with
// the cell that holds t, whole: its near edge is as late as that cell's
// end, up to a cell of t's age (10 s within 25 minutes of now, 1 minute
// to 6 h 30 m, 15 minutes beyond), so a window in the past is as exact as
// the cells of its age. Parts of the window older than the retention count
// nothing. It fails with [ErrInvalidWindow] when window is not positive or
// is longer than the retention.
func (r *Ratio) CountsAt(t time.Time, window time.Duration) (Counts, error) {
	return r.s.countsAt(t, window)
}

// Totals returns everything recorded since the SLI was created.
func (r *Ratio) Totals() Totals { return r.s.totals() }

// Recorded returns the good and valid events recorded into this SLI since
// it was created, not counting states added by Add. Unlike Totals, which
// include restored state, it starts from zero with the process, which is
// what a metrics backend expects of a monotonic counter: a restart reads as
// a counter reset, never as a jump.
func (r *Ratio) Recorded() Counts { return r.s.recorded() }

func init() {
	access.RatioEvents = func(r any) uint64 { return r.(*Ratio).s.events() }
	access.CountsManyAt = func(src any, t time.Time, ws []time.Duration, good, valid []float64) (bool, error) {
		var s *series
		switch src := src.(type) {
		case *Ratio:
			s = src.s
		case *Latency:
			s = src.s
		case *RatioSlices:
			return true, src.s.slicesManyAt(t, ws, src.sl, good, valid)
		case *LatencySlices:
			return true, src.s.slicesManyAt(t, ws, src.sl, good, valid)
		default:
			return false, nil
		}
		return true, s.countsManyAt(t, ws, good, valid)
	}
}

// Storage returns the storage in use, defaults filled in.
func (r *Ratio) Storage() Storage { return r.s.storage }
