package budget_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/nines-slo/nines/budget"
)

func TestPolicyDecide(t *testing.T) {
	target := budget.MustTarget(0.999, month)
	tests := []struct {
		name        string
		policy      budget.Policy
		good, valid float64
		want        budget.Decision
	}{
		{
			name: "no data", good: 0, valid: 0,
			want: budget.Decision{Verdict: budget.Undecided, Reason: "no data: no valid events in 99.9% over 720h0m0s"},
		},
		{
			name: "too little traffic for the default guard", good: 998, valid: 999,
			want: budget.Decision{Verdict: budget.Undecided, Reason: "too little traffic to decide: 999 valid events, the policy needs 1000"},
		},
		{
			name: "too little traffic for an explicit guard", policy: budget.Policy{MinValidEvents: 5000}, good: 4990, valid: 4999,
			want: budget.Decision{Verdict: budget.Undecided, Reason: "too little traffic to decide: 4999 valid events, the policy needs 5000"},
		},
		{
			name: "enough traffic, budget left", good: 1000, valid: 1000,
			want: budget.Decision{Verdict: budget.Allow, Reason: "100% of the error budget remains"},
		},
		{
			name: "budget exactly spent", good: 1e6 - 1000, valid: 1e6,
			want: budget.Decision{Verdict: budget.Deny, Reason: "error budget exhausted: 0% of the error budget remains"},
		},
		{
			name: "budget overspent", good: 1e6 - 1500, valid: 1e6,
			want: budget.Decision{Verdict: budget.Deny, Reason: "error budget exhausted: -50% of the error budget remains"},
		},
		{
			name: "above the minimum", policy: budget.Policy{MinRemaining: 0.25}, good: 1e6 - 700, valid: 1e6,
			want: budget.Decision{Verdict: budget.Allow, Reason: "30% of the error budget remains (policy requires at least 25%)"},
		},
		{
			name: "at the minimum", policy: budget.Policy{MinRemaining: 0.25}, good: 1e6 - 750, valid: 1e6,
			want: budget.Decision{Verdict: budget.Allow, Reason: "25% of the error budget remains (policy requires at least 25%)"},
		},
		{
			name: "below the minimum", policy: budget.Policy{MinRemaining: 0.25}, good: 1e6 - 800, valid: 1e6,
			want: budget.Decision{Verdict: budget.Deny, Reason: "20% of the error budget remains, below the policy's 25%"},
		},
		{
			name: "minimum of all the budget", policy: budget.Policy{MinRemaining: 1}, good: 1e6, valid: 1e6,
			want: budget.Decision{Verdict: budget.Allow, Reason: "100% of the error budget remains (policy requires at least 100%)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := target.Budget(tt.good, tt.valid)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tt.policy.Decide(b)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Decide() = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestPolicyExactlySpentAtFiveNines is the float edge: 3 bad of 300,000 at
// 99.999% is exactly the budget, and must not read as a sliver left.
func TestPolicyExactlySpentAtFiveNines(t *testing.T) {
	b, err := budget.MustTarget(0.99999, month).Budget(300000-3, 300000)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := b.Remaining(); r != 0 {
		t.Errorf("Remaining() = %v, want exactly 0", r)
	}
	d, _ := budget.Policy{}.Decide(b)
	if d.Verdict != budget.Deny {
		t.Errorf("Decide() = %v, want deny", d)
	}
}

// TestPolicyDeductionsAlone: downtime deducted beyond the budget denies a
// release even with no traffic to judge by.
func TestPolicyDeductionsAlone(t *testing.T) {
	target := budget.MustTarget(0.999, month)
	drill := budget.Deduction{Cause: budget.Maintenance, Reason: "datacenter move", Downtime: time.Hour}
	for _, valid := range []float64{0, 10, 1e6} {
		b, err := target.Budget(valid, valid, drill)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := budget.Policy{}.Decide(b)
		want := budget.Decision{Verdict: budget.Deny, Reason: "error budget exhausted by deductions: 1h0m0s of downtime deducted, 43m12s allowed"}
		if d != want {
			t.Errorf("valid=%v: Decide() = %v, want %v", valid, d, want)
		}
	}
}

func TestPolicyRejects(t *testing.T) {
	b, _ := budget.MustTarget(0.999, month).Budget(1e6, 1e6)
	for _, p := range []budget.Policy{
		{MinRemaining: -0.1}, {MinRemaining: 1.5}, {MinRemaining: math.NaN()},
		{MinValidEvents: -1}, {MinValidEvents: math.NaN()}, {MinValidEvents: math.Inf(1)},
	} {
		if err := p.Validate(); !errors.Is(err, budget.ErrInvalidPolicy) {
			t.Errorf("%+v.Validate() = %v, want ErrInvalidPolicy", p, err)
		}
		if d, err := p.Decide(b); !errors.Is(err, budget.ErrInvalidPolicy) || d.Verdict != budget.Undecided {
			t.Errorf("%+v.Decide() = %v, %v; want Undecided, ErrInvalidPolicy", p, d, err)
		}
	}
}

func TestVerdictAndCauseStrings(t *testing.T) {
	for v, want := range map[budget.Verdict]string{budget.Undecided: "undecided", budget.Allow: "allow", budget.Deny: "deny", 9: "Verdict(9)"} {
		if got := v.String(); got != want {
			t.Errorf("Verdict %d String() = %q, want %q", v, got, want)
		}
	}
	for c, want := range map[budget.Cause]string{budget.Maintenance: "maintenance", budget.Deployment: "deployment", budget.Drill: "drill", budget.Incident: "incident", 0: "Cause(0)"} {
		if got := c.String(); got != want {
			t.Errorf("Cause %d String() = %q, want %q", c, got, want)
		}
	}
}
