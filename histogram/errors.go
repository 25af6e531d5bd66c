package histogram

import (
	"errors"

	"github.com/nines-slo/nines/internal/nodata"
)

// Sentinel errors; errors from this package wrap them with %w and name the
// offending field or value.
var (
	// ErrNoData reports a statistic asked of a histogram with no values.
	ErrNoData error = nodata.New("histogram: no data: no values recorded")

	// ErrInvalidConfig reports a Config field that is out of range.
	ErrInvalidConfig = errors.New("histogram: invalid config")

	// ErrInvalidWindow reports a window that is not positive or longer than
	// the longest window the recorder keeps.
	ErrInvalidWindow = errors.New("histogram: invalid window")

	// ErrInvalidQuantile reports a quantile outside [0, 1] (or NaN).
	// Quantiles are ratios: 0.99, never 99.
	ErrInvalidQuantile = errors.New("histogram: quantile must be in [0, 1]")

	// ErrLayoutMismatch reports snapshots with different ranges or
	// precisions, which cannot be merged exactly.
	ErrLayoutMismatch = errors.New("histogram: snapshots have different layouts")

	// ErrCorrupt reports bytes that are not a valid HdrHistogram V2
	// encoding: truncated, corrupted, foreign, or beyond this package's
	// size limits.
	ErrCorrupt = errors.New("histogram: corrupt or unsupported encoding")
)
