// Package slo holds service level objectives: an SLI, a target and a
// window, with the error budget, burn rates, multiwindow burn-rate alerts
// and attainment computed from them at any time, a registry of objectives,
// and snapshots of their state that survive restarts and merge across
// replicas.
//
//	availability, _ := sli.NewRatio()
//	o, err := slo.New(slo.Config{
//		Name:   "profile-availability",
//		SLI:    availability,
//		Target: 0.9995,                // 99.95% …
//		Window: slo.Rolling(30 * day), // … over 30 days (the default)
//		Metadata: slo.Metadata{Service: "user-profile", Owner: "team-identity"},
//	})
//	…
//	s, err := o.Status()
//	s.Attainment        // met, at risk, breached, or no data
//	s.Budget.Remaining() // what a release gate checks
//
// # Windows
//
// A rolling window is the last d whenever the objective is looked at; a
// calendar window (day, week, month, quarter, year, in a time zone) runs
// from the start of the current period, and its budget starts full at each
// boundary. The SLI must retain the window (see [sli.Storage]).
//
// # Time slices and composites
//
// An objective over a time-slice SLI ([sli.RatioSlices], [sli.LatencySlices])
// counts slices where others count events: "99% of minutes with p99
// within 300 ms"; its budget, burn rates and alerts are in slices
// ([Status.Slicing], [Status.Events]). An objective of objectives
// ([Config.Components]) is a composite: it burns at the weighted mean of
// its components' burn rates, each against its own target (see
// [Composite]).
//
// # Attainment
//
// Breached when the SLI is below the target over the window (the budget is
// overspent); at risk when less than a quarter of the budget is left (see
// [Config.AtRisk]) or an alert is firing; met otherwise; no data without valid
// events.
//
// # Alerts
//
// Multiwindow, multi-burn-rate alerts as the SRE Workbook recommends: by
// default page when 2% of the budget burns in an hour (burn rate 14.4 over
// 1h and 5m for a 30-day window) or 5% in six hours (6 over 6h and 30m),
// and open a ticket when 10% burns in three days (1 over 3d and 6h).
// Thresholds scale with the window's length. An alert fires while both its
// windows exceed the threshold and resolves as soon as one does not (the
// short window, in practice); it needs enough events that one failure alone
// cannot fire it.
// Reading a status never acts on alerts: Status and StatusAt report
// whether each rule's condition holds, and may be called from anywhere, as
// often as wanted. Alerts are evaluated in one place, [Objective.EvaluateAt],
// which an objective on the wall clock calls on its own every 30 seconds
// ([WithEvaluationInterval]): each change goes to the handler
// ([WithAlertHandler]) and to log/slog, once, within an interval of
// happening, with nothing reading. On an injected clock, as in a test, the
// caller evaluates, or gives an interval.
//
// # One failure stays one failure
//
// An objective whose status cannot be computed (a user's [sli.Source] that
// fails, say) is reported [Failed], with the reason in [Status.Err];
// [Registry.Status] and [Registry.Evaluate] go on with every other
// objective and return the failures joined beside the whole list. A
// restore that does not fit one SLI (its histogram settings changed)
// restores every other and names it ([ErrSnapshotMismatch]).
//
// # Snapshots
//
// [Registry.Snapshot] writes the recorded state of every SLI — time cells with
// their times, totals, histograms — in a versioned format with a CRC-32C
// checksum; [Registry.Restore] adds it back, each cell at its own time, so
// a snapshot taken before a restart and restored after it is aged by the
// time in between, and a 30-day budget survives deploys. Restoring the
// snapshots of several replicas into one registry, or merging them with
// [MergeSnapshots], gives the exact fleet-wide view: counts add, histograms
// merge. A truncated, corrupted or foreign snapshot is refused with
// [ErrCorruptSnapshot] and changes nothing, and one over 256 MiB is
// refused before more is read. [WriteFile] persists atomically (temporary
// file, fsync, rename), keeps the file's mode, writes through a symbolic
// link, and removes the temporary files a crash left; a Persister does so
// at an interval and on Close.
//
// # Concurrency
//
// Objective and Registry are safe for concurrent use. Status values are
// plain values owned by the caller. The only goroutine this package starts
// is a Persister's, which its Close ends. An objective's evaluations run on
// a timer, one at a time, with no goroutine between them; the timer holds
// the objective weakly and stops once the objective is no longer
// referenced.
package slo
