// Package statuspage serves a [slo.Registry]'s status for people and
// pipelines: an HTML page and a JSON document, from one [Handler].
//
//	page, err := statuspage.Handler(registry)
//	…
//	mux.Handle("GET /slo", page)
//
// The HTML page is for people in a hurry. It opens with a summary — how
// many objectives are breached, have a page or a ticket alert firing, are
// at risk, have no data, are met ([Condition]) — and shows the objectives
// the most urgent first ([Worst]), each with its condition, SLI against
// its target, budget left and when it runs out, traffic as a rate over the
// last 5 minutes, burn rates (those faster than the budget allows, and
// those above an alert's threshold, marked), the alerts firing with why,
// and charts drawn as SVG on the server: the error budget burning down
// over the window, the SLI per 48th of the window, the burn rate over the
// last 6 hours against the alerts' thresholds, and for latency objectives
// p50/p95/p99 per 10 minutes over the last hour. A legend says what the
// terms mean. It reads on a phone (400 px) without sideways scrolling. It
// has no script and no external asset, and shows objective names and
// metadata (escaped), numbers, and the traces of recent failures.
//
// The page is computed at most every [DefaultCache] (5 seconds;
// [WithCache]) and served as computed in between: a view of 100
// objectives then takes about a microsecond, and computing it about 16 ms.
// The JSON document is computed for every request.
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
