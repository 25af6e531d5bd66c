// Package ninestest helps users of nines test their own objectives,
// alerts and release gates deterministically: a Clock that tests move by
// hand, for the WithClock options of every package, and Events, a handler
// that keeps what it is given, for slo.WithAlertHandler.
//
//	clock := ninestest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
//	r, _ := sli.NewRatio(sli.WithClock(clock.Now))
//	var alerts ninestest.Events[slo.AlertEvent]
//	o, _ := slo.New(slo.Config{Name: "checkout", SLI: r, Target: 0.999},
//		slo.WithClock(clock.Now), slo.WithAlertHandler(alerts.Add))
//	// … record an outage, minute by minute, with clock.Advance …
//	o.Evaluate()
//	fired := alerts.All()
//
// On an injected clock an objective evaluates its alerts only when the
// test calls Evaluate (or gives slo.WithEvaluationInterval), so a test
// decides when alerts change; tests never sleep to move time.
//
// Clock and Events are safe for concurrent use.
package ninestest
