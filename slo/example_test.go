package slo_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"time"

	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

func Example() {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) // fixed, for a deterministic example
	clock := func() time.Time { return now }

	// Define: 99.9% of profile requests succeed over 30 days.
	availability, _ := sli.NewRatio(sli.WithClock(clock))
	o, err := slo.New(slo.Config{
		Name:     "profile-availability",
		SLI:      availability,
		Target:   0.999,
		Metadata: slo.Metadata{Service: "user-profile", Owner: "team-identity", Requests: "GET /users/{id}"},
	}, slo.WithClock(clock))
	if err != nil {
		panic(err)
	}

	// Record: 10,000 requests, 4 of them failed.
	for i := range 10_000 {
		if i%2500 == 0 {
			availability.Record(sli.Bad)
		} else {
			availability.Record(sli.Good)
		}
	}

	// Status.
	s, _ := o.Status()
	left, _ := s.Remaining()
	fmt.Printf("%s: SLI %.2f%%, %s, %.0f%% of the budget left (%v)\n", s.Name, s.SLI*100, s.Attainment, left*100, s.Window)
	// Output:
	// profile-availability: SLI 99.96%, met, 60% of the budget left (30d rolling)
}

func ExampleWithAlertHandler() {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	checkout, _ := sli.NewRatio(sli.WithClock(clock))
	o, _ := slo.New(slo.Config{Name: "checkout", SLI: checkout, Target: 0.999},
		slo.WithClock(clock),
		slo.WithLogger(slog.New(slog.DiscardHandler)), // alerts also go to slog
		slo.WithAlertHandler(func(e slo.AlertEvent) {
			state := "resolved"
			if e.Firing {
				state = "FIRING"
			}
			fmt.Printf("%s %s %s: burn %.0f over %v, %.0f over %v (threshold %.1f)\n",
				e.Objective, e.Rule.Name, state, e.Long, e.Rule.Long, e.Short, e.Rule.Short, e.Threshold)
		}))

	// An outage: 20% of requests fail for ten minutes.
	for range 10 {
		for i := range 1000 {
			if i%5 == 0 {
				checkout.Record(sli.Bad)
			} else {
				checkout.Record(sli.Good)
			}
		}
		now = now.Add(time.Minute)
		o.Evaluate() // on the wall clock the objective evaluates itself every 30 s
	}
	// Recovery.
	for range 10 {
		for range 1000 {
			checkout.Record(sli.Good)
		}
		now = now.Add(time.Minute)
		o.Evaluate()
	}
	// Output:
	// checkout page-1h FIRING: burn 200 over 1h0m0s, 200 over 5m0s (threshold 14.4)
	// checkout page-6h FIRING: burn 200 over 6h0m0s, 200 over 30m0s (threshold 6.0)
	// checkout ticket-3d FIRING: burn 200 over 72h0m0s, 200 over 6h0m0s (threshold 1.0)
	// checkout page-1h resolved: burn 133 over 1h0m0s, 0 over 5m0s (threshold 14.4)
}

func ExampleRegistry_Restore() {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	// The objectives are code: each process defines them the same way.
	define := func() (*slo.Registry, *sli.Ratio) {
		availability, _ := sli.NewRatio(sli.WithClock(clock))
		o, _ := slo.New(slo.Config{Name: "api", SLI: availability, Target: 0.999}, slo.WithClock(clock))
		reg, _ := slo.NewRegistry(o)
		return reg, availability
	}

	// Before a deploy: 5000 requests, 2 failed; snapshot the state.
	before, availability := define()
	for i := range 5000 {
		if i < 2 {
			availability.Record(sli.Bad)
		} else {
			availability.Record(sli.Good)
		}
	}
	var snapshot bytes.Buffer // slo.WriteFile writes one to a file, atomically
	if err := before.Snapshot(&snapshot); err != nil {
		panic(err)
	}

	// After the deploy, an hour later: a new process restores it.
	now = now.Add(time.Hour)
	after, _ := define()
	if _, err := after.Restore(&snapshot); err != nil {
		panic(err)
	}
	st, _ := after.Status()
	left, _ := st[0].Remaining()
	fmt.Printf("%v events, %.0f%% of the budget left\n", st[0].Valid, left*100)
	// Output:
	// 5000 events, 60% of the budget left
}

func ExampleMergeSnapshots() {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	replica := func(requests, failures int) *bytes.Buffer {
		availability, _ := sli.NewRatio(sli.WithClock(clock))
		o, _ := slo.New(slo.Config{Name: "api", SLI: availability, Target: 0.999}, slo.WithClock(clock))
		reg, _ := slo.NewRegistry(o)
		for i := range requests {
			if i < failures {
				availability.Record(sli.Bad)
			} else {
				availability.Record(sli.Good)
			}
		}
		var b bytes.Buffer
		reg.Snapshot(&b)
		return &b
	}
	a, b := replica(6000, 1), replica(4000, 5) // two replicas of one service

	var fleet bytes.Buffer
	if err := slo.MergeSnapshots(&fleet, a, b); err != nil {
		panic(err)
	}
	availability, _ := sli.NewRatio(sli.WithClock(clock))
	o, _ := slo.New(slo.Config{Name: "api", SLI: availability, Target: 0.999}, slo.WithClock(clock))
	view, _ := slo.NewRegistry(o)
	view.Restore(&fleet)
	s, _ := o.Status()
	fmt.Printf("fleet: %v of %v good, SLI %.2f%%, %s\n", s.Good, s.Valid, s.SLI*100, s.Attainment)
	// Output:
	// fleet: 9994 of 10000 good, SLI 99.94%, met
}

// An exhaustion rule pages when the budget left would be gone within a
// day at the last hour's burn rate. Three weeks at a burn rate of 0.7
// leave 30% of the budget, which a day at a burn rate of 9 would spend:
// the threshold is 0.3 × 30 = 9, not the 30 of an untouched budget.
func ExampleAlertRule_exhaustion() {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	r, _ := sli.NewRatio(sli.WithClock(clock))
	for h := range 21 * 24 { // 0.7% bad at 99%: a burn rate of 0.7
		at := now.Add(-time.Duration(21*24-h) * time.Hour)
		for k := range 1000 {
			if k < 7 {
				r.RecordAt(at, sli.Bad)
			} else {
				r.RecordAt(at, sli.Good)
			}
		}
	}
	rule := slo.AlertRule{Name: "exhaust-1d", Severity: slo.Page, Long: time.Hour, Short: 5 * time.Minute, Exhaustion: 24 * time.Hour}
	o, _ := slo.New(slo.Config{Name: "checkout", SLI: r, Target: 0.99, Alerts: []slo.AlertRule{rule}}, slo.WithClock(clock))
	s, _ := o.Status()
	left, _ := s.Remaining()
	a := s.Alerts[0]
	fmt.Printf("budget left %.0f%%; the rule fires above a burn rate of %.1f: %v\n", left*100, a.Threshold, a.Firing)
	fmt.Printf("at the 6h rate, %.1f, the budget is gone in %v\n", s.Exhaustion.BurnRate, s.Exhaustion.In.Round(time.Hour))
	// Output:
	// budget left 30%; the rule fires above a burn rate of 9.0: false
	// at the 6h rate, 0.7, the budget is gone in 309h0m0s
}

// An objective over time slices: 99% of minutes with p99 within 300 ms.
// Each minute weighs the same, whatever its traffic: the budget is 1% of
// the minutes, and alerts burn it minute by minute.
func Example_timeSlices() {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	minutes, _ := sli.NewLatencySlices(0.99, 300*time.Millisecond, sli.WithClock(clock))
	o, err := slo.New(slo.Config{Name: "search-p99", SLI: minutes, Target: 0.99}, slo.WithClock(clock))
	if err != nil {
		panic(err)
	}
	// A day of minutes, 100 requests each; in 5 of them 2 requests took
	// a second, so their p99 did.
	for m := range 24 * 60 {
		for k := range 100 {
			d := 50 * time.Millisecond
			if m%288 == 0 && k < 2 {
				d = time.Second
			}
			minutes.RecordAt(now.Add(-24*time.Hour+time.Duration(m)*time.Minute+time.Duration(k)*600*time.Millisecond), d)
		}
	}
	s, _ := o.Status()
	left, _ := s.Remaining()
	fmt.Printf("%s: %v of %v minutes good (%s), %v requests\n", s.Name, s.Good, s.Valid, s.Slicing, s.Events.Valid)
	fmt.Printf("SLI %.2f%%, %s, %.0f%% of the budget left\n", s.SLI*100, s.Attainment, left*100)
	// Output:
	// search-p99: 1435 of 1440 minutes good (p99 ≤ 300ms in each 1m0s slice), 144000 requests
	// SLI 99.65%, met, 65% of the budget left
}

// A composite objective: a checkout journey made of the cart's and the
// payment's objectives, the payment weighing three times as much. The
// composite burns at the weighted mean of their burn rates, each against
// its own target.
func Example_composite() {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	cart, _ := sli.NewRatio(sli.WithClock(clock))
	pay, _ := sli.NewRatio(sli.WithClock(clock))
	cartO, _ := slo.New(slo.Config{Name: "cart", SLI: cart, Target: 0.99}, slo.WithClock(clock))
	payO, _ := slo.New(slo.Config{Name: "pay", SLI: pay, Target: 0.999}, slo.WithClock(clock))
	journey, err := slo.New(slo.Config{Name: "checkout", Target: 0.995, Components: []slo.Component{
		{Objective: cartO}, {Objective: payO, Weight: 3}}}, slo.WithClock(clock))
	if err != nil {
		panic(err)
	}
	for i := range 10_000 {
		cart.Record(outcome(i%400 == 0)) // 0.25% bad: a quarter of its budget
		pay.Record(outcome(i%2000 == 0)) // 0.05% bad: half of its
	}
	s, _ := journey.Status()
	left, _ := s.Remaining()
	for _, c := range s.Components {
		fmt.Printf("%s: burn %.2f, weight %v\n", c.Name, c.Rate, c.Weight)
	}
	fmt.Printf("%s: burn %.4f, %.1f%% of the budget left, %s\n", s.Name, 1-left, left*100, s.Attainment)
	// Output:
	// cart: burn 0.25, weight 1
	// pay: burn 0.50, weight 3
	// checkout: burn 0.4375, 56.2% of the budget left, met
}

// outcome is Bad when bad, else Good.
func outcome(bad bool) sli.Outcome {
	if bad {
		return sli.Bad
	}
	return sli.Good
}
