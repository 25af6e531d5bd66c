package budget_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/nines-slo/nines/budget"
)

// figures is everything a Budget reports, for comparing in one go.
type figures struct {
	Allowed, Consumed, ConsumedEvents, Remaining, RemainingEvents float64
	DowntimeLeft                                                  time.Duration
}

func figuresOf(t *testing.T, b budget.Budget) figures {
	t.Helper()
	var f figures
	var errs [5]error
	f.Allowed = b.Allowed()
	f.Consumed, errs[0] = b.Consumed()
	f.ConsumedEvents, errs[1] = b.ConsumedEvents()
	f.Remaining, errs[2] = b.Remaining()
	f.RemainingEvents, errs[3] = b.RemainingEvents()
	f.DowntimeLeft, errs[4] = b.DowntimeLeft()
	if err := errors.Join(errs[:]...); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestBudget(t *testing.T) {
	target := budget.MustTarget(0.999, month) // 43m12s allowed
	tests := []struct {
		name        string
		good, valid float64
		deductions  []budget.Deduction
		want        figures
	}{
		{
			name: "untouched", good: 1e6, valid: 1e6,
			want: figures{Allowed: 1000, Remaining: 1, RemainingEvents: 1000, DowntimeLeft: 43*time.Minute + 12*time.Second},
		},
		{
			name: "a quarter spent", good: 1e6 - 250, valid: 1e6,
			want: figures{Allowed: 1000, Consumed: 0.25, ConsumedEvents: 250, Remaining: 0.75, RemainingEvents: 750, DowntimeLeft: 32*time.Minute + 24*time.Second},
		},
		{
			name: "exactly spent", good: 1e6 - 1000, valid: 1e6,
			want: figures{Allowed: 1000, Consumed: 1, ConsumedEvents: 1000},
		},
		{
			name: "overspent by half", good: 1e6 - 1500, valid: 1e6,
			want: figures{Allowed: 1000, Consumed: 1.5, ConsumedEvents: 1500, Remaining: -0.5, RemainingEvents: -500, DowntimeLeft: -(21*time.Minute + 36*time.Second)},
		},
		{
			name: "maintenance deducted", good: 1e6 - 250, valid: 1e6,
			deductions: []budget.Deduction{{Cause: budget.Maintenance, Reason: "database upgrade", Downtime: 21*time.Minute + 36*time.Second}},
			want:       figures{Allowed: 1000, Consumed: 0.75, ConsumedEvents: 750, Remaining: 0.25, RemainingEvents: 250, DowntimeLeft: 10*time.Minute + 48*time.Second},
		},
		{
			name: "deploys and a drill", good: 1e6, valid: 1e6,
			deductions: []budget.Deduction{
				{Cause: budget.Deployment, Reason: "v2.3 rollout", Downtime: 4*time.Minute + 19*time.Second + 200*time.Millisecond},
				{Cause: budget.Deployment, Reason: "v2.4 rollout", Downtime: 4*time.Minute + 19*time.Second + 200*time.Millisecond},
				{Cause: budget.Drill, Reason: "failover drill", Downtime: 43*time.Minute + 12*time.Second},
			},
			want: figures{Allowed: 1000, Consumed: 1.2, ConsumedEvents: 1200, Remaining: -0.2, RemainingEvents: -200, DowntimeLeft: -(8*time.Minute + 38*time.Second + 400*time.Millisecond)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := target.Budget(tt.good, tt.valid, tt.deductions...)
			if err != nil {
				t.Fatal(err)
			}
			got := figuresOf(t, b)
			// Durations come out of float arithmetic: equal to the microsecond.
			opt := cmp.Options{cmpopts.EquateApprox(0, 1e-9), cmp.Comparer(func(a, b time.Duration) bool {
				return (a - b).Abs() < time.Microsecond
			})}
			if diff := cmp.Diff(tt.want, got, opt); diff != "" {
				t.Errorf("figures (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.deductions, b.Deductions(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Deductions() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBudgetNoData(t *testing.T) {
	b, err := budget.MustTarget(0.999, month).Budget(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]func() error{
		"Consumed":        func() error { _, err := b.Consumed(); return err },
		"ConsumedEvents":  func() error { _, err := b.ConsumedEvents(); return err },
		"Remaining":       func() error { _, err := b.Remaining(); return err },
		"RemainingEvents": func() error { _, err := b.RemainingEvents(); return err },
		"DowntimeLeft":    func() error { _, err := b.DowntimeLeft(); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, budget.ErrNoData) {
			t.Errorf("%s() error = %v, want ErrNoData", name, err)
		}
	}
	if got := b.String(); !strings.HasSuffix(got, "no data") {
		t.Errorf("String() = %q, want it to say no data", got)
	}
	// The arithmetic that needs no events still works.
	if got, want := b.Target().AllowedDowntime(), 43*time.Minute+12*time.Second; got != want {
		t.Errorf("AllowedDowntime() = %v, want %v", got, want)
	}
}

func TestBudgetRejects(t *testing.T) {
	target := budget.MustTarget(0.999, month)
	tests := []struct {
		name        string
		good, valid float64
		deductions  []budget.Deduction
		want        error
	}{
		{"good above valid", 2, 1, nil, budget.ErrInvalidEvents},
		{"negative good", -1, 1, nil, budget.ErrInvalidEvents},
		{"negative valid", 0, -1, nil, budget.ErrInvalidEvents},
		{"NaN good", math.NaN(), 1, nil, budget.ErrInvalidEvents},
		{"Inf valid", 1, math.Inf(1), nil, budget.ErrInvalidEvents},
		{"zero downtime", 1, 1, []budget.Deduction{{Cause: budget.Drill}}, budget.ErrInvalidDeduction},
		{"negative downtime", 1, 1, []budget.Deduction{{Cause: budget.Drill, Downtime: -time.Minute}}, budget.ErrInvalidDeduction},
		{"no cause", 1, 1, []budget.Deduction{{Downtime: time.Minute}}, budget.ErrInvalidDeduction},
		{"unknown cause", 1, 1, []budget.Deduction{{Cause: 99, Downtime: time.Minute}}, budget.ErrInvalidDeduction},
		{"total overflows", 1, 1, []budget.Deduction{{Cause: budget.Drill, Downtime: math.MaxInt64 - 1}, {Cause: budget.Drill, Downtime: 2}}, budget.ErrInvalidDeduction},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := target.Budget(tt.good, tt.valid, tt.deductions...); !errors.Is(err, tt.want) {
				t.Errorf("Budget() error = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := (budget.Target{}).Budget(1, 1); !errors.Is(err, budget.ErrInvalidObjective) {
		t.Errorf("zero Target's Budget() error = %v, want ErrInvalidObjective", err)
	}
}

// TestUserProfileObjectives checks the two example objectives of docs/concepts.md
// for the "Web: User Profile" service.
func TestUserProfileObjectives(t *testing.T) {
	availability := budget.MustTarget(0.9995, month) // 99.95% success over 30 days
	latency := budget.MustTarget(0.90, month)        // 90% of responses ≤ 100 ms over 30 days
	if got, want := availability.AllowedDowntime(), 21*time.Minute+36*time.Second; got != want {
		t.Errorf("availability allows %v of downtime, want %v", got, want)
	}
	if got, want := latency.AllowedDowntime(), 72*time.Hour; got != want {
		t.Errorf("latency allows %v of slowness, want %v", got, want)
	}
	// 2,000,000 requests: availability allows 1000 failures, latency 200,000 slow ones.
	if got := availability.Allowed(2e6); math.Abs(got-1000) > 1e-9 {
		t.Errorf("availability allows %v bad events in 2e6, want 1000", got)
	}
	if got := latency.Allowed(2e6); math.Abs(got-200000) > 1e-6 {
		t.Errorf("latency allows %v slow events in 2e6, want 200000", got)
	}
}

func TestBudgetString(t *testing.T) {
	b, err := budget.MustTarget(0.999, month).Budget(1e6-625, 1e6)
	if err != nil {
		t.Fatal(err)
	}
	want := "99.9% over 720h0m0s: 37.5% of the error budget remains (375 of 1000 bad events)"
	if got := b.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestExhaustion: what remains lasts Remaining × period ÷ burn rate; never
// at rate 0 or past the period's end; already spent is 0; the budget left
// at the end follows the rate.
func TestExhaustion(t *testing.T) {
	const period = 30 * 24 * time.Hour
	target, _ := budget.NewTarget(0.999, period)
	half, _ := target.Budget(999500, 1000000)  // 500 of 1000 bad: half left
	spent, _ := target.Budget(998000, 1000000) // overspent
	for _, c := range []struct {
		name      string
		b         budget.Budget
		rate      float64
		left      time.Duration
		never     bool
		in        time.Duration
		leftAtEnd float64
	}{
		// Half a budget at 14.4 (2% an hour): 25 hours.
		{"page rate", half, 14.4, period, false, 25 * time.Hour, 0.5 - 14.4},
		{"rate 1, rolling", half, 1, period, false, 15 * 24 * time.Hour, -0.5},
		{"rate 0.5: lasts the window", half, 0.5, period, false, period, 0},
		{"rate 0.4: outlasts it", half, 0.4, period, true, 0, 0.1},
		{"rate 0", half, 0, period, true, 0, 0.5},
		// A calendar month with 10 days left, burning at 2: 7.5 days.
		{"calendar, in time", half, 2, 10 * 24 * time.Hour, false, 180 * time.Hour, 0.5 - 2.0/3},
		{"calendar, the month ends first", half, 1, 10 * 24 * time.Hour, true, 0, 0.5 - 1.0/3},
		{"spent already", spent, 3, period, false, 0, -1 - 3},
	} {
		e, err := c.b.Exhaustion(c.rate, c.left)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if e.Never != c.never || !c.never && e.In != c.in || math.Abs(e.LeftAtEnd-c.leftAtEnd) > 1e-9 || e.BurnRate != c.rate {
			t.Errorf("%s: %+v, want never %v, in %v, left at end %v", c.name, e, c.never, c.in, c.leftAtEnd)
		}
	}
	empty, _ := target.Budget(0, 0)
	if _, err := empty.Exhaustion(1, period); !errors.Is(err, budget.ErrNoData) {
		t.Errorf("no data: %v, want ErrNoData", err)
	}
	for _, rate := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := half.Exhaustion(rate, period); !errors.Is(err, budget.ErrInvalidEvents) {
			t.Errorf("burn rate %v: %v, want ErrInvalidEvents", rate, err)
		}
	}
	if _, err := half.Exhaustion(1, -time.Hour); !errors.Is(err, budget.ErrInvalidEvents) {
		t.Errorf("negative time left: %v, want ErrInvalidEvents", err)
	}
}
