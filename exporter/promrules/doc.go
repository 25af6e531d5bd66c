// Package promrules writes Prometheus rules that compute a
// [slo.Registry]'s SLOs across a fleet, on a Prometheus-compatible backend
// (Prometheus, Thanos, Mimir), from the event counters that package
// [github.com/nines-slo/nines/exporter/producer] exports.
//
//	err := promrules.Write(file, registry, promrules.Config{})
//
// [Write] writes recording rules for each objective's summed good and
// valid events, SLI and burn rate over every burn and alert window and
// over its period, and its budget left ([BudgetRecord]); one alerting
// rule ([AlertName]) per burn-rate or exhaustion alert, with the same
// thresholds, minimum events and severities as the in-process alerts
// ([slo.AlertRule.Guard]; an exhaustion rule's threshold is computed from
// the budget record, as [slo.AlertRule.ThresholdAt] does);
// and one ([AbsentAlertName]) for counters missing from every replica. The
// alerts carry the objective's owner, its [slo.Config.AlertLabels] and
// [slo.Config.AlertAnnotations], and its runbook as runbook_url.
// The ratios are ratios of summed increases, weighted by events, never
// averages of ratios. [RecordName] names the recording rules, for
// dashboards and queries of your own.
//
// # Services apart
//
// The rules sum the counters of a service's replicas and nothing more: by
// default they sum away only the labels that tell replicas apart
// ([ReplicaLabels]: instance, pod) and keep every other, so two services
// with an objective of the same name — two jobs, or one job in two
// namespaces or clusters — get an SLI, budget and alerts each, and each
// record and alert carries the labels (job, namespace, …) that say whose
// it is. [Config.By] names the labels to keep instead, and
// [Config.Selector] adds label matchers, for a rule file that is for one
// deployment of several in one backend:
//
//	promrules.Config{Selector: `namespace="shop"`, By: []string{"job", "namespace"}}
//
// # Names
//
// The rules read the counters by the names the OpenTelemetry Prometheus
// exporter gives them (nines_slo_events_valid_total, nines_slo_name), which
// Prometheus's OTLP receiver gives them too by default. A Prometheus 3
// whose receiver keeps OpenTelemetry's UTF-8 names needs [Config.Naming]
// set to match its translation_strategy ([UTF8WithSuffixes] or [UTF8]),
// or the rules match nothing.
//
// # Operators, Alertmanager and Grafana
//
// [Config.PrometheusRule] wraps the groups in a PrometheusRule resource,
// for the Prometheus Operator. [WriteInhibitions] writes the Alertmanager
// inhibition rules that go with the alerts: a page for an objective
// silences that objective's tickets, and only that service's.
// [WriteDashboard] writes a Grafana dashboard of the rules' records and
// the producer's metrics ([DashboardPanels]).
package promrules
