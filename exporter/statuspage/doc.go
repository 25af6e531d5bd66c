// Package statuspage serves a [slo.Registry]'s status for people and
// pipelines: an HTML page and a JSON document, from one [Handler].
//
//	page, err := statuspage.Handler(registry)
//	…
//	mux.Handle("GET /slo", page)
//
// The HTML page has one row per objective with its state (met, at risk,
// breached, no data), SLI, target, budget left, burn rates and firing
// alerts, and charts drawn as SVG on the server: the error budget burning
// down over the window, the SLI per 48th of the window, and for latency
// objectives p50/p95/p99 per 10 minutes over the last hour. It has no
// script and no external asset, and shows objective names and metadata
// (escaped) and numbers, nothing of the requests.
//
// The JSON form (?format=json, or a request that accepts
// application/json) is a [Document] of schema [Schema]
// ("nines.status/v1"): per objective its metadata, target, window, state,
// good and valid events, SLI, budget left as a fraction, in events and in
// seconds, traffic, burn rates, alerts (with their thresholds, guards and
// window counts, so that replicas' documents can be merged and alerts
// re-evaluated), and latency percentiles in seconds. [Decode] reads one
// back and checks it; the nines command's gate (cmd/nines) merges several.
//
// Serving the page only reads: it never changes an alert's state or calls
// an alert handler, however often it is fetched.
package statuspage
