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

// RatioEvents returns how many events, good, bad or not valid, were
// recorded into r, an *sli.Ratio, since it was created, not counting
// states added to it: with a count of requests started, what is in
// flight. Set by package sli.
var RatioEvents func(r any) uint64

// RouteNamedAtEnd tells the middleware's Handler serving r that a router
// adapter will name r's route when the router returns (SetPattern), so
// that the first response byte does not take the request's pattern (chi
// sets one without the method) or WithRoute's name for it meanwhile. Set
// by package slo/middleware; for the router adapters of contrib.
var RouteNamedAtEnd func(r *http.Request)
