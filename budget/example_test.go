package budget_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/nines-slo/nines/budget"
)

func ExampleTarget_AllowedDowntime() {
	for _, objective := range []float64{0.99, 0.999, 0.9999} {
		t := budget.MustTarget(objective, 30*24*time.Hour)
		fmt.Printf("%v allows %v\n", t, t.AllowedDowntime())
	}
	// Output:
	// 99% over 720h0m0s allows 7h12m0s
	// 99.9% over 720h0m0s allows 43m12s
	// 99.99% over 720h0m0s allows 4m19.2s
}

func ExampleBudget_Remaining() {
	target := budget.MustTarget(0.999, 30*24*time.Hour)
	// 1,000,000 valid requests, 250 of them failed; a 10m48s maintenance window.
	b, err := target.Budget(999_750, 1_000_000, budget.Deduction{
		Cause:    budget.Maintenance,
		Reason:   "database upgrade",
		Downtime: 10*time.Minute + 48*time.Second,
	})
	if err != nil {
		panic(err)
	}
	left, _ := b.Remaining()
	events, _ := b.RemainingEvents()
	down, _ := b.DowntimeLeft()
	fmt.Printf("remaining: %.0f%% of the budget, %.0f bad events, %v of downtime\n", left*100, events, down)
	// Output:
	// remaining: 50% of the budget, 500 bad events, 21m36s of downtime
}

func ExampleBudget_Remaining_noData() {
	b, _ := budget.MustTarget(0.999, 30*24*time.Hour).Budget(0, 0)
	if _, err := b.Remaining(); errors.Is(err, budget.ErrNoData) {
		fmt.Println("no valid events yet")
	}
	// Output:
	// no valid events yet
}

func ExampleTarget_BurnRate() {
	target := budget.MustTarget(0.999, 30*24*time.Hour)
	// The last hour: 10,000 requests, 144 failed.
	rate, _ := target.BurnRate(10_000-144, 10_000)
	fmt.Printf("burn rate %.1f: an hour of this spends %.0f%% of the budget\n",
		rate, rate*float64(time.Hour)/float64(target.Period())*100)
	// Output:
	// burn rate 14.4: an hour of this spends 2% of the budget
}

func ExamplePolicy_Decide() {
	target := budget.MustTarget(0.999, 30*24*time.Hour)
	policy := budget.Policy{MinRemaining: 0.25}

	healthy, _ := target.Budget(999_400, 1_000_000)
	burnt, _ := target.Budget(999_100, 1_000_000)
	quiet, _ := target.Budget(120, 120)
	for _, b := range []budget.Budget{healthy, burnt, quiet} {
		d, _ := policy.Decide(b)
		fmt.Println(d)
	}
	// Output:
	// allow: 40% of the error budget remains (policy requires at least 25%)
	// deny: 10% of the error budget remains, below the policy's 25%
	// undecided: too little traffic to decide: 120 valid events, the policy needs 1000
}

// Half a 30-day budget left: at the page threshold's burn rate, 14.4, it
// is gone in 25 hours; at 0.4 it outlasts the window.
func ExampleBudget_Exhaustion() {
	target := budget.MustTarget(0.999, 30*24*time.Hour)
	b, _ := target.Budget(999_500, 1_000_000) // 500 of the 1000 bad events allowed
	for _, rate := range []float64{14.4, 1, 0.4} {
		e, err := b.Exhaustion(rate, 30*24*time.Hour)
		if err != nil {
			panic(err)
		}
		if e.Never {
			fmt.Printf("burn rate %v: never; %.0f%% left at the end\n", rate, e.LeftAtEnd*100)
			continue
		}
		fmt.Printf("burn rate %v: gone in %v\n", rate, e.In)
	}
	// Output:
	// burn rate 14.4: gone in 25h0m0s
	// burn rate 1: gone in 360h0m0s
	// burn rate 0.4: never; 10% left at the end
}
