// Package producer carries the objectives of a [slo.Registry] out of the
// process as OpenTelemetry metrics. A [Producer] is an OpenTelemetry SDK
// metric producer: hand it to every reader that should carry the
// objectives, and that is all the wiring there is.
//
//	p, err := producer.New(registry)
//	…
//	reader := sdkmetric.NewPeriodicReader(otlpExporter, sdkmetric.WithProducer(p))
//	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
//
// With the OpenTelemetry Prometheus exporter, pass it with that exporter's
// WithProducer option. Every instrument below travels through the producer,
// so there is no second step to forget: a reader has all of them or none.
//
// # Instruments
//
// Every point carries the objective's name (nines.slo.name) and, when set,
// its Metadata.Service (nines.slo.service), under the instrumentation scope
// "github.com/nines-slo/nines/exporter/producer"; the table gives the
// other attributes, and the name the OpenTelemetry Prometheus exporter
// gives each (dots become underscores, the unit and _total are appended).
//
//	name                        kind                          unit     more attributes                          Prometheus
//	nines.slo.events.good       monotonic sum (cumulative¹)   {event}  —                                        nines_slo_events_good_total
//	nines.slo.events.valid      monotonic sum (cumulative¹)   {event}  —                                        nines_slo_events_valid_total
//	nines.slo.latency           histogram (cumulative¹)       s        —                                        nines_slo_latency_seconds_bucket, _sum, _count
//	nines.slo.sli               gauge                         1        —                                        nines_slo_sli_ratio
//	nines.slo.target            gauge                         1        —                                        nines_slo_target_ratio
//	nines.slo.budget.remaining  gauge                         1        —                                        nines_slo_budget_remaining_ratio
//	nines.slo.burn_rate         gauge                         1        nines.slo.burn_window ("5m" … "3d")      nines_slo_burn_rate_ratio
//	nines.slo.alert.firing      gauge                         1        nines.slo.alert, nines.slo.severity      nines_slo_alert_firing_ratio
//	nines.slo.latency.quantile  gauge                         s        nines.slo.latency_window, nines.slo.quantile ("0.5", "0.95", "0.99")  nines_slo_latency_quantile_seconds
//	nines.slo.budget.exhaustion gauge                         s        nines.slo.burn_window (Config.ExhaustionWindow)  nines_slo_budget_exhaustion_seconds
//	nines.slo.status.ok         gauge                         1        —                                        nines_slo_status_ok_ratio
//	nines.slo.slices.good       gauge                         {slice}  —                                        nines_slo_slices_good
//	nines.slo.slices.valid      gauge                         {slice}  —                                        nines_slo_slices_valid
//
// ¹ or delta, with [WithTemporality].
//
// The event counters are cumulative and monotonic: each counts the events
// recorded into the objective's SLI by this process ([sli.Counted]), not
// the state a snapshot restored, so that a restart reads as a counter
// reset. That is what lets a backend rate them and sum them across
// replicas: the fleet's SLI over a window is sum(increase(good)) ÷
// sum(increase(valid)), which package [github.com/nines-slo/nines/exporter/promrules]
// writes down. Objectives that share an SLI report the same counts, each
// under its own name. An aggregated SLI's counters are its parts' weighted
// sums; a Source of your own has counters if it is an [sli.Counted], and a
// latency histogram and percentiles if it is an [sli.LatencySource].
// Counters and histograms are cumulative unless [WithTemporality] asks for
// deltas (an SDK passes a producer's metrics through as they are, whatever
// temporality the reader's exporter prefers, so the producer must be told):
// for a backend that takes only deltas, pass it the exporter's selector, or
// convert in an OpenTelemetry Collector (its cumulativetodelta processor);
// Datadog's OTLP intake converts cumulative sums itself. The
// MeterProvider's Views do not apply to the producer's metrics either:
// rename or drop them in a Collector.
//
// Exemplars: the bad and slow events an SLI kept with their traces
// ([sli.Ratio.RecordContext] and the middleware, which records with each
// request's context) are OpenTelemetry exemplars on nines.slo.events.valid
// (a count of one each) and, with their durations, on nines.slo.latency
// (in seconds): the point on a chart that links to the request behind it.
// A cumulative point carries every exemplar kept (at most
// [sli.MaxExemplars]); a delta point those since the collection before.
// The Prometheus exporter shows them in the OpenMetrics format.
//
// A time-slice objective ([sli.SliceSource]) reports its events in the
// counters, as any other, and its slices in the window in the gauges
// nines.slo.slices.good and nines.slo.slices.valid; its SLI, budget, burn
// rate and alert gauges count slices, as its status does.
//
// The gauges are the in-process numbers of [slo.Objective.Status], for this
// replica alone: the SLI and budget over the objective's window, the burn
// rate over each of [slo.BurnWindows], each alert rule's state (1 firing,
// 0 not), and p50/p95/p99 over each of the latency SLI's histogram
// windows, and the time until the budget is spent at the burn rate of
// the objective's [slo.Config.ExhaustionWindow] (not reported when the
// budget outlasts the period at that rate). A gauge with no data in its
// window (no valid events, no latencies) is not reported at all, rather
// than as 0 or NaN. The health
// gauge nines.slo.status.ok is 1 for every objective whose status was
// computed and 0 for one whose status failed ([slo.Failed]): alert on
// nines_slo_status_ok_ratio == 0, since the failed objective's other
// gauges are missing.
//
// # HTTP server metrics
//
// [WithHTTPServer] adds, for middlewares made with
// [middleware.Config.HTTPMetrics], OpenTelemetry's HTTP server metrics:
// http.server.request.duration (by http.request.method, http.route,
// http.response.status_code, url.scheme and, for a 5xx, error.type) and
// http.server.active_requests, which dashboards built for otelhttp read
// unchanged (http_server_request_duration_seconds in Prometheus).
// Together with the objectives they carry the four golden signals: the
// traffic and the errors by status code, the latency of successful and
// failed requests alike, and the requests in flight.
//
// # One series per replica
//
// A backend keeps replicas' counters apart by the labels it gives them.
// Scraped by Prometheus, each replica is its own target (its own instance
// label). Pushed over OTLP, a replica is told apart only by its resource:
// give each MeterProvider a service.name and a service.instance.id of its
// own, or two replicas land in one series (Prometheus's OTLP receiver
// takes the instance label from service.instance.id, refuses the second
// replica's points as out of order, and reads counter resets that are
// not there):
//
//	id := make([]byte, 16)
//	rand.Read(id) // crypto/rand: one ID for the life of the process
//	res, err := resource.New(ctx,
//		resource.WithTelemetrySDK(),
//		resource.WithAttributes(semconv.ServiceName("shop"), semconv.ServiceInstanceID(hex.EncodeToString(id))),
//		resource.WithFromEnv(), // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win
//	)
//	…
//	provider := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res), sdkmetric.WithReader(reader))
//
// (A pod name or a host name and process ID serves as well, if it is
// unique among the replicas alive at once.) The example in examples/httpserver does
// this.
//
// # The latency histogram
//
// The histograms come from the SLIs' own HDR histograms at collection, so
// that no SDK instrument sits on the recording path. By default they have
// explicit buckets: the [DefaultBoundaries] (OpenTelemetry's advice for
// HTTP server durations) plus each objective's latency threshold, in
// seconds. Explicit buckets become classic Prometheus histograms, which
// every Prometheus-compatible backend stores and queries without feature
// flags or protobuf scraping, and a bucket edge at the threshold lets
// PromQL read the latency SLI straight off the histogram. A boundary that
// cuts an HDR bucket (at most 0.78% wide) splits its count in proportion;
// the exact count at the threshold is the good-events counter. In-process
// percentiles need no finer buckets: the quantile gauges come from the HDR
// histograms, within 1%.
//
// Fleet-wide percentiles do: PromQL's histogram_quantile over explicit
// buckets can only interpolate between two boundaries (a p99 of 0.24 s
// for an exact 0.13 s). [WithExponentialBuckets] exports base-2
// exponential histograms instead, Prometheus's native histograms (through
// its OTLP receiver, or scraped with native histograms enabled), whose
// buckets at the default scale are 1.09% wide: histogram_quantile over the
// sum of the replicas' gives p50, p95 and p99 within 2% of the exact merge
// of their HDR histograms (0.2% in the integration test).
//
// # Cost and failure
//
// Nothing is added to the recording path: the producer reads state when a
// reader collects, one [slo.Objective.Status] per objective (a few
// microseconds) plus one histogram copy per latency objective. A
// collection only reads: it never changes an alert's state or calls a
// handler, however often readers collect. The producer starts no
// goroutine and holds no registration, so there is nothing to close; a
// slow or failing backend holds up only the SDK's export, never a
// recording. An objective whose status fails loses the gauges of its
// status for that collection, and only it; the error goes to
// OpenTelemetry's error handler, never to the reader, which would export
// nothing at all (see [Producer.Produce]).
package producer
