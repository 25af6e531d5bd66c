// Package nines is an embeddable library for service level indicators,
// objectives and error budgets. A service records each request's outcome and
// latency in nanoseconds-cheap calls and can ask, at any moment and
// in-process, what its SLI, its error budget left and its burn rate are.
//
// # Concepts
//
// An SLI (service level indicator) is a ratio of events: good ÷ valid. Valid
// events are those in scope (a client's malformed request may be declared
// not valid); good events are valid events that met the success criterion (a
// response that was not a 5xx, a response within 100 ms).
//
// An SLO (service level objective) is an SLI, a target and a period: "99.95%
// of requests succeed over 30 days". Its error budget is the unreliability
// the target allows, 1 − target: 0.05% of the requests, or 21m36s of
// downtime in 30 days. Incidents, maintenance, deployments and drills spend
// it; when it runs out, releases stop and reliability work starts.
//
// The burn rate is how fast the budget is being spent relative to the rate
// that would spend exactly all of it over the period: at burn rate 14.4 a
// 30-day budget loses 2% an hour.
//
// # Packages
//
//   - budget: error-budget arithmetic — allowed, consumed and remaining
//     budget in events and time, burn rate, deductions, release policy.
//   - histogram: latency distributions — concurrent HDR histograms over
//     recent windows, p50/p95/p99 within 1%, exact merges across replicas,
//     HdrHistogram's standard encoding.
//   - sli: recording events — ratio, latency and aggregated SLIs over rolling
//     time buckets; latency SLIs with percentiles.
//   - slo: objectives — an SLI, a target and a rolling or calendar window;
//     status, attainment, budget, burn rates, multiwindow burn-rate alerts;
//     a registry; snapshots that survive restarts and merge across replicas.
//   - slo/middleware: HTTP middleware — availability and latency per route,
//     per-route objectives and the four golden signals.
//   - exporter/producer: OpenTelemetry export — counters, gauges and
//     latency histograms for a registry's objectives, as an SDK producer.
//   - exporter/statuspage: the status page, HTML for people and JSON for
//     release gates.
//   - exporter/promrules: Prometheus rules that compute the same SLOs
//     across a fleet.
//
// # Tour
//
//	availability, _ := sli.NewRatio()
//	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
//		status := serve(w, r)
//		availability.Record(sli.ClassifyStatus(status)) // lock-free, no allocation
//	})
//
//	// In a release gate, or a status handler:
//	target := budget.MustTarget(0.9995, 30*24*time.Hour)
//	c, _ := availability.Counts(target.Period())
//	b, _ := target.Budget(c.Good, c.Valid)
//	decision, _ := budget.Policy{MinRemaining: 0.25}.Decide(b)
//	fmt.Println(decision) // allow: 38% of the error budget remains (policy requires at least 25%)
//
// Every type is safe for concurrent use unless its documentation says
// otherwise.
package nines
