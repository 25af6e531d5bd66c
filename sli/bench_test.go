package sli_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/nines-slo/nines/budget"
	"github.com/nines-slo/nines/sli"
)

// BenchmarkRatioRecord is the hot path: one event into a ratio SLI on the
// default clock.
func BenchmarkRatioRecord(b *testing.B) {
	r, err := sli.NewRatio()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if i&1023 == 0 {
				r.Record(sli.Bad)
			} else {
				r.Record(sli.Good)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				r.Record(sli.Good)
			}
		})
	})
	for _, p := range []int{2, 4, 8} {
		b.Run(fmt.Sprintf("parallelism=%dxGOMAXPROCS", p), func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(p)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r.Record(sli.Good)
				}
			})
		})
	}
}

// latencies is a fixed table of realistic durations (lognormal, median
// 50 ms), so the benchmark touches many histogram buckets as a service would.
var latencies = func() []time.Duration {
	rng := rand.New(rand.NewPCG(7, 7))
	v := make([]time.Duration, 4096)
	for i := range v {
		v[i] = time.Duration(math.Exp(math.Log(float64(50*time.Millisecond)) + rng.NormFloat64()))
	}
	return v
}()

// BenchmarkLatencyRecord is the latency SLI's hot path: one call updates
// the threshold counts and the histogram.
func BenchmarkLatencyRecord(b *testing.B) {
	l, err := sli.NewLatency(100 * time.Millisecond)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			l.Record(latencies[i&4095])
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			var i int
			for pb.Next() {
				l.Record(latencies[i&4095])
				i++
			}
		})
	})
	for _, p := range []int{2, 4} {
		b.Run(fmt.Sprintf("parallelism=%dxGOMAXPROCS", p), func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(p)
			b.RunParallel(func(pb *testing.PB) {
				var i int
				for pb.Next() {
					l.Record(latencies[i&4095])
					i++
				}
			})
		})
	}
}

// BenchmarkRecordAt is recording with a supplied time in the current bucket
// (the path of WithClock and of replayed events).
func BenchmarkRecordAt(b *testing.B) {
	clock := newFakeClock(t0)
	r, err := sli.NewRatio(sli.WithClock(clock.Now))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r.RecordAt(t0, sli.Good)
	}
}

// filled returns a ratio SLI with an event in every fine bucket of the last
// 35 days, so reads sum full rings.
func filled(b *testing.B) (*sli.Ratio, *fakeClock) {
	clock := newFakeClock(t0)
	r, err := sli.NewRatio(sli.WithClock(clock.Now))
	if err != nil {
		b.Fatal(err)
	}
	for k := range 35 * 24 * 60 {
		if k%97 == 0 {
			r.Record(sli.Bad)
		} else {
			r.Record(sli.Good)
		}
		clock.Advance(time.Minute)
	}
	return r, clock
}

// BenchmarkBudgetAt is what a release gate pays: the remaining budget of an
// SLI over a 30-day rolling window.
func BenchmarkBudgetAt(b *testing.B) {
	r, clock := filled(b)
	target := budget.MustTarget(0.99, 30*24*time.Hour)
	now := clock.Now()
	b.ReportAllocs()
	for b.Loop() {
		c, err := r.CountsAt(now, target.Period())
		if err != nil {
			b.Fatal(err)
		}
		bud, err := target.Budget(c.Good, c.Valid)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := bud.Remaining(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCountsAt is the read alone, for short and long windows.
func BenchmarkCountsAt(b *testing.B) {
	r, clock := filled(b)
	now := clock.Now()
	for _, w := range []time.Duration{5 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour, 30 * 24 * time.Hour} {
		b.Run(w.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.CountsAt(now, w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPercentiles reads p50, p95, p99 and p99.9 of the last 5 minutes
// and of the last hour of a latency SLI that saw an hour of lognormal
// traffic at 100 requests a second.
func BenchmarkPercentiles(b *testing.B) {
	clock := newFakeClock(t0)
	l, err := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
	if err != nil {
		b.Fatal(err)
	}
	for i := range 3600 * 100 {
		l.Record(latencies[i&4095])
		clock.Advance(10 * time.Millisecond)
	}
	for _, w := range []time.Duration{5 * time.Minute, time.Hour} {
		b.Run(w.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := l.Percentiles(w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecordRequest is the middleware's recording: a request's
// outcome into an availability SLI and its latency into a latency SLI.
func BenchmarkRecordRequest(b *testing.B) {
	a, _ := sli.NewRatio()
	l, _ := sli.NewLatency(100 * time.Millisecond)
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			sli.RecordRequest(a, l, sli.Good, latencies[i&4095])
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			var i int
			for pb.Next() {
				sli.RecordRequest(a, l, sli.Good, latencies[i&4095])
				i++
			}
		})
	})
}

// BenchmarkSlicesCountsAt reads a time-slice SLI that has 30 days of
// 1-minute slices, each with events: one window, and the seven windows an
// objective's status reads at once.
func BenchmarkSlicesCountsAt(b *testing.B) {
	clock := newFakeClock(t0)
	s, err := sli.NewLatencySlices(0.99, 300*time.Millisecond, sli.WithClock(clock.Now))
	if err != nil {
		b.Fatal(err)
	}
	for i := range 30 * 24 * 60 {
		for k := range 1 + i%7 {
			s.Record(time.Duration(k*100) * time.Millisecond)
		}
		clock.Advance(time.Minute)
	}
	now := clock.Now()
	for _, w := range []time.Duration{5 * time.Minute, time.Hour, 30 * 24 * time.Hour} {
		b.Run(w.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.CountsAt(now, w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSliceRecord is a time-slice SLI's record on the default clock,
// serial and in parallel.
func BenchmarkSliceRecord(b *testing.B) {
	s, err := sli.NewLatencySlices(0.99, 300*time.Millisecond)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.Record(42 * time.Millisecond)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s.Record(42 * time.Millisecond)
			}
		})
	})
}

// requestContext is a context as a request handler has it: net/http's
// cancelable context with its two values, and, for a traced request, the
// span on top.
func requestContext(b *testing.B, span string) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	type localAddr struct{}
	type server struct{}
	ctx = context.WithValue(context.WithValue(ctx, server{}, 1), localAddr{}, 2)
	switch span {
	case "sampled":
		ctx = trace.ContextWithSpanContext(ctx, trace.SpanContextFromContext(spanContext(1, true)))
	case "unsampled":
		ctx = trace.ContextWithSpanContext(ctx, trace.SpanContextFromContext(spanContext(1, false)))
	}
	return ctx
}

// BenchmarkRecordContext is what recording with the request's context
// adds to recording without: nothing for a good event; for a bad one, a
// look for its span, 256 times a 10-second cell (BenchmarkExemplarLook
// is one look), then nothing.
func BenchmarkRecordContext(b *testing.B) {
	for _, run := range []string{"serial", "parallel"} {
		for _, how := range []string{"Record", "no-span", "unsampled", "sampled"} {
			for _, o := range []sli.Outcome{sli.Good, sli.Bad} {
				b.Run(fmt.Sprintf("%s/%s/%v", run, how, o), func(b *testing.B) {
					r, _ := sli.NewRatio()
					ctx := requestContext(b, how)
					record := func() { r.RecordContext(ctx, o) }
					if how == "Record" {
						record = func() { r.Record(o) }
					}
					b.ReportAllocs()
					if run == "serial" {
						for b.Loop() {
							record()
						}
						return
					}
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							record()
						}
					})
				})
			}
		}
	}
}
