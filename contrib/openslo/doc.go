// Package ninesopenslo reads and writes nines' objectives as OpenSLO v1
// (https://openslo.com): the SLOs a team already declares for its backend
// or its SLO platform become objectives computed in-process, and the
// objectives a service declares in Go become a file other tools read.
//
//	f, _ := os.Open("slos.yaml")
//	configs, err := ninesopenslo.Read(f) // one slo.Config per SLO, each with its SLI
//	for _, c := range configs {
//		o, _ := slo.New(c)
//		registry.Add(o)
//	}
//	…
//	ninesopenslo.Write(os.Stdout, registry, ninesopenslo.Config{})
//
// It is a module of its own so that the YAML parser it needs stays out of
// the library's dependencies.
//
// # Mapping
//
// Each objective is an SLO with one objective entry (target), its SLI
// (indicatorRef), its Service (spec.service) and an AlertPolicy per alert
// rule:
//
//	nines                                   OpenSLO v1
//	Config.Name                             metadata.name (a DNS label) and displayName
//	Metadata.Service                        spec.service, a Service
//	Metadata.Description                    spec.description
//	Target                                  objectives[0].target (targetPercent read too)
//	Rolling(d), whole minutes               timeWindow: duration "30d", isRolling: true
//	Calendar(Month, loc) (Day … Year)       timeWindow: duration 1M (1d, 1w, 1Q, 1Y), calendar:
//	                                          startTime on a period boundary, timeZone loc
//	sli.Ratio                               budgetingMethod Occurrences, ratioMetric good/total
//	sli.Latency (threshold T)               Occurrences, ratioMetric (events within T are good),
//	                                          T in an annotation; thresholdMetric with op lte, value T
//	                                          in seconds, is read as the same
//	sli.RatioSlices (minGood, slice)        Timeslices, ratioMetric, timeSliceTarget minGood,
//	                                          timeSliceWindow slice
//	sli.LatencySlices (p, T, slice)         Timeslices, ratioMetric with T in an annotation,
//	                                          timeSliceTarget p; thresholdMetric, op lte, value T,
//	                                          is read as the same
//	AlertRule (burn rate)                   AlertPolicy with one AlertCondition: kind burnrate, op gt,
//	                                          threshold (AlertRule.Guard), lookbackWindow Long,
//	                                          alertAfter Short, severity page or ticket
//	AlertRule (exhaustion)                  the same, the threshold a full budget's, Exhaustion in an
//	                                          annotation
//	Metadata.Owner                          the alerts' AlertNotificationTarget
//
// Names map to OpenSLO's DNS-label rule: lower case, each run of other
// characters than letters and digits one hyphen ("checkout GET /cart
// availability" is "checkout-get-cart-availability"), cut to 63 characters
// with a hash of the name when longer, and with a hash when two names
// would meet. Where the name had to change, the annotation
// nines-slo.github.io/name keeps it, and Read gives it back.
//
// What OpenSLO has no field for is kept in annotations under
// nines-slo.github.io/: the rest of [slo.Metadata], AtRisk,
// ExhaustionWindow, AlertLabels and AlertAnnotations, a time-slice SLI's
// empty-slice policy, a latency SLI's threshold, a rule's exact budget
// fraction, exhaustion horizon and minimum events. Reading a file nines
// wrote gives back the objectives it was written from; a file written
// elsewhere reads with the defaults where they are missing.
//
// The SLIs' metric sources are Prometheus queries of the event counters
// nines exports (nines_slo_events_good_total and
// nines_slo_events_valid_total, by nines_slo_name), so that a tool that
// reads the file computes the same SLO from what the processes export.
// Read ignores metric sources: nines records in-process.
//
// # Where the two differ
//
//   - OpenSLO v1 conditions have one window. nines' multiwindow rules
//     fire while the burn rate over the Long and the Short window both
//     exceed the threshold; Write puts Short in alertAfter, its nearest
//     field (a tool reading it fires once the long window's burn has held
//     that long; nines fires as soon as the short window burns too, and
//     resolves as soon as it does not), and Read takes alertAfter as the
//     Short window, or a twelfth of the long one without it, as the SRE
//     Workbook's rules have.
//   - A threshold metric is read as the requests' latencies: an event is
//     good when within the value (seconds; lt is read as lte, a
//     nanosecond apart). Under Timeslices a slice is good when at least
//     timeSliceTarget of its requests are, which is its timeSliceTarget
//     percentile being within the value.
//   - Not read (ErrUnsupported): RatioTimeslices (the mean of the slices'
//     ratios; nines counts good slices or good events), SLOs of several
//     objective entries (composites; nines' composites are not written
//     either), conditions that fire below a threshold (op lte, lt),
//     alertWhenNoData, rolling windows of months, quarters or years,
//     calendar windows of several periods or starting off a boundary,
//     severities other than page and ticket.
//   - An SLO without alert policies has no alert rules; set Config.Alerts
//     to nil before slo.New for nines' defaults.
//   - A calendar window's burn-rate thresholds depend on the period's
//     length; Write computes them for the period at Config.At, with the
//     exact budget fraction beside them.
//
// The documents Write writes validate against OpenSLO's v1 JSON schema
// (the test is in the schematest directory).
package ninesopenslo
