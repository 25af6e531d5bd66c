package sli_test

import (
	"context"
	"encoding/binary"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/nines-slo/nines/sli"
)

// spanContext returns a context holding a span whose IDs follow from n,
// sampled or not: trace n, span n+1, so that a reader can tell a torn
// exemplar (the trace of one, the span of another) from a whole one.
func spanContext(n uint64, sampled bool) context.Context {
	var tid trace.TraceID
	var sid trace.SpanID
	binary.BigEndian.PutUint64(tid[8:], n)
	tid[0] = 1 // a valid trace ID is not all zero
	binary.BigEndian.PutUint64(sid[:], n+1)
	cfg := trace.SpanContextConfig{TraceID: tid, SpanID: sid}
	if sampled {
		cfg.TraceFlags = trace.FlagsSampled
	}
	return trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(cfg))
}

func traceNumber(e sli.Exemplar) uint64 { return binary.BigEndian.Uint64(e.TraceID[8:]) }

// A bad event recorded with a sampled span is kept, with its trace, span
// and time; good events, events without a span or with an unsampled one
// are not; the latest MaxExemplars are kept, the latest first.
func TestExemplarsKeepBadEventsWithSampledSpans(t *testing.T) {
	clock := newFakeClock(t0)
	r, _ := sli.NewRatio(sli.WithClock(clock.Now))
	r.RecordContext(spanContext(1, true), sli.Good)
	r.RecordContext(spanContext(2, false), sli.Bad)
	r.RecordContext(context.Background(), sli.Bad)
	r.RecordContext(spanContext(3, true), sli.Invalid)
	if got := r.Exemplars(); len(got) != 0 {
		t.Fatalf("exemplars of events that are not bad with a sampled span: %+v", got)
	}
	// Four a 10-second cell are kept, the latest MaxExemplars in all.
	n := uint64(10)
	for cell := range 6 {
		for i := range 6 {
			clock.Set(t0.Add(time.Duration(cell)*10*time.Second + time.Duration(i)*time.Second))
			r.RecordContext(spanContext(n, true), sli.Bad)
			n++
		}
	}
	got := r.Exemplars()
	if len(got) != sli.MaxExemplars {
		t.Fatalf("%d exemplars kept, want %d", len(got), sli.MaxExemplars)
	}
	for i, e := range got {
		cell, nth := 5-i/4, 3-i%4 // the latest first: cell 5's fourth, third, …
		want := 10 + uint64(cell*6+nth)
		if traceNumber(e) != want {
			t.Errorf("exemplar %d is trace %d, want %d", i, traceNumber(e), want)
		}
		if binary.BigEndian.Uint64(e.SpanID[:]) != traceNumber(e)+1 {
			t.Errorf("exemplar %d: span %x of trace %x", i, e.SpanID, e.TraceID)
		}
		if at := t0.Add(time.Duration(cell)*10*time.Second + time.Duration(nth)*time.Second); !e.Time.Equal(at) {
			t.Errorf("exemplar %d at %v, want %v", i, e.Time, at)
		}
		if e.Duration != 0 {
			t.Errorf("exemplar %d has duration %v, recorded without one", i, e.Duration)
		}
	}
	if c := r.Recorded(); c.Valid != 3+36 || c.Good != 1 {
		t.Errorf("RecordContext counted %+v", c)
	}
}

// On the default clock an exemplar's time is the wall clock's, read
// through the monotonic clock.
func TestExemplarTimeOnTheDefaultClock(t *testing.T) {
	r, _ := sli.NewRatio()
	before := time.Now()
	r.RecordContext(spanContext(1, true), sli.Bad)
	after := time.Now()
	got := r.Exemplars()
	if len(got) != 1 || got[0].Time.Before(before.Add(-time.Millisecond)) || got[0].Time.After(after.Add(time.Millisecond)) {
		t.Errorf("exemplars %+v, want one between %v and %v", got, before, after)
	}
}

// A latency SLI keeps its slow events, with their durations; a request
// recorded in both keeps a failure in the availability SLI and a slow
// success in the latency SLI.
func TestExemplarsOfLatency(t *testing.T) {
	l, _ := sli.NewLatency(100 * time.Millisecond)
	l.RecordContext(spanContext(1, true), 100*time.Millisecond)
	l.RecordContext(spanContext(2, true), 250*time.Millisecond)
	if got := l.Exemplars(); len(got) != 1 || traceNumber(got[0]) != 2 || got[0].Duration != 250*time.Millisecond {
		t.Errorf("latency exemplars %+v, want trace 2 of 250ms", got)
	}
	a, _ := sli.NewRatio()
	l2, _ := sli.NewLatency(100 * time.Millisecond)
	sli.RecordRequestContext(spanContext(3, true), a, l2, sli.Bad, 30*time.Millisecond)
	sli.RecordRequestContext(spanContext(4, true), a, l2, sli.Good, 300*time.Millisecond)
	sli.RecordRequestContext(spanContext(5, true), a, l2, sli.Good, 30*time.Millisecond)
	if got := a.Exemplars(); len(got) != 1 || traceNumber(got[0]) != 3 || got[0].Duration != 30*time.Millisecond {
		t.Errorf("availability exemplars %+v, want the failure, trace 3", got)
	}
	if got := l2.Exemplars(); len(got) != 1 || traceNumber(got[0]) != 4 {
		t.Errorf("latency exemplars %+v, want the slow success, trace 4", got)
	}
	rs, _ := sli.NewRatioSlices(0.9)
	rs.RecordContext(spanContext(6, true), sli.Bad)
	ls, _ := sli.NewLatencySlices(0.99, time.Second)
	ls.RecordContext(spanContext(7, true), 2*time.Second)
	ls.RecordContext(spanContext(8, true), time.Millisecond)
	if a, b := rs.Exemplars(), ls.Exemplars(); len(a) != 1 || traceNumber(a[0]) != 6 || len(b) != 1 || traceNumber(b[0]) != 7 {
		t.Errorf("slice exemplars %+v and %+v, want traces 6 and 7", a, b)
	}
}

// An SLI looks at no more than 256 bad events a 10-second cell for a
// span, so that an outage costs what recording does; the next cell looks
// again. On an injected clock the exemplar's time is the clock's.
func TestExemplarsLookAtABoundedNumberOfEvents(t *testing.T) {
	clock := newFakeClock(t0)
	r, _ := sli.NewRatio(sli.WithClock(clock.Now))
	for range 256 {
		r.RecordContext(spanContext(1, false), sli.Bad)
	}
	r.RecordContext(spanContext(2, true), sli.Bad)
	if got := r.Exemplars(); len(got) != 0 {
		t.Errorf("the 257th bad event of a cell was looked at: %+v", got)
	}
	clock.Advance(10 * time.Second)
	r.RecordContext(spanContext(3, true), sli.Bad)
	if got := r.Exemplars(); len(got) != 1 || traceNumber(got[0]) != 3 || !got[0].Time.Equal(t0.Add(10*time.Second)) {
		t.Errorf("exemplars of the next cell %+v, want trace 3 at %v", got, t0.Add(10*time.Second))
	}
	if c := r.Recorded(); c.Valid != 258 || c.Good != 0 {
		t.Errorf("counted %+v, want every event", c)
	}
}

// Exemplars written and read at once are whole: each read exemplar's
// span is its own trace's.
func TestExemplarsAreNeverTorn(t *testing.T) {
	clock := newFakeClock(t0)
	r, _ := sli.NewRatio(sli.WithClock(clock.Now))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := uint64(0); i < 2000; i++ {
				if i%200 == 0 {
					clock.Advance(10 * time.Second) // a new cell: more looks
				}
				r.RecordContext(spanContext(uint64(w)<<32|i, true), sli.Bad)
			}
		}()
	}
	read := 0
	go func() { wg.Wait(); close(stop) }()
	for done := false; !done; {
		select {
		case <-stop:
			done = true
		default:
		}
		for _, e := range r.Exemplars() {
			read++
			if binary.BigEndian.Uint64(e.SpanID[:]) != traceNumber(e)+1 {
				t.Fatalf("torn exemplar: span %x of trace %x", e.SpanID, e.TraceID)
			}
		}
	}
	if read == 0 || len(r.Exemplars()) == 0 {
		t.Errorf("no exemplar read (%d)", read)
	}
}

// Recording with a context allocates nothing, bad events included, and
// with the exemplar ring made.
func TestRecordContextAllocatesNothing(t *testing.T) {
	r, _ := sli.NewRatio()
	l, _ := sli.NewLatency(time.Millisecond)
	ctx := spanContext(1, true)
	r.RecordContext(ctx, sli.Bad) // the ring, made once
	l.RecordContext(ctx, time.Second)
	if n := testing.AllocsPerRun(1000, func() {
		r.RecordContext(ctx, sli.Bad)
		r.RecordContext(ctx, sli.Good)
		l.RecordContext(ctx, time.Second)
		sli.RecordRequestContext(ctx, r, l, sli.Bad, time.Second)
	}); n != 0 {
		t.Errorf("%v allocations a round", n)
	}
}

// The bound on looks holds on an injected clock before 1970 too, and an
// event that read a cell before the next began does not reopen it.
func TestExemplarsBoundedBefore1970(t *testing.T) {
	clock := newFakeClock(time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC))
	r, _ := sli.NewRatio(sli.WithClock(clock.Now))
	for n := range uint64(100) {
		r.RecordContext(spanContext(n, true), sli.Bad)
	}
	if got := len(r.Exemplars()); got != 4 {
		t.Errorf("%d exemplars kept in one cell, want 4", got)
	}
	clock.Set(time.Unix(5, 0)) // across 1970: a later cell
	r.RecordContext(spanContext(200, true), sli.Bad)
	if got := r.Exemplars(); len(got) != 5 || traceNumber(got[0]) != 200 {
		t.Errorf("after 1970: %d exemplars, the latest %v", len(got), got[0].TraceID)
	}
}
