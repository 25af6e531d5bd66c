package budget

import (
	"math"
	"time"
)

// Budget is the error budget of a Target given the events seen in its period
// and the downtime deducted by hand: how much unreliability was allowed, how
// much has been spent and how much is left.
//
// Fractions of the budget read 1 when it is untouched, 0 when it is exactly
// spent and below 0 when it is overspent (-0.5 means half a budget more than
// allowed has been spent). With zero valid events there is no data: the
// methods that need data return [ErrNoData] rather than 0%, 100% or NaN.
//
// A Budget is an immutable value, safe to copy and to use from several
// goroutines. The zero value has no target; build one with [Target.Budget].
type Budget struct {
	target     Target
	good       float64
	valid      float64
	downtime   time.Duration
	deductions []Deduction
}

// Target returns the objective and period the budget belongs to.
func (b Budget) Target() Target { return b.target }

// Good returns the good events counted in the period.
func (b Budget) Good() float64 { return b.good }

// Valid returns the valid events counted in the period.
func (b Budget) Valid() float64 { return b.valid }

// Bad returns the bad events counted in the period: valid − good.
func (b Budget) Bad() float64 { return b.valid - b.good }

// Deductions returns a copy of the deductions charged to the budget.
func (b Budget) Deductions() []Deduction { return append([]Deduction(nil), b.deductions...) }

// Deducted returns the total downtime charged by deductions.
func (b Budget) Deducted() time.Duration { return b.downtime }

// Allowed returns the bad events the objective allows among the valid events
// seen: (1 − objective) × valid.
func (b Budget) Allowed() float64 { return b.target.Allowed(b.valid) }

// Consumed returns the fraction of the budget spent: bad events over allowed
// bad events, plus deducted downtime over allowed downtime. It is 0 for an
// untouched budget, 1 for an exactly spent one and above 1 when overspent.
// Fractions are rounded to 12 decimal places, so that a budget spent
// exactly reads exactly 1, not 0.9999999999999999.
//
// Bad events are measured against the valid events seen so far and
// downtime against the whole period; the two agree when the events cover
// the period, as they do for a rolling window.
func (b Budget) Consumed() (float64, error) {
	if b.valid == 0 {
		return 0, ErrNoData
	}
	return round12(b.Bad()/b.Allowed() + b.DeductedFraction()), nil
}

// DeductedFraction returns the fraction of the budget spent by deductions
// alone: deducted downtime over allowed downtime. It needs no events.
func (b Budget) DeductedFraction() float64 {
	if b.downtime == 0 || b.target.rate == 0 {
		return 0
	}
	return round12(float64(b.downtime) / (b.target.rate * float64(b.target.period)))
}

func round12(f float64) float64 { return math.Round(f*1e12) / 1e12 }

// ConsumedEvents returns the budget spent, in bad events: the bad events
// counted plus deductions converted to the events they stand for at the
// period's traffic.
func (b Budget) ConsumedEvents() (float64, error) {
	if b.valid == 0 {
		return 0, ErrNoData
	}
	return b.Bad() + b.DeductedFraction()*b.Allowed(), nil
}

// Remaining returns the fraction of the budget left: 1 − Consumed. It is 1
// when untouched, 0 when exactly spent and negative when overspent. Release
// gates call it, directly or through a Policy.
func (b Budget) Remaining() (float64, error) {
	c, err := b.Consumed()
	if err != nil {
		return 0, err
	}
	return round12(1 - c), nil
}

// RemainingEvents returns the budget left in bad events: how many more bad
// events the period's traffic can absorb. Negative when overspent.
func (b Budget) RemainingEvents() (float64, error) {
	r, err := b.Remaining()
	if err != nil {
		return 0, err
	}
	return r * b.Allowed(), nil
}

// DowntimeLeft returns the budget left in time: the remaining fraction of
// the allowed downtime, rounded to the nanosecond. Negative when overspent.
func (b Budget) DowntimeLeft() (time.Duration, error) {
	r, err := b.Remaining()
	if err != nil {
		return 0, err
	}
	return time.Duration(math.Round(r * b.target.rate * float64(b.target.period))), nil
}

// String summarises the budget: "99.9% over 720h0m0s: 37.5% of the error
// budget remains (375 of 1000 bad events)", or "… : no data" without valid
// events.
func (b Budget) String() string {
	r, err := b.Remaining()
	if err != nil {
		return b.target.String() + ": no data"
	}
	left, _ := b.RemainingEvents()
	return b.target.String() + ": " + percent(r) + " of the error budget remains (" +
		events(left) + " of " + events(b.Allowed()) + " bad events)"
}
