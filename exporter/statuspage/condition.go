package statuspage

import (
	"cmp"
	"slices"

	"github.com/nines-slo/nines/slo"
)

// Condition is what an objective in a status document needs from people,
// most urgent first: its state, with a met or at-risk objective whose
// alert fires told apart by the alert's severity.
type Condition uint8

// Conditions, most urgent first.
const (
	Failed   Condition = iota // its status could not be computed
	Breached                  // the SLI is below the target over the window: the budget is overspent
	Paging                    // a page alert fires: someone should look now
	Ticketed                  // a ticket alert fires: someone should look today
	AtRisk                    // less than the at-risk share of the budget is left
	NoData                    // no valid events in the window
	Met                       // within budget, no alert firing
)

// String returns "failed", "breached", "page alert firing", "ticket alert
// firing", "at risk", "no data" or "met".
func (c Condition) String() string {
	switch c {
	case Failed:
		return "failed"
	case Breached:
		return "breached"
	case Paging:
		return "page alert firing"
	case Ticketed:
		return "ticket alert firing"
	case AtRisk:
		return "at risk"
	case NoData:
		return "no data"
	case Met:
		return "met"
	}
	return "unknown"
}

// Condition returns the objective's condition.
func (o Objective) Condition() Condition {
	firing := func(sev slo.Severity) bool {
		return slices.ContainsFunc(o.Alerts, func(a Alert) bool { return a.Firing && a.Severity == sev.String() })
	}
	switch {
	case o.State == slo.Failed.String():
		return Failed
	case o.State == slo.Breached.String():
		return Breached
	case firing(slo.Page):
		return Paging
	case firing(slo.Ticket):
		return Ticketed
	case o.State == slo.AtRisk.String():
		return AtRisk
	case o.State == slo.NoData.String():
		return NoData
	}
	return Met
}

// Worst orders objectives for people in a hurry: by condition, most urgent
// first, then by the budget left, least first, then by name.
func Worst(a, b Objective) int {
	left := func(o Objective) float64 {
		if o.Budget == nil {
			return 2 // no data: after every budget
		}
		return o.Budget.Remaining
	}
	return cmp.Or(cmp.Compare(a.Condition(), b.Condition()), cmp.Compare(left(a), left(b)), cmp.Compare(a.Name, b.Name))
}
