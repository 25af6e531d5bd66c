package sli

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// BenchmarkExemplarLook is one bad event's look for its span, as each of
// the first 256 of a 10-second cell has (BenchmarkRecordContext has the
// rest): every op starts a new cell. A sampled span is also kept.
func BenchmarkExemplarLook(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type key struct{ int }
	ctx = context.WithValue(context.WithValue(ctx, key{1}, 1), key{2}, 2)
	sampled := trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled,
	}))
	for _, c := range []struct {
		name string
		ctx  context.Context
	}{{"no-span", ctx}, {"sampled", sampled}} {
		b.Run(c.name, func(b *testing.B) {
			var x exemplars
			b.ReportAllocs()
			for i := int64(0); b.Loop(); i++ {
				x.keep(c.ctx, i, nil, 0)
			}
		})
	}
}

// Exemplars written by many goroutines at once, into few slots, and read
// meanwhile are whole: a slot being written is another writer's to skip,
// and a reader keeps only what it read between two equal even sequences.
func TestExemplarSlotsAreNeverTorn(t *testing.T) {
	var x exemplars
	check := func() {
		for _, e := range x.list() {
			if e.TraceID[15] != e.SpanID[7] || e.TraceID[14] != e.SpanID[6] || time.Duration(e.Time.UnixNano()) != e.Duration {
				t.Fatalf("torn exemplar: trace %v, span %v, at %v, of %v", e.TraceID, e.SpanID, e.Time.UnixNano(), e.Duration)
			}
		}
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 20000 {
				n := w<<16 | i
				tid, sid := trace.TraceID{1, 14: byte(n >> 8), 15: byte(n)}, trace.SpanID{6: byte(n >> 8), 7: byte(n)}
				x.put(tid, sid, int64(n), time.Duration(n))
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		select {
		case <-done:
			check()
			return
		default:
			check()
		}
	}
}
