package slo

import (
	"fmt"
	"math"
	"time"

	"github.com/nines-slo/nines/budget"
	"github.com/nines-slo/nines/internal/printable"
)

// Severity says who an alert is for.
type Severity uint8

// Severities: a page wakes a person now; a ticket asks for attention within
// working hours.
const (
	Page Severity = iota + 1
	Ticket
)

// String returns "page" or "ticket".
func (s Severity) String() string {
	switch s {
	case Page:
		return "page"
	case Ticket:
		return "ticket"
	}
	return fmt.Sprintf("Severity(%d)", uint8(s))
}

// AlertRule is one multiwindow, multi-burn-rate alert (the SRE Workbook's
// "Alerting on SLOs"): it fires while the burn rate over both its Long and
// its Short window exceeds the threshold (and the Long window holds
// MinEvents), and resolves as soon as either does not — in practice the
// Short window, which is why it is there. The condition holds no state
// beyond the windows, so a Prometheus alerting rule written from it (see
// package [github.com/nines-slo/nines/exporter/promrules]) fires exactly
// when the objective does. The threshold is the burn rate that spends
// BudgetFraction of the budget in Long: BudgetFraction × period ÷ Long —
// 14.4 for 2% in an hour of a 30-day period ([AlertRule.Guard]).
//
// A rule with Exhaustion set is an exhaustion rule instead: it fires
// while, at the burn rate over both Long and Short, the budget left runs
// out within Exhaustion — "page when the budget is gone within 4 hours at
// the last hour's rate". Its threshold is the burn rate that spends what
// is left, the fraction R, in Exhaustion: max(R, 0) × period ÷
// Exhaustion ([AlertRule.ThresholdAt]); it falls as the budget does, and
// a budget already spent fires it at any burn.
type AlertRule struct {
	Name           string        // unique within the objective, "page-1h"
	Severity       Severity      // Page or Ticket
	Long, Short    time.Duration // Short < Long
	BudgetFraction float64       // of the budget spent in Long at the threshold, in (0, 1]; zero for an exhaustion rule

	// Exhaustion, when set, makes the rule an exhaustion rule: it fires
	// while the budget runs out within Exhaustion at the burn rates of
	// Long and Short. At least [MinAlertWindow], whole seconds.
	Exhaustion time.Duration

	// MinEvents is the number of valid events the Long window needs before
	// the rule may fire. Zero means enough that a single bad event cannot
	// reach the threshold alone, 1 ÷ (threshold × (1 − target)), so that a
	// low-traffic service is not paged for one failure.
	MinEvents float64
}

// DefaultAlerts returns the SRE Workbook's recommended rules for a 30-day
// window, which scale to other windows through their budget fractions:
// page at 2% of the budget in 1h (with a 5m short window), page at 5% in 6h
// (30m), ticket at 10% in 3d (6h). An objective given no rules uses these,
// less any whose threshold its target makes unreachable: at a 90% target no
// burn rate exceeds 10, so the 14.4 page is left out.
func DefaultAlerts() []AlertRule {
	return []AlertRule{
		{Name: "page-1h", Severity: Page, Long: time.Hour, Short: 5 * time.Minute, BudgetFraction: 0.02},
		{Name: "page-6h", Severity: Page, Long: 6 * time.Hour, Short: 30 * time.Minute, BudgetFraction: 0.05},
		{Name: "ticket-3d", Severity: Ticket, Long: 3 * 24 * time.Hour, Short: 6 * time.Hour, BudgetFraction: 0.10},
	}
}

// Guard returns the numbers the rule fires on for target, an objective
// over a budget period: its burn-rate threshold, BudgetFraction × period ÷
// Long (14.4 for 2% in 1h of 30 days), and its minimum-events guard,
// MinEvents when set, else the valid events in Long at which one bad event
// burns at the threshold, ⌈1 ÷ (threshold × (1 − objective))⌉ (70 for
// 14.4 at 99.9%). The objective's alerts and the generated Prometheus rules
// both use it, so they fire on the same numbers. It expects a rule that
// [New] accepts and a target from [budget.NewTarget]; of a zero rule or
// target the numbers mean nothing (NaN, +Inf).
//
// Of an exhaustion rule, the threshold is the one of an untouched budget,
// period ÷ Exhaustion, and the guard follows from it as above (a budget
// half spent halves the threshold, not the guard).
func (r AlertRule) Guard(target budget.Target) (threshold, minEvents float64) {
	threshold = r.BudgetFraction * float64(target.Period()) / float64(r.Long)
	if r.Exhaustion > 0 {
		threshold = float64(target.Period()) / float64(r.Exhaustion)
	}
	if r.MinEvents > 0 {
		return threshold, r.MinEvents
	}
	return threshold, math.Ceil(1 / (threshold * target.ErrorRate()))
}

// ThresholdAt returns the burn rate above which the rule fires, with the
// fraction remaining of the budget left: [AlertRule.Guard]'s threshold
// for a burn-rate rule; for an exhaustion rule that threshold times
// max(remaining, 0), the rate that spends what is left in Exhaustion.
func (r AlertRule) ThresholdAt(target budget.Target, remaining float64) float64 {
	threshold, _ := r.Guard(target)
	if r.Exhaustion > 0 {
		threshold *= max(remaining, 0)
	}
	return threshold
}

// MinAlertWindow is the shortest window an alert rule takes: the sli
// package's counts over shorter spans are off by more than a tenth.
const MinAlertWindow = time.Minute

// check validates the i-th rule of a list: fields in range, windows at
// least [MinAlertWindow] and whole seconds (a Prometheus range names them
// exactly).
func (r AlertRule) check(i int) error {
	switch {
	case r.Name == "":
		return fmt.Errorf("%w: Alerts[%d].Name is empty", ErrInvalidConfig, i)
	case !printable.Valid(r.Name):
		return fmt.Errorf("%w: Alerts[%d].Name %q holds invalid UTF-8 or a control character", ErrInvalidConfig, i, r.Name)
	case r.Severity != Page && r.Severity != Ticket:
		return fmt.Errorf("%w: Alerts[%d].Severity %v", ErrInvalidConfig, i, r.Severity)
	case r.Short < MinAlertWindow || r.Long <= r.Short:
		return fmt.Errorf("%w: Alerts[%d] windows Long %v, Short %v: want %v ≤ Short < Long", ErrInvalidConfig, i, r.Long, r.Short, MinAlertWindow)
	case r.Short%time.Second != 0 || r.Long%time.Second != 0:
		return fmt.Errorf("%w: Alerts[%d] windows Long %v, Short %v: want whole numbers of seconds", ErrInvalidConfig, i, r.Long, r.Short)
	case r.Exhaustion != 0 && (r.Exhaustion < MinAlertWindow || r.Exhaustion%time.Second != 0):
		return fmt.Errorf("%w: Alerts[%d].Exhaustion %v: want at least %v, whole seconds", ErrInvalidConfig, i, r.Exhaustion, MinAlertWindow)
	case r.Exhaustion != 0 && r.BudgetFraction != 0:
		return fmt.Errorf("%w: Alerts[%d]: an exhaustion rule has no BudgetFraction (%v)", ErrInvalidConfig, i, r.BudgetFraction)
	case r.Exhaustion == 0 && !(r.BudgetFraction > 0 && r.BudgetFraction <= 1):
		return fmt.Errorf("%w: Alerts[%d].BudgetFraction %v not in (0, 1]", ErrInvalidConfig, i, r.BudgetFraction)
	case !(r.MinEvents >= 0) || math.IsInf(r.MinEvents, 0):
		return fmt.Errorf("%w: Alerts[%d].MinEvents %v", ErrInvalidConfig, i, r.MinEvents)
	}
	return nil
}

// AlertEvent is a change of an alert's state, delivered once to the
// objective's handler and to its logger.
type AlertEvent struct {
	Objective string    // the objective's name
	Rule      AlertRule // the rule that changed state
	Firing    bool      // true: started firing; false: resolved
	At        time.Time // the evaluation time that saw the change
	Long      float64   // burn rate over Rule.Long at At
	Short     float64   // burn rate over Rule.Short at At
	Threshold float64   // the burn-rate threshold
}
