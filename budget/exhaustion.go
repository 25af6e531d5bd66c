package budget

import (
	"fmt"
	"math"
	"time"
)

// Exhaustion says when an error budget runs out if its events go on
// burning it at one burn rate: "at the last hour's rate, the budget is
// gone in 3 hours". [Budget.Exhaustion] computes it.
type Exhaustion struct {
	BurnRate float64 // the burn rate assumed
	// Never is true when the budget outlasts the period at that rate: the
	// rate is 0, or the period ends (and, for a calendar period, the
	// budget starts over) before the budget is spent.
	Never bool
	// In is the time until the budget is spent at that rate: 0 when it is
	// spent already; meaningless when Never.
	In time.Duration
	// LeftAtEnd is the fraction of the budget left when the period ends at
	// that rate: Remaining − BurnRate × left ÷ period; negative when the
	// budget is overspent by then.
	LeftAtEnd float64
}

// Exhaustion returns when the budget runs out at burnRate (the burn rate
// of a recent window, [Target.BurnRate]), left being the time until the
// period ends: the rest of a calendar period, or the length of a rolling
// window. At burn rate 1 the whole budget lasts one period, so what
// remains, the fraction R, lasts R × period ÷ burnRate; the budget is
// never exhausted when that is longer than left. Over a rolling window
// the figure is the first-order one: old events leaving the window give
// budget back, which it does not count, so it errs early. It fails with
// [ErrNoData] without valid events, and with [ErrInvalidEvents] for a
// negative or non-finite burn rate or a negative left.
func (b Budget) Exhaustion(burnRate float64, left time.Duration) (Exhaustion, error) {
	r, err := b.Remaining()
	if err != nil {
		return Exhaustion{}, err
	}
	if !(burnRate >= 0) || math.IsInf(burnRate, 0) || left < 0 {
		return Exhaustion{}, fmt.Errorf("%w: burn rate %v, %v left in the period", ErrInvalidEvents, burnRate, left)
	}
	period := float64(b.target.period)
	e := Exhaustion{BurnRate: burnRate, LeftAtEnd: round12(r - burnRate*float64(left)/period)}
	switch {
	case r <= 0:
		e.In = 0
	case burnRate == 0:
		e.Never = true
	default:
		in := r * period / burnRate
		if in > float64(left) {
			e.Never = true
		} else {
			e.In = time.Duration(math.Round(in))
		}
	}
	return e, nil
}
