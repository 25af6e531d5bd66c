package budget

import (
	"fmt"
	"math"
	"time"
)

// errZeroTarget is what a zero Target's methods fail with.
var errZeroTarget = fmt.Errorf("%w: zero Target, use NewTarget", ErrInvalidObjective)

// Target is an objective held over a period: "99.9% of valid events are good
// over 30 days". It is the input to every error-budget computation in this
// package.
//
// A Target is an immutable value, safe to copy and to use from several
// goroutines. The zero value is not a valid target: build one with
// [NewTarget].
type Target struct {
	objective float64
	rate      float64 // 1 - objective, with binary representation error removed
	period    time.Duration
}

// NewTarget returns the target for an objective in the open interval (0, 1)
// held over a positive period. An objective of 0, 1, NaN, ±Inf or outside
// (0, 1) fails with [ErrInvalidObjective]; a period ≤ 0 with [ErrInvalidPeriod].
func NewTarget(objective float64, period time.Duration) (Target, error) {
	if err := checkObjective(objective); err != nil {
		return Target{}, err
	}
	if period <= 0 {
		return Target{}, fmt.Errorf("%w: period %v", ErrInvalidPeriod, period)
	}
	return Target{objective: objective, rate: errorRate(objective), period: period}, nil
}

// MustTarget is [NewTarget] for static initialisation: it panics on an
// invalid objective or period.
func MustTarget(objective float64, period time.Duration) Target {
	t, err := NewTarget(objective, period)
	if err != nil {
		panic(err)
	}
	return t
}

func checkObjective(objective float64) error {
	if !(objective > 0 && objective < 1) { // also false for NaN
		return fmt.Errorf("%w: objective %v", ErrInvalidObjective, objective)
	}
	return nil
}

// errorRate returns 1 - objective. Objectives are written as decimals
// (0.99999), which binary floating point cannot hold exactly; the plain
// subtraction then carries that error into every budget (1 - 0.99999 is
// 1.0000000000065512e-05, which makes a year's budget 2 ns too long). The
// error is absolute, at most about 1e-16, so the rate is rounded to 15
// decimal places — unless that would move it by more than a billionth of
// itself, as for rates so small that they are not decimals of that kind.
func errorRate(objective float64) float64 {
	r := 1 - objective
	if q := math.Round(r*1e15) / 1e15; math.Abs(q-r) <= r*1e-9 {
		return q
	}
	return r
}

// Objective returns the objective ratio, for example 0.999.
func (t Target) Objective() float64 { return t.objective }

// Period returns the period the objective is held over.
func (t Target) Period() time.Duration { return t.period }

// ErrorRate returns the error budget as a ratio of valid events:
// 1 − objective (0.001 for 99.9%).
func (t Target) ErrorRate() float64 { return t.rate }

// AllowedDowntime returns the unavailability the objective allows over the
// period, rounded to the nanosecond: 43m12s for 99.9% over 30 days,
// 8h45m36s for 99.9% over 365 days.
func (t Target) AllowedDowntime() time.Duration {
	return time.Duration(math.Round(t.rate * float64(t.period)))
}

// Allowed returns the number of bad events the objective allows among valid
// events: (1 − objective) × valid.
func (t Target) Allowed(valid float64) float64 { return t.rate * valid }

// BurnRate returns how fast a window's events spend the budget relative to
// the rate that would spend exactly all of it over the period:
// (bad / valid) / (1 − objective). A burn rate of 1 spends the budget in
// exactly one period; 14.4 spends 2% of a 30-day budget in one hour.
// It fails with [ErrNoData] when valid is zero, with [ErrInvalidEvents] when
// the counts are impossible, and with [ErrInvalidObjective] for the zero
// Target.
func (t Target) BurnRate(good, valid float64) (float64, error) {
	if t.rate == 0 {
		return 0, errZeroTarget
	}
	if err := checkEvents(good, valid); err != nil {
		return 0, err
	}
	if valid == 0 {
		return 0, ErrNoData
	}
	return (valid - good) / valid / t.rate, nil
}

// Budget returns the error budget for the events seen in the period and the
// deductions taken against it. It fails with [ErrInvalidEvents] when the counts
// are negative, not finite, or have more good than valid events, and with
// [ErrInvalidDeduction] when a deduction is malformed or the deductions'
// total downtime overflows a time.Duration (292 years). Zero valid events is
// not an error: the budget then reports [ErrNoData] from the methods that need
// data.
func (t Target) Budget(good, valid float64, deductions ...Deduction) (Budget, error) {
	if t.rate == 0 {
		return Budget{}, errZeroTarget
	}
	if err := checkEvents(good, valid); err != nil {
		return Budget{}, err
	}
	var down time.Duration
	for i, d := range deductions {
		if err := d.check(i); err != nil {
			return Budget{}, err
		}
		if d.Downtime > math.MaxInt64-down {
			return Budget{}, fmt.Errorf("%w: deductions[%d]: the total downtime overflows %v", ErrInvalidDeduction, i, time.Duration(math.MaxInt64))
		}
		down += d.Downtime
	}
	return Budget{
		target:     t,
		good:       good,
		valid:      valid,
		downtime:   down,
		deductions: append([]Deduction(nil), deductions...),
	}, nil
}

func checkEvents(good, valid float64) error {
	switch {
	case !(good >= 0) || math.IsInf(good, 0):
		return fmt.Errorf("%w: good %v", ErrInvalidEvents, good)
	case !(valid >= 0) || math.IsInf(valid, 0):
		return fmt.Errorf("%w: valid %v", ErrInvalidEvents, valid)
	case good > valid:
		return fmt.Errorf("%w: good %v exceeds valid %v", ErrInvalidEvents, good, valid)
	}
	return nil
}

// String returns the target as people write it: "99.9% over 720h0m0s".
func (t Target) String() string {
	return percent(t.objective) + " over " + t.period.String()
}
