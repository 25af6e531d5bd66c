// Package access lets one package of nines reach what another keeps
// unexported, without making it public API: the package that owns a
// function sets its variable here in an init function, and its siblings
// call it. The variables' parameters are typed any where the owner's types
// would make an import cycle; each owner documents what it takes.
package access

import (
	"net/http"
	"time"
)

// HistogramRecordOn counts duration d now in the current histogram of
// processor p (shard.Proc's number; any number is safe, it only picks a
// shard) of r, a *histogram.Recorder: for a caller that counts one event
// in several places and finds its processor once. Set by package
// histogram.
var HistogramRecordOn func(r any, p uint32, d time.Duration)

// HistogramCumulativeEach calls f with every non-zero bucket, in
// increasing order, of the cumulative histogram of r, a
// *histogram.Recorder (what its Cumulative returns), without copying it.
// Set by package histogram.
var HistogramCumulativeEach func(r any, f func(lo, hi time.Duration, n uint64))

// LatencyCumulativeEach does what HistogramCumulativeEach does for the
// histogram of l, an sli.LatencySource, and reports whether it could: l
// is a *sli.Latency. Set by package sli; for the exporters.
var LatencyCumulativeEach func(l any, f func(lo, hi time.Duration, n uint64)) bool

// RatioEvents returns how many events, good, bad or not valid, were
// recorded into r, an *sli.Ratio, since it was created, not counting
// states added to it: with a count of requests started, what is in
// flight. Set by package sli.
var RatioEvents func(r any) uint64

// CountsManyAt sums the windows (t−ws[i], t] of src, an sli.Source, into
// good[i] and valid[i], in one pass over its cells, and reports whether
// src is one it can (a *sli.Ratio or *sli.Latency); the error is what
// CountsAt would return for a bad window. Set by package sli; for slo's
// status, which reads seven or more windows of one SLI at once.
var CountsManyAt func(src any, t time.Time, ws []time.Duration, good, valid []float64) (bool, error)

// RouteNamedAtEnd tells the middleware's Handler serving r that a router
// adapter will name r's route when the router returns (SetPattern), so
// that the first response byte does not take the request's pattern (chi
// sets one without the method) or WithRoute's name for it meanwhile. Set
// by package slo/middleware; for the router adapters of contrib.
var RouteNamedAtEnd func(r *http.Request)
