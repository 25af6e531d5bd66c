package nines_test

import (
	"fmt"
	"time"

	"github.com/nines-slo/nines/budget"
	"github.com/nines-slo/nines/sli"
)

// Example is the tour: an availability SLI recorded per request, and a
// release gate reading its 30-day budget.
func Example() {
	// A fixed clock keeps the example deterministic; services leave it out.
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	availability, err := sli.NewRatio(sli.WithClock(func() time.Time { return now }))
	if err != nil {
		panic(err)
	}
	// 100,000 requests: 31 answered with a 503 (bad), hundreds with a 404 (good:
	// the client asked for something that is not there).
	for i := range 100_000 {
		status := 200
		switch {
		case i%3333 == 0:
			status = 503
		case i%200 == 1:
			status = 404
		}
		availability.Record(sli.ClassifyStatus(status))
	}

	target := budget.MustTarget(0.9995, 30*24*time.Hour) // 99.95% over 30 days
	c, _ := availability.Counts(target.Period())
	b, _ := target.Budget(c.Good, c.Valid)
	decision, _ := budget.Policy{MinRemaining: 0.25}.Decide(b)
	fmt.Println(b)
	fmt.Println(decision)
	// Output:
	// 99.95% over 720h0m0s: 38% of the error budget remains (19 of 50 bad events)
	// allow: 38% of the error budget remains (policy requires at least 25%)
}
