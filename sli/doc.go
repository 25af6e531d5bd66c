// Package sli records service level indicators: events counted as good or
// bad among the valid ones, in time cells that widen with age, so that the SLI over
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
// [RecordRequest] records a request into an availability and a latency SLI
// in one call, as HTTP middleware does. Recorded counts what was recorded
// in this process (restored state left out): the counter an exporter sends.
//
// # Exemplars
//
// RecordContext (on every SLI that records) and [RecordRequestContext]
// take the request's context too: a bad event — a failure, a slow
// response — whose context holds a sampled OpenTelemetry span is kept as
// an [Exemplar], its trace and span IDs, time and duration, the latest
// [MaxExemplars] of them ([Ratio.Exemplars]). The objectives list them
// with their windows, the status page links them to their traces, and the
// OpenTelemetry export attaches them to the event counters and the
// latency histogram. A good event costs what Record does; a bad one looks
// for its span at most 256 times and is kept at most 4 times each 10
// seconds, so an outage adds a few nanoseconds an event, and nothing is
// allocated. Exemplars live in memory only: states and snapshots do not
// carry them.
//
// # Time slices
//
// [RatioSlices] and [LatencySlices] count time slices instead of events:
// "99% of minutes with p99 ≤ 300 ms". Time is cut into slices (1 minute
// by default, [WithSlice]); a slice is good when at least a fraction of
// its valid events are good ([NewRatioSlices]), or when a percentile of
// its latencies is within a threshold ([NewLatencySlices]), which nines
// judges exactly on counts: the nearest-rank p99 is within 300 ms exactly
// when at least 99% of the slice's latencies are. A slice without valid
// events is not valid, good or bad ([WithEmptySlices]); slices before the
// SLI began never count. Their Counts are slices — good slices over valid
// slices — so an objective budgets, burns and alerts on them as on
// events, and a low-traffic service's quiet minutes weigh as much as its
// busy ones. Every slice keeps its counts for the whole retention and is
// judged when read, so a slice completed by a restored or a replica's
// state is judged on all its events. Over 30 days of 1-minute slices at a
// steady 100 requests a second one takes about 45 KiB; see
// [LatencySlices] for traffic that varies.
//
// # Latency percentiles
//
// A Latency also keeps its durations in an HDR histogram (package
// histogram) over recent windows — 1 minute, 5 minutes and 1 hour by
// default, see [WithHistogram] — and reports p50, p95, p99 and p99.9 for each
// (Percentiles), within 1% of the exact values. The same Record call feeds
// both the threshold counts and the histogram.
//
// # Storage
//
// Counts live in time cells that widen as they age: 10 seconds for the
// last 25 minutes, a minute to 6 h 30 m, a quarter of an hour for the rest
// of the retention (35 days by default; see Storage, up to years). A window
// takes the cells it overlaps, its far edge rounded to the nearest cell
// boundary: windows from 4 m 10 s to a day span their length to within 2%
// (5 s of 5 minutes), longer ones to within 7.5 minutes, and a window that
// starts on a quarter hour — a calendar period's local midnight, in every
// time zone in use, on days of 23 and 25 hours too — is exact. A cell costs
// its counts' varint bytes, kept from the first event on, and closed blocks
// of cells keep only their differences: 8 to 15 KiB for 35 days at 100
// events a second.
//
// # Time
//
// Every read has an …At form that takes the time; the plain form asks the
// SLI's clock. [WithClock] injects a clock (for tests, or to replay events
// with their own times). On the default clock, recording reads no clock at
// all: a timer moves the current cell along at each cell boundary, and an
// event recorded while it does so may be counted in the cell next to its
// own. Events are never lost or counted twice, also while cells rotate
// and when the clock steps:
//
//   - A step back: Record counts in the current cell (the SLI's present
//     never moves back), and a read at the clock's now ends at that cell,
//     so every event recorded since is in every window ending now. RecordAt
//     still puts an event at its own time, as a replay wants.
//   - A step forward: the present moves with it; older events age out of
//     windows as time has passed for them, and past the retention into
//     Totals.Expired.
//   - An event older than the retention is counted in Totals.OutOfRange,
//     one stamped in the future at the present and in Totals.Future.
//   - A State restored while the clock is behind its time moves the SLI's
//     present up to it (by at most the retention), so its history keeps
//     its times; one restored ahead ages as it would have.
//
// # Concurrency
//
// Ratio, Latency and Aggregated are safe for concurrent use. On the default
// clock recording is lock-free and allocation-free: one plain add on
// counters that only the recording processor writes (no atomic
// instruction), and reads take a lock that recording never waits for.
// With an injected clock, a record that starts a new cell or lands in a
// past one takes that lock too. No goroutine runs in the
// background; the rotation timer holds its SLI weakly, so an SLI that is no
// longer referenced is garbage collected, timer and all.
//
// # Errors
//
// Constructors reject bad configuration with an error wrapping
// [ErrInvalidConfig] that names the field (a bad [WithHistogram]'s wraps
// [histogram.ErrInvalidConfig]); an option passed to a
// constructor it does not apply to does not compile. Reads fail with
// [ErrInvalidWindow]
// for a window that is not positive or exceeds the retention. Bad values at
// record time are never a panic: an unknown Outcome or a negative duration
// is counted ([Totals.Unknown], [Totals.Negative]) and treated as not valid.
package sli
