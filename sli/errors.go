package sli

import (
	"errors"

	"github.com/nines-slo/nines/internal/nodata"
)

// Sentinel errors. Errors from constructors and reads wrap one of these with
// %w and name the offending field and value; branch on them with errors.Is.
var (
	// ErrNoData reports a ratio asked of zero valid events. It is never
	// reported as 0%, 100% or NaN.
	ErrNoData error = nodata.New("sli: no data: zero valid events")

	// ErrInvalidConfig reports a constructor's argument or option out of
	// range: a latency threshold that is not positive; a Storage whose
	// fields are negative, inconsistent or would need too many cells; an
	// aggregated SLI without parts, or with a part that has no SLI, no or a
	// duplicate name, or a weight that is negative, NaN or infinite; a
	// clock that reads outside the years 1678–2262. The error names the
	// field. (A bad [WithHistogram] fails with histogram's
	// ErrInvalidConfig.)
	ErrInvalidConfig = errors.New("sli: invalid config")

	// ErrInvalidWindow reports a window that is not positive or is longer
	// than the SLI retains.
	ErrInvalidWindow = errors.New("sli: invalid window")
)
