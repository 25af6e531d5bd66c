package budget

import (
	"fmt"
	"math"
)

// Policy turns a budget into a release decision, the automated form of an
// error-budget policy: while budget is left, ship; once it is spent, freeze
// features and work on reliability.
//
// The zero value is a useful policy: allow while any budget is left, and
// decide only once there are enough valid events for a single bad event to
// fit in the budget (see MinValidEvents). A Policy is a plain value, safe to
// copy and to use from several goroutines.
type Policy struct {
	// MinRemaining is the fraction of the budget, in [0, 1], that must be
	// left to allow a release. Zero allows while any budget (> 0) is left;
	// 0.25 asks for a quarter of it. A spent budget never allows.
	MinRemaining float64

	// MinValidEvents is the number of valid events below which the policy
	// does not decide: with so little traffic one failure more or less
	// swings the budget, and a release should neither pass nor fail on that
	// noise. Zero means the smallest count for which the budget allows at
	// least one bad event, 1 ÷ (1 − objective): 1000 events for 99.9%.
	MinValidEvents float64
}

// Verdict is the outcome of a release decision.
type Verdict uint8

const (
	// Undecided means the data cannot support a decision: no valid events,
	// or fewer than the policy's minimum. The zero Verdict.
	Undecided Verdict = iota
	// Allow means the release may go ahead.
	Allow
	// Deny means the budget is too far spent for the release.
	Deny
)

// String returns "undecided", "allow" or "deny".
func (v Verdict) String() string {
	switch v {
	case Undecided:
		return "undecided"
	case Allow:
		return "allow"
	case Deny:
		return "deny"
	}
	return fmt.Sprintf("Verdict(%d)", uint8(v))
}

// Decision is a release decision with the reason for it, written for the
// person reading a pipeline's log.
type Decision struct {
	Verdict Verdict // allow, deny, or undecided for lack of data
	Reason  string  // why, in a sentence: "20% of the error budget remains, below the policy's 25%"
}

// String returns the verdict and its reason: "allow: 62.5% of the error
// budget remains (policy requires at least 25%)".
func (d Decision) String() string { return d.Verdict.String() + ": " + d.Reason }

// Validate reports whether the policy's fields are usable: MinRemaining in
// [0, 1] and MinValidEvents finite and ≥ 0. The error wraps [ErrInvalidPolicy]
// and names the field.
func (p Policy) Validate() error {
	if !(p.MinRemaining >= 0 && p.MinRemaining <= 1) {
		return fmt.Errorf("%w: MinRemaining %v is not in [0, 1]", ErrInvalidPolicy, p.MinRemaining)
	}
	if !(p.MinValidEvents >= 0) || math.IsInf(p.MinValidEvents, 0) {
		return fmt.Errorf("%w: MinValidEvents %v", ErrInvalidPolicy, p.MinValidEvents)
	}
	return nil
}

// Decide applies the policy to a budget. It returns Deny when deductions
// alone have spent the budget; otherwise Undecided when the budget has no
// valid events or fewer than the minimum, Allow when the remaining fraction
// is positive and at least MinRemaining, and Deny otherwise. The only error is an invalid policy ([ErrInvalidPolicy]), which
// decides nothing.
func (p Policy) Decide(b Budget) (Decision, error) {
	if err := p.Validate(); err != nil {
		return Decision{}, err
	}
	// Deductions alone can spend the budget, whatever the traffic.
	if d := b.DeductedFraction(); d >= 1 {
		return Decision{Deny, "error budget exhausted by deductions: " + b.downtime.String() +
			" of downtime deducted, " + b.Target().AllowedDowntime().String() + " allowed"}, nil
	}
	r, err := b.Remaining()
	if err != nil {
		return Decision{Undecided, "no data: no valid events in " + b.target.String()}, nil
	}
	minValid := p.MinValidEvents
	if minValid == 0 {
		minValid = math.Ceil(1 / b.target.rate)
	}
	if b.valid < minValid {
		return Decision{Undecided, fmt.Sprintf(
			"too little traffic to decide: %s valid events, the policy needs %s",
			events(b.valid), events(minValid))}, nil
	}
	state := percent(r) + " of the error budget remains"
	switch {
	case r <= 0:
		return Decision{Deny, "error budget exhausted: " + state}, nil
	case r < p.MinRemaining:
		return Decision{Deny, state + ", below the policy's " + percent(p.MinRemaining)}, nil
	case p.MinRemaining > 0:
		return Decision{Allow, state + " (policy requires at least " + percent(p.MinRemaining) + ")"}, nil
	}
	return Decision{Allow, state}, nil
}
