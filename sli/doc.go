// Package sli records service level indicators: events counted as good or
// bad among the valid ones, in rolling time buckets, so that the SLI over
// any recent window — five minutes or thirty days — is a read away.
//
//	availability, err := sli.NewRatio()
//	…
//	availability.Record(sli.ClassifyStatus(resp.StatusCode)) // 5xx bad, the rest good
//
//	fast, err := sli.NewLatency(100 * time.Millisecond)
//	…
//	fast.Record(elapsed) // good when within 100 ms
//
//	c, err := availability.Counts(30 * 24 * time.Hour)
//	ratio, err := c.Ratio() // ErrNoData with zero valid events
//
// # Events
//
// An SLI is good events over valid events. Ratio records an Outcome: Good,
// Bad, or Invalid for an event outside the SLI's scope, which is left out of
// both counts. Latency records a duration and judges it against a threshold;
// Exclude records an event that is not valid. Aggregated rolls several SLIs
// into one by summing their good and valid events, optionally weighted.
// RecordRequest records a request into an availability and a latency SLI
// in one call, as HTTP middleware does. Recorded counts what was recorded
// in this process (restored state left out): the counter an exporter sends.
//
// # Latency percentiles
//
// A Latency also keeps its durations in an HDR histogram (package
// histogram) over recent windows — 1 minute, 5 minutes and 1 hour by
// default, see WithHistogram — and reports p50, p95, p99 and p99.9 for each
// (Percentiles), within 1% of the exact values. The same Record call feeds
// both the threshold counts and the histogram.
//
// # Storage
//
// Counts live in time buckets: one-minute buckets for the last six hours,
// one-hour buckets beyond, for 35 days (see Storage to change any of it, up
// to years). A window counts every bucket it overlaps, so windows up to six
// hours are exact to the minute and longer ones to the hour. Memory is fixed
// per SLI: about 20 KiB with the defaults.
//
// # Time
//
// Every read has an …At form that takes the time; the plain form asks the
// SLI's clock. WithClock injects a clock (for tests, or to replay events
// with their own times). On the default clock, recording reads no clock at
// all: a timer moves the current bucket along at each bucket boundary, and
// an event recorded while it does so may be counted in the bucket next to
// its own. Events are never lost or counted twice, also while buckets
// rotate and when the clock steps backwards; an event recorded at a time
// older than the retention is counted in Totals.OutOfRange, one stamped in
// the future is counted at the present and in Totals.Future.
//
// # Concurrency
//
// Ratio, Latency and Aggregated are safe for concurrent use. On the default
// clock recording is lock-free and allocation-free: one atomic add on a
// per-core counter, and reads take a lock that recording never waits for.
// With an injected clock, a record that starts a new bucket or lands in a
// past one takes that lock too. No goroutine runs in the
// background; the rotation timer holds its SLI weakly, so an SLI that is no
// longer referenced is garbage collected, timer and all.
//
// # Errors
//
// Constructors reject bad configuration with an error wrapping an exported
// sentinel (ErrInvalidThreshold, ErrInvalidStorage, ErrInvalidPart,
// ErrInvalidOption) that names the field. Reads fail with ErrInvalidWindow
// for a window that is not positive or exceeds the retention. Bad values at
// record time are never a panic: an unknown Outcome or a negative duration
// is counted (Totals.Unknown, Totals.Negative) and treated as not valid.
package sli
