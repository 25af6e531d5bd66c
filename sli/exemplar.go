package sli

import (
	"cmp"
	"context"
	"encoding/binary"
	"slices"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// Exemplar is one bad event recorded with a context that held a sampled
// OpenTelemetry span (RecordContext): the request behind a burning
// budget, by its trace. For a latency SLI a bad event is a slow one.
type Exemplar struct {
	Time    time.Time
	TraceID trace.TraceID
	SpanID  trace.SpanID
	// Duration is the event's latency where the record had one (a latency
	// SLI's, or [RecordRequestContext]'s); zero otherwise.
	Duration time.Duration
}

// ExemplarSource is an SLI that keeps exemplars of its bad events: every
// SLI of this package that records.
type ExemplarSource interface {
	// Exemplars returns the exemplars kept, the most recent first.
	Exemplars() []Exemplar
}

// MaxExemplars is how many exemplars an SLI keeps: the most recent of its
// bad events recorded with a sampled span.
const MaxExemplars = 16

// exemplarLooks is how many bad events an SLI looks at for a span in each
// 10-second cell, and exemplarKeeps how many of those it keeps; the
// events after them record as fast as without a context. They bound what
// exemplars cost when everything fails at once, and let an SLI find a
// sampled span when only a few traces are sampled.
const (
	exemplarLooks = 256
	exemplarKeeps = 4
)

// The looks word: the cell looked in, above the exemplars kept in it and
// the bad events looked at.
const (
	looksMask = 1<<10 - 1 // bad events looked at in the cell
	keptShift = 10        // exemplars kept in the cell, above them
	keptMask  = 1<<6 - 1
	cellShift = 16
	cellMask  = 1<<(64-cellShift) - 1
)

// cellKey is a cell as the looks word holds it: offset by 2⁴⁷, so that
// cells before 1970 (an injected clock's) and after compare in order, and
// kept in 48 bits, 2⁴⁸ ten-second cells, 89 million years.
func cellKey(cell int64) uint64 { return uint64(cell+1<<47) & cellMask }

// spent reports whether the cell of looks word w is cell and leaves no
// look, or keep, to take.
func spent(w uint64, cell int64) bool {
	return w>>cellShift == cellKey(cell) && (w&looksMask >= exemplarLooks || w>>keptShift&keptMask >= exemplarKeeps)
}

// exemplars is an SLI's recent exemplars: a ring of slots, allocated with
// the first.
type exemplars struct {
	looks atomic.Uint64 // the cell looked in, the exemplars kept and the bad events looked at in it
	next  atomic.Uint32 // the slot the next exemplar takes, modulo MaxExemplars
	ring  atomic.Pointer[[MaxExemplars]exemplarSlot]
}

// exemplarSlot is one exemplar, written whole or not at all: a writer
// makes seq odd, writes, makes it even again; a reader keeps what it read
// between two equal even readings of seq. Zero seq is an empty slot.
type exemplarSlot struct {
	seq   atomic.Uint64
	at, d atomic.Int64
	trace [2]atomic.Uint64
	span  atomic.Uint64
}

// keep keeps the span in ctx, if sampled, as an exemplar of a bad event
// of d (zero without one), looking at no more than exemplarLooks events a
// cell. cell is the store's hot cell; now is the SLI's injected clock, or
// nil.
func (x *exemplars) keep(ctx context.Context, cell int64, now func() time.Time, d time.Duration) {
	if ctx == nil {
		return
	}
	c := cellKey(cell)
	switch w := x.looks.Load(); {
	case w>>cellShift < c:
		if !x.looks.CompareAndSwap(w, c<<cellShift|1) {
			return // another event took the new cell's first look
		}
	case w>>cellShift > c:
		return // an event that read the cell before it changed: the word never goes back
	case spent(w, cell):
		return
	default:
		x.looks.Add(1)
	}
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsSampled() {
		return
	}
	if x.looks.Add(1<<keptShift)>>keptShift&keptMask > exemplarKeeps {
		return
	}
	// The wall clock, read for at most exemplarKeeps events a cell: an
	// exemplar's time is when the request ended, as a trace backend has it.
	at := time.Now().UnixNano()
	if now != nil {
		at = now().UnixNano()
	}
	x.put(sc.TraceID(), sc.SpanID(), at, d)
}

func (x *exemplars) put(tid trace.TraceID, sid trace.SpanID, at int64, d time.Duration) {
	r := x.ring.Load()
	if r == nil {
		x.ring.CompareAndSwap(nil, new([MaxExemplars]exemplarSlot))
		r = x.ring.Load()
	}
	s := &r[(x.next.Add(1)-1)%MaxExemplars]
	q := s.seq.Load()
	if q&1 == 1 || !s.seq.CompareAndSwap(q, q+1) {
		return // another event is writing the slot: it keeps it
	}
	s.at.Store(at)
	s.d.Store(int64(d))
	s.trace[0].Store(binary.BigEndian.Uint64(tid[:8]))
	s.trace[1].Store(binary.BigEndian.Uint64(tid[8:]))
	s.span.Store(binary.BigEndian.Uint64(sid[:]))
	s.seq.Store(q + 2)
}

// list returns the exemplars kept, the most recent first.
func (x *exemplars) list() []Exemplar {
	r := x.ring.Load()
	if r == nil {
		return nil
	}
	var out []Exemplar
	for i := range r {
		s := &r[i]
		for range 4 { // a slot being written is read again, then skipped
			q := s.seq.Load()
			if q == 0 {
				break
			}
			var e Exemplar
			at, d := s.at.Load(), s.d.Load()
			binary.BigEndian.PutUint64(e.TraceID[:8], s.trace[0].Load())
			binary.BigEndian.PutUint64(e.TraceID[8:], s.trace[1].Load())
			binary.BigEndian.PutUint64(e.SpanID[:], s.span.Load())
			if q&1 == 0 && s.seq.Load() == q {
				e.Time, e.Duration = time.Unix(0, at), time.Duration(d)
				out = append(out, e)
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b Exemplar) int { return cmp.Compare(b.Time.UnixNano(), a.Time.UnixNano()) })
	return out
}
