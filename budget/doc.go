// Package budget is error-budget arithmetic: how much unreliability an
// objective allows over a period, how much the events so far have spent, how
// fast they are spending it, and whether a release may go out.
//
// An objective is a ratio in (0, 1) — 0.999, never 99.9 — held over a
// period. Its error budget is 1 − objective of the valid events, or the same
// fraction of the period in time:
//
//	target, err := budget.NewTarget(0.999, 30*24*time.Hour)
//	if err != nil { … }
//	target.AllowedDowntime() // 43m12s
//	b, err := target.Budget(good, valid)
//	left, err := b.Remaining() // 1 untouched, 0 spent, < 0 overspent
//	if errors.Is(err, budget.ErrNoData) { … } // zero valid events
//
// # Fractions of a budget
//
// Consumed and Remaining are fractions of the budget, not of the events:
// Remaining is 1 for an untouched budget, 0 for an exactly spent one and
// negative when overspent (-0.5: half a budget too much was spent). The same
// quantity is available in events (RemainingEvents) and in time
// (DowntimeLeft).
//
// # No data
//
// With zero valid events there is no ratio, no budget fraction and no burn
// rate. The methods that need them return [ErrNoData]; they never report 0%,
// 100% or NaN.
//
// # Deductions
//
// Planned maintenance, deployment downtime, incident-response drills and
// outages the events did not see consume budget in time terms. A Deduction
// carries its cause and reason; it spends Downtime ÷ AllowedDowntime of the
// budget.
//
// # Release decisions
//
// A Policy turns a Budget into a Decision — Allow, Deny or Undecided — with a
// reason a person can read in a pipeline log. Below a minimum of valid
// events the policy is Undecided, so a low-traffic service neither passes
// nor fails a release on noise.
//
// # Concurrency
//
// Every type in this package is an immutable value (or a plain struct of
// configuration) and is safe to use from several goroutines.
//
// # Errors
//
// Invalid input is rejected with an error that wraps one of the exported
// sentinels ([ErrInvalidObjective], [ErrInvalidPeriod], [ErrInvalidEvents],
// [ErrInvalidDeduction], [ErrInvalidPolicy]) and names the field; branch on it
// with errors.Is.
package budget
