// Package exporter carries what nines computes out of the process: the
// objectives of a slo.Registry as OpenTelemetry metrics on any
// MeterProvider, and Prometheus rules that compute the same SLOs across a
// fleet on a Prometheus-compatible backend (Prometheus, Thanos, Mimir).
//
//	exp, err := exporter.New(registry)
//	…
//	reader := sdkmetric.NewPeriodicReader(otlpExporter, sdkmetric.WithProducer(exp))
//	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
//	err = exp.Register(provider)
//
// # Instruments
//
// Register creates these instruments on the MeterProvider it is given (no
// global provider is used), under the scope ScopeName. Every one carries
// the objective's name (nines.slo.name) and, when set, its
// Metadata.Service (nines.slo.service); the table gives the other
// attributes, and the name the OpenTelemetry Prometheus exporter gives each
// (dots become underscores, the unit and _total are appended).
//
//	name                        kind                        unit     more attributes                          Prometheus
//	nines.slo.events.good       Float64ObservableCounter    {event}  —                                        nines_slo_events_good_total
//	nines.slo.events.valid      Float64ObservableCounter    {event}  —                                        nines_slo_events_valid_total
//	nines.slo.latency           histogram (Produce)         s        —                                        nines_slo_latency_seconds_bucket, _sum, _count
//	nines.slo.sli               Float64ObservableGauge      1        —                                        nines_slo_sli_ratio
//	nines.slo.target            Float64ObservableGauge      1        —                                        nines_slo_target_ratio
//	nines.slo.budget.remaining  Float64ObservableGauge      1        —                                        nines_slo_budget_remaining_ratio
//	nines.slo.burn_rate         Float64ObservableGauge      1        nines.slo.burn_window ("5m" … "3d")      nines_slo_burn_rate_ratio
//	nines.slo.alert.firing      Float64ObservableGauge      1        nines.slo.alert, nines.slo.severity      nines_slo_alert_firing_ratio
//	nines.slo.latency.quantile  Float64ObservableGauge      s        nines.slo.latency_window, nines.slo.quantile ("0.5", "0.95", "0.99")  nines_slo_latency_quantile_seconds
//
// The event counters are cumulative and monotonic: each counts the events
// recorded into the objective's SLI by this process (Recorded), not the
// state a snapshot restored, so that a restart reads as a counter reset.
// That is what lets a backend rate them and sum them across replicas: the
// fleet's SLI over a window is sum(increase(good)) ÷ sum(increase(valid)),
// which WriteRules writes down. Objectives that share an SLI report the same
// counts, each under its own name. An aggregated SLI's counters are its
// parts' weighted sums; a Source of your own has counters if it is an
// sli.Counted, and a latency histogram and percentiles if it is an
// sli.LatencySource.
//
// The gauges are the in-process numbers of Objective.Status, for this
// replica alone: the SLI and budget over the objective's window, the burn
// rate over each of slo.BurnWindows(), each alert rule's state (1 firing, 0
// not), and p50/p95/p99 over each of the latency SLI's histogram windows.
// A gauge with no data in its window (no valid events, no latencies) is not
// reported at all, rather than as 0 or NaN.
//
// # The latency histogram
//
// The OpenTelemetry metric API has no asynchronous histogram, and recording
// into a synchronous one would put the SDK on the recording path. So the
// histograms come from the SLIs' own HDR histograms at collection, through
// the SDK's Producer interface: pass the Exporter to each reader that should
// carry them (sdkmetric.WithProducer, or the Prometheus exporter's
// WithProducer). The counters and gauges need nothing of the kind.
//
// The histogram has explicit buckets, not exponential ones: the
// DefaultBoundaries (OpenTelemetry's advice for HTTP server durations) plus
// each objective's latency threshold, in seconds. Explicit buckets become
// classic Prometheus histograms, which every Prometheus-compatible backend
// stores and queries without feature flags or protobuf scraping (an
// exponential histogram becomes a native histogram, which they do not all
// take), and a bucket edge at the threshold lets PromQL read the latency SLI
// straight off the histogram. Exact percentiles need no exponential buckets
// either: the quantile gauges come from the HDR histograms, within 1%. A
// boundary that cuts an HDR bucket (at most 0.78% wide) splits its count in
// proportion; the exact count at the threshold is the good-events counter.
//
// # Cost and failure
//
// Nothing is added to the recording path: the exporter reads state when a
// reader collects, about one Objective.Status per objective (a few
// microseconds) plus one histogram copy per latency objective. A collection
// only reads, as Objective.Status does: it never changes an alert's state
// or calls a handler, however often readers collect. The exporter starts
// no goroutine;
// a slow or failing backend holds up only the SDK's export, never a
// recording. Close unregisters the callback.
//
// # Status
//
// StatusHandler serves a registry's status for people and pipelines. The
// HTML page has one row per objective with its state (met, at risk,
// breached, no data), SLI, target, budget left, burn rates and firing
// alerts, and charts drawn as SVG on the server: the error budget burning
// down over the window, the SLI per 48th of the window, and for latency
// objectives p50/p95/p99 per 10 minutes over the last hour. It has no
// script and no external asset, and shows objective names and metadata
// (escaped) and numbers, nothing of the requests. The JSON form
// (?format=json) is a StatusDocument, schema StatusSchema
// ("nines.status/v1"): per objective its metadata, target, window, state,
// good and valid events, SLI, budget left as a fraction, in events and in
// seconds, traffic, burn rates, alerts (with their thresholds, guards and
// window counts, so that replicas' documents can be merged and alerts
// re-evaluated), and latency percentiles in seconds. DecodeStatus reads
// one back and checks it; examples/releasegate merges several.
//
// # Prometheus rules
//
// WriteRules writes a Prometheus rule file for the registry's objectives
// against the counters above: recording rules for each objective's summed
// good and valid events, SLI and burn rate over every burn and alert window
// and over its period, and its budget left; and one
// alerting rule per burn-rate alert, with the same thresholds, minimum
// events and severities as the in-process alerts. The ratios are ratios of
// summed increases, weighted by events, never averages of ratios.
package exporter
