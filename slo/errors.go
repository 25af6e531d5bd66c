package slo

import "errors"

// Sentinel errors. Constructors wrap one of these with %w and name the
// offending field; branch on them with errors.Is.
var (
	// ErrInvalidConfig reports a Config field that is missing or out of
	// range: an empty name, no SLI, a target outside (0, 1), a window ≤ 0,
	// an SLI that does not retain the window, a bad alert rule.
	ErrInvalidConfig = errors.New("slo: invalid objective")

	// ErrDuplicateName reports a second objective with a name already in
	// the registry.
	ErrDuplicateName = errors.New("slo: duplicate objective name")

	// ErrNotFound reports a name that is not in the registry.
	ErrNotFound = errors.New("slo: no such objective")

	// ErrCorruptSnapshot reports a snapshot that is truncated, corrupted,
	// of an unknown version, or not a nines snapshot at all. Restoring one
	// changes nothing.
	ErrCorruptSnapshot = errors.New("slo: corrupt or foreign snapshot")

	// ErrSnapshotMismatch reports a snapshot whose contents do not fit the
	// registry it is restored into (an SLI of another kind or layout under
	// the same name). The entries that fit were restored; the error names
	// the SLIs that kept their own state. Restoring the same snapshot
	// again would add those entries twice.
	ErrSnapshotMismatch = errors.New("slo: snapshot does not match the registry")
)
