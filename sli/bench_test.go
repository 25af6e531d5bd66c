package sli_test

import (
	"fmt"
	"testing"
	"time"

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
	for _, g := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("goroutines=%d", g), func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(g)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r.Record(sli.Good)
				}
			})
		})
	}
}

// BenchmarkLatencyThresholdRecord is the latency SLI's counting path (the
// histogram comes with package histogram).
func BenchmarkLatencyThresholdRecord(b *testing.B) {
	l, err := sli.NewLatency(100 * time.Millisecond)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			l.Record(time.Duration(i&255) * time.Millisecond)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			var i int
			for pb.Next() {
				l.Record(time.Duration(i&255) * time.Millisecond)
				i++
			}
		})
	})
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
