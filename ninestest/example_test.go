package ninestest_test

import (
	"fmt"
	"time"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// A test of one's own alerting: an outage on a fake clock, evaluated
// minute by minute, pages once.
func Example() {
	clock := ninestest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	checkout, _ := sli.NewRatio(sli.WithClock(clock.Now))
	var alerts ninestest.Events[slo.AlertEvent]
	o, _ := slo.New(slo.Config{Name: "checkout", SLI: checkout, Target: 0.999, Alerts: slo.DefaultAlerts()[:1]},
		slo.WithClock(clock.Now), slo.WithLogger(discard), slo.WithAlertHandler(alerts.Add))
	for range 10 { // 20% of requests fail for ten minutes
		for i := range 1000 {
			if i%5 == 0 {
				checkout.Record(sli.Bad)
			} else {
				checkout.Record(sli.Good)
			}
		}
		clock.Advance(time.Minute)
		o.Evaluate()
	}
	for _, e := range alerts.All() {
		fmt.Println(e.Objective, e.Rule.Name, e.Firing, e.At.Format(time.TimeOnly))
	}
	// Output:
	// checkout page-1h true 09:01:00
}
