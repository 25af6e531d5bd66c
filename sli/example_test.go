package sli_test

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
)

func ExampleRatio() {
	// A fixed clock keeps the example deterministic; services leave it out.
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	availability, err := sli.NewRatio(sli.WithClock(func() time.Time { return now }))
	if err != nil {
		panic(err)
	}
	for _, status := range []int{200, 200, 404, 302, 503, 200, 200, 200, 200, 200} {
		availability.Record(sli.ClassifyStatus(status))
	}
	availability.Record(sli.Invalid) // a client that went away: not valid

	c, _ := availability.Counts(5 * time.Minute)
	ratio, _ := c.Ratio()
	fmt.Printf("%v good of %v valid: %.1f%%\n", c.Good, c.Valid, ratio*100)
	// Output:
	// 9 good of 10 valid: 90.0%
}

func ExampleLatency() {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	fast, err := sli.NewLatency(100*time.Millisecond, sli.WithClock(func() time.Time { return now }))
	if err != nil {
		panic(err)
	}
	for _, ms := range []int{12, 40, 85, 100, 140, 60, 30, 95, 210, 70} {
		fast.Record(time.Duration(ms) * time.Millisecond)
	}
	c, _ := fast.Counts(time.Hour)
	ratio, _ := c.Ratio()
	fmt.Printf("%.0f%% of requests within %v\n", ratio*100, fast.Threshold())
	// Output:
	// 80% of requests within 100ms
}

func ExampleRatio_RecordAt() {
	// Replaying events with their own times, from a log say.
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	r, err := sli.NewRatio(sli.WithClock(func() time.Time { return start.Add(2 * time.Hour) }))
	if err != nil {
		panic(err)
	}
	for m := range 120 {
		outcome := sli.Good
		if m >= 110 { // the last ten minutes went bad
			outcome = sli.Bad
		}
		r.RecordAt(start.Add(time.Duration(m)*time.Minute), outcome)
	}
	for _, w := range []time.Duration{5 * time.Minute, 30 * time.Minute, 2 * time.Hour} {
		c, _ := r.Counts(w)
		ratio, _ := c.Ratio()
		fmt.Printf("last %v: %3.0f%% of %v\n", w, ratio*100, c.Valid)
	}
	// Output:
	// last 5m0s:   0% of 5
	// last 30m0s:  67% of 30
	// last 2h0m0s:  92% of 120
}

func ExampleAggregated() {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := sli.WithClock(func() time.Time { return now })
	journey := func(good, valid int) *sli.Ratio {
		r, _ := sli.NewRatio(clock)
		for k := range valid {
			if k < good {
				r.Record(sli.Good)
			} else {
				r.Record(sli.Bad)
			}
		}
		return r
	}
	browse, err := sli.NewAggregated([]sli.Part{
		{Name: "home", SLI: journey(9994, 10000)},
		{Name: "search", SLI: journey(9989, 10000)},
		{Name: "category", SLI: journey(9997, 10000)},
		{Name: "detail", SLI: journey(10000, 10000)},
	}, clock)
	if err != nil {
		panic(err)
	}
	c, _ := browse.Counts(30 * 24 * time.Hour)
	ratio, _ := c.Ratio()
	fmt.Printf("browse: %v good of %v valid = %.2f%%\n", c.Good, c.Valid, ratio*100)
	// Output:
	// browse: 39980 good of 40000 valid = 99.95%
}

func ExampleLatency_Percentiles() {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	l, err := sli.NewLatency(100*time.Millisecond, sli.WithClock(func() time.Time { return now }))
	if err != nil {
		panic(err)
	}
	// 100 requests: 10 ms, 20 ms, … 1000 ms.
	for ms := 10; ms <= 1000; ms += 10 {
		l.Record(time.Duration(ms) * time.Millisecond)
	}
	c, _ := l.Counts(time.Minute)
	ratio, _ := c.Ratio()
	p, _ := l.Percentiles(time.Minute)
	r := func(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }
	fmt.Printf("within %v: %.0f%%; p50 %v, p95 %v, p99 %v\n", l.Threshold(), ratio*100, r(p.P50), r(p.P95), r(p.P99))
	// Output:
	// within 100ms: 10%; p50 500ms, p95 950ms, p99 990ms
}

// Record a request into an availability and a latency SLI in one call, as
// HTTP middleware does: a failed request's duration stays out of the
// latency SLI.
func ExampleRecordRequest() {
	availability, _ := sli.NewRatio()
	fast, _ := sli.NewLatency(100 * time.Millisecond)
	sli.RecordRequest(availability, fast, sli.Good, 40*time.Millisecond)
	sli.RecordRequest(availability, fast, sli.Good, 180*time.Millisecond)
	sli.RecordRequest(availability, fast, sli.Bad, 3*time.Second)
	a, l := availability.Recorded(), fast.Recorded()
	fmt.Printf("availability %v of %v, latency %v of %v\n", a.Good, a.Valid, l.Good, l.Valid)
	// Output:
	// availability 2 of 3, latency 1 of 2
}

// A time-slice SLI: the fraction of minutes whose p99 was within 300 ms.
// A quiet night does not spend the budget as a busy hour would: each
// minute weighs one slice, whatever its traffic.
func ExampleLatencySlices() {
	clock := ninestest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	minutes, err := sli.NewLatencySlices(0.99, 300*time.Millisecond, sli.WithClock(clock.Now))
	if err != nil {
		panic(err)
	}
	for minute := range 10 {
		for i := range 200 {
			d := 40 * time.Millisecond
			if minute == 3 && i < 5 { // 2.5% slow in one minute: its p99 is 900 ms
				d = 900 * time.Millisecond
			}
			minutes.Record(d)
		}
		clock.Advance(time.Minute)
	}
	slices, _ := minutes.Counts(10 * time.Minute)
	events, _ := minutes.EventsAt(clock.Now(), 10*time.Minute)
	ratio, _ := slices.Ratio()
	fmt.Println(minutes.Slicing())
	fmt.Printf("%v good of %v slices (%.0f%%), from %v requests\n", slices.Good, slices.Valid, ratio*100, events.Valid)
	// Output:
	// p99 ≤ 300ms in each 1m0s slice
	// 9 good of 10 slices (90%), from 2000 requests
}

// A failed request, recorded with its context, leads to its trace: the
// context holds the span a tracing middleware (otelhttp, say) started.
func ExampleRatio_RecordContext() {
	availability, _ := sli.NewRatio()
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled,
	}))

	availability.RecordContext(ctx, sli.Good) // kept only when bad
	availability.RecordContext(ctx, sli.Bad)
	for _, e := range availability.Exemplars() {
		fmt.Println("failed request: trace", e.TraceID, "span", e.SpanID)
	}
	// Output: failed request: trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7
}
