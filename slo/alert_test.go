package slo_test

import (
	"errors"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// outage records a minute of traffic with the given share failing.
func outage(r *sli.Ratio, clock *ninestest.Clock, failPercent int) {
	for i := range 100 {
		if i < failPercent {
			r.Record(sli.Bad)
		} else {
			r.Record(sli.Good)
		}
	}
	clock.Advance(time.Minute)
}

// TestAlertsConcurrent evaluates from several goroutines at once through an
// outage and a recovery: the handler sees firing then resolved, once each,
// in order, one call at a time.
func TestAlertsConcurrent(t *testing.T) {
	clock := ninestest.NewClock(t0.Add(30 * day))
	r := ratio(t, clock)
	steady(r, clock, 24, 6000, 0)
	var mu sync.Mutex
	var events []bool
	inHandler := 0
	o := objective(t, slo.Config{Name: "api", SLI: r, Target: 0.999, Alerts: slo.DefaultAlerts()[:1]}, clock,
		slo.WithAlertHandler(func(e slo.AlertEvent) {
			mu.Lock()
			inHandler++
			if inHandler > 1 {
				t.Error("handler called concurrently")
			}
			events = append(events, e.Firing)
			mu.Unlock()
			time.Sleep(time.Millisecond) // a slow handler widens any race
			mu.Lock()
			inHandler--
			mu.Unlock()
		}))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					o.Evaluate()
				}
			}
		}()
	}
	// The main goroutine evaluates every minute too, so that both changes
	// are seen however the others are scheduled.
	for range 60 {
		outage(r, clock, 5)
		o.Evaluate()
	}
	for range 30 {
		outage(r, clock, 0)
		o.Evaluate()
	}
	close(stop)
	wg.Wait()
	o.Evaluate() // deliver anything still queued
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 2 || !events[0] || events[1] {
		t.Errorf("events %v, want [firing resolved]", events)
	}
}

// TestStatusAtElsewhereInTime: evaluating at a time in the future or the
// past changes no alert state, and does not stop later evaluations from
// delivering.
func TestStatusAtElsewhereInTime(t *testing.T) {
	clock := ninestest.NewClock(t0.Add(30 * day))
	r := ratio(t, clock)
	var events []slo.AlertEvent
	o := objective(t, slo.Config{Name: "api", SLI: r, Target: 0.999, Alerts: slo.DefaultAlerts()[:1]}, clock,
		slo.WithAlertHandler(func(e slo.AlertEvent) { events = append(events, e) }))
	steady(r, clock, 24, 6000, 0)
	if _, err := o.EvaluateAt(clock.Now().Add(24 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	start := clock.Now()
	for range 30 {
		outage(r, clock, 10)
		o.Evaluate()
	}
	if len(events) != 1 || !events[0].Firing {
		t.Fatalf("after a look into the future and an outage: events %+v, want one firing", events)
	}
	// The past: before the outage the rule did not hold; during it, it did.
	before, _ := o.EvaluateAt(start.Add(-time.Minute))
	during, _ := o.EvaluateAt(start.Add(25 * time.Minute))
	if before.Alerts[0].Firing || !during.Alerts[0].Firing || !during.Alerts[0].Since.IsZero() {
		t.Errorf("past views: before %+v, during %+v; want not firing, then firing without Since", before.Alerts[0], during.Alerts[0])
	}
	if len(events) != 1 {
		t.Errorf("looking at the past delivered events: %+v", events)
	}
}

func TestUnreachableRules(t *testing.T) {
	clock := ninestest.NewClock(t0)
	// At 90% no burn rate exceeds 10: the 14.4 page is left out of the
	// defaults, the 6 page and the ticket stay.
	o := objective(t, slo.Config{Name: "latency", SLI: ratio(t, clock), Target: 0.9}, clock)
	var names []string
	for _, r := range o.Alerts() {
		names = append(names, r.Name)
	}
	if strings.Join(names, ",") != "page-6h,ticket-3d" {
		t.Errorf("default rules at 90%%: %v, want page-6h and ticket-3d", names)
	}
	_, err := slo.New(slo.Config{Name: "latency", SLI: ratio(t, clock), Target: 0.9, Alerts: slo.DefaultAlerts()},
		slo.WithClock(clock.Now), slo.WithLogger(slog.New(slog.DiscardHandler)))
	if !errors.Is(err, slo.ErrInvalidConfig) || !strings.Contains(err.Error(), "never fire") {
		t.Errorf("explicit unreachable rule: %v, want ErrInvalidConfig saying it can never fire", err)
	}
	if _, err := slo.New(slo.Config{Name: "a", SLI: ratio(t, clock), Target: 0.99, Window: slo.Rolling(0)}); !errors.Is(err, slo.ErrInvalidConfig) {
		t.Errorf("Rolling(0): %v, want ErrInvalidConfig", err)
	}
}

// TestExhaustionRule: "page when the budget is gone within a day at the
// last hour's rate" stays quiet through a day at a burn rate of 0.5, with
// half the 7-day budget left (it would last a week), and fires in an
// hour at 5 with a third left; its threshold follows the budget left.
func TestExhaustionRule(t *testing.T) {
	clock := ninestest.NewClock(t0.Add(30 * day))
	r := ratio(t, clock)
	steady(r, clock, 24, 6000, 30) // 0.5% bad at 99%: burn rate 0.5
	rule := slo.AlertRule{Name: "exhaust-1d", Severity: slo.Page, Long: time.Hour, Short: 5 * time.Minute, Exhaustion: day}
	o := objective(t, slo.Config{Name: "api", SLI: r, Target: 0.99, Window: slo.Rolling(7 * day), Alerts: []slo.AlertRule{rule}}, clock)
	s, err := o.Evaluate()
	if err != nil {
		t.Fatal(err)
	}
	if a := s.Alerts[0]; a.Firing || math.Abs(a.Threshold-0.5*7) > 1e-9 || a.MinEvents != 15 {
		t.Errorf("a day at 0.5: firing %v, threshold %v (want 3.5: half the budget in a day), min events %v (want ⌈1 ÷ (7 × 0.01)⌉)", a.Firing, a.Threshold, a.MinEvents)
	}
	clock.Advance(time.Hour)
	steady(r, clock, 1, 6000, 300) // an hour at 5%: burn rate 5
	s, err = o.Evaluate()
	if err != nil {
		t.Fatal(err)
	}
	left, _ := s.Remaining()
	if a := s.Alerts[0]; !a.Firing || math.Abs(a.Threshold-left*7) > 1e-9 || left > 0.35 {
		t.Errorf("an hour at 5 with %v left: firing %v, threshold %v, want firing above %v", left, a.Firing, a.Threshold, left*7)
	}
	for _, bad := range []slo.AlertRule{
		{Name: "x", Severity: slo.Page, Long: time.Hour, Short: time.Minute, Exhaustion: time.Second},
		{Name: "x", Severity: slo.Page, Long: time.Hour, Short: time.Minute, Exhaustion: day, BudgetFraction: 0.1},
	} {
		if _, err := slo.New(slo.Config{Name: "x", SLI: r, Target: 0.99, Alerts: []slo.AlertRule{bad}}, slo.WithClock(clock.Now)); !errors.Is(err, slo.ErrInvalidConfig) {
			t.Errorf("rule %+v: %v, want ErrInvalidConfig", bad, err)
		}
	}
}
