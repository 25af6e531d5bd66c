package slo_test

import (
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/nines-slo/nines/internal/fakeclock"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// TestEvaluator: with an evaluator running, an outage pages without anyone
// asking for a status, and Close leaves no goroutine behind.
func TestEvaluator(t *testing.T) {
	clock := fakeclock.New(t0)
	r := ratio(t, clock)
	paged := make(chan slo.AlertEvent, 8)
	o := objective(t, slo.Config{Name: "api", SLI: r, Target: 0.999, Alerts: slo.DefaultAlerts()[:1]}, clock,
		slo.WithAlertHandler(func(e slo.AlertEvent) { paged <- e }))
	reg, _ := slo.NewRegistry(o)
	before := runtime.NumGoroutine()
	ev, err := slo.NewEvaluator(reg, 5*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1000 { // 10% failing: burn rate 100
		if i%10 == 0 {
			r.Record(sli.Bad)
		} else {
			r.Record(sli.Good)
		}
	}
	select {
	case e := <-paged:
		if !e.Firing || e.Rule.Name != "page-1h" {
			t.Errorf("event %+v, want page-1h firing", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no page within 10s of an outage with an evaluator running")
	}
	ev.Close()
	ev.Close()
	for i := 0; runtime.NumGoroutine() > before && i < 100; i++ {
		runtime.Gosched()
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close, %d before", n, before)
	}
	if _, err := slo.NewEvaluator(reg, 0); !errors.Is(err, slo.ErrInvalidConfig) {
		t.Errorf("NewEvaluator(0): %v, want ErrInvalidConfig", err)
	}
}
