package budget

import (
	"errors"

	"github.com/nines-slo/nines/internal/nodata"
)

// Sentinel errors. Construction errors wrap one of these with %w and name
// the offending field and value in the message, so callers can branch with
// errors.Is and people can read what was wrong.
var (
	// ErrInvalidObjective reports an objective outside the open interval
	// (0, 1), or NaN. Objectives are ratios: 0.999, never 99.9.
	ErrInvalidObjective = errors.New("budget: objective must be a ratio in (0, 1)")

	// ErrInvalidPeriod reports a period that is not positive.
	ErrInvalidPeriod = errors.New("budget: period must be positive")

	// ErrInvalidEvents reports event counts that cannot describe real traffic:
	// negative, NaN or infinite counts, or more good events than valid ones.
	ErrInvalidEvents = errors.New("budget: invalid event counts")

	// ErrInvalidDeduction reports a deduction with a non-positive downtime or
	// an unknown cause.
	ErrInvalidDeduction = errors.New("budget: invalid deduction")

	// ErrInvalidPolicy reports a policy whose MinRemaining is outside [0, 1]
	// or whose MinValidEvents is negative, NaN or infinite.
	ErrInvalidPolicy = errors.New("budget: invalid policy")

	// ErrNoData reports that there were no valid events, so no ratio, budget
	// fraction or burn rate exists. It is never reported as 0%, 100% or NaN.
	ErrNoData error = nodata.New("budget: no data: zero valid events")
)
