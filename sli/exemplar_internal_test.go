package sli

import (
	"context"
	"testing"

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
			x.init()
			b.ReportAllocs()
			for i := int64(0); b.Loop(); i++ {
				x.keep(c.ctx, i, nil, 0)
			}
		})
	}
}
