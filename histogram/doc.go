// Package histogram records latencies in HDR histograms and answers for
// recent windows of time — the p99 of the last minute, of the last hour —
// exactly to the bucket, in memory that follows what is recorded, without
// locks on the recording path.
//
//	r, err := histogram.NewRecorder(histogram.Config{}) // 1 µs – 1 h, 2 digits; windows 1m, 5m, 1h
//	…
//	r.Record(time.Since(start))
//	…
//	s, err := r.Snapshot(5 * time.Minute)
//	p99, err := s.P99() // ErrNoData when the window is empty
//
// # Precision
//
// A histogram keeps every value within a relative precision set by its
// significant digits, in buckets laid out exactly as HdrHistogram lays them
// out. At the default two digits a bucket is at most 1/128 (0.78%) of its
// values wide, so quantiles are within 1% of the exact ones — in practice
// within a few hundredths of a percent, because Quantile interpolates within
// the bucket — and one histogram takes 3456 buckets (14 KiB at 4 bytes a
// bucket, when all are in use) for the range 1 µs to 1 h.
//
// Values below the range are counted at its lowest value and in Underflow,
// above it at its highest and in Overflow; negative durations are counted in
// Invalid only. Recording never panics and never drops a value silently.
//
// # Windows and memory
//
// A Recorder counts the current tick in per-core histograms allocated 32
// buckets at a time, as values reach them, and at every tick (a tenth of
// the shortest window: 6 s for the defaults) closes it into a cell that
// keeps only its occupied buckets, one or two bytes each (a busy cell's as
// differences from their neighbours, mostly a byte). Cells widen as
// they age, to a tenth of each window, so a window's Snapshot takes the
// cells that overlap it, its far edge rounded to the nearest cell
// boundary: within 5% of the window. Ten cells a window rather than the
// twenty-five that 2% would take, because memory comes first: a middleware
// route with 5-minute and 1-hour windows holds about 61 KiB after an hour
// at 100 requests a second (see slo/middleware), and 2% would take about
// half as much again. For the same reason a read sums the window's cells
// each time (a p99 of the last 5 minutes at 100 requests a second: some
// 20–45 µs on a 2-core machine) rather than keeping a running sum per
// window, which would answer in a few microseconds for a few KiB more a
// recorder. Cumulative holds every value since the recorder was created,
// for exporters whose backends rate it.
//
// Time comes from the wall clock, or from [WithClock]; every time-dependent
// method has an …At form. Record with a clock that reads earlier than the
// current tick (it stepped back) counts in the current tick, so that every
// window ending now holds the value; RecordAt puts a value at its own time.
// State and Add carry the cells with their times, so a restore or a merge
// at the state's time holds the same values in every window, bucket for
// bucket.
//
// # Merging and encoding
//
// Snapshots with the same layout merge exactly (counts add bucket by
// bucket): that is how fleet-wide percentiles are made, since percentiles
// themselves cannot be averaged. Encode writes HdrHistogram's standard V2
// compressed format, which the HdrHistogram libraries read; Decode reads it
// back (or its base64 form from histogram logs), rejecting corrupt input
// with [ErrCorrupt].
//
// # Concurrency
//
// A Recorder is safe for concurrent use: on the default clock Record is one
// atomic add on a per-core histogram (up to four of them; more cores share
// them), and reads and rotation take a lock that recording never waits for. A Snapshot is immutable. No goroutine runs
// in the background; the rotation timer holds its Recorder weakly.
package histogram
