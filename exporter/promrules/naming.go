package promrules

import (
	"fmt"
	"strconv"

	"github.com/nines-slo/nines/exporter/internal/names"
	"github.com/nines-slo/nines/internal/printable"
)

// Naming is how the backend names the producer's counters and their
// labels, which depends on how they reach it ([Config.Naming]).
type Naming int

const (
	// Underscores: the OpenTelemetry Prometheus exporter's names, and
	// those of Prometheus's OTLP receiver by default
	// (translation_strategy UnderscoreEscapingWithSuffixes):
	// nines_slo_events_valid_total, labelled nines_slo_name.
	Underscores Naming = iota
	// UTF8WithSuffixes: Prometheus 3's OTLP receiver with
	// translation_strategy NoUTF8EscapingWithSuffixes:
	// nines.slo.events.valid_total, labelled nines.slo.name.
	UTF8WithSuffixes
	// UTF8: Prometheus 3's OTLP receiver with translation_strategy
	// NoTranslation: nines.slo.events.valid, labelled nines.slo.name.
	UTF8
)

// naming holds the names of one Naming.
type naming struct {
	good, valid   string // the counters
	name, service string // the objective's labels
	// The producer's other metrics and labels, for the dashboard.
	buckets, quantile, budget  string // latency histogram buckets, quantile and budget gauges
	quantileLabel, windowLabel string
}

func (n Naming) names() (naming, error) {
	switch n {
	case Underscores:
		return naming{names.PromGoodEvents, names.PromValidEvents, names.PromNameLabel, names.PromServiceLabel,
			"nines_slo_latency_seconds_bucket", "nines_slo_latency_quantile_seconds", "nines_slo_budget_remaining_ratio",
			"nines_slo_quantile", "nines_slo_latency_window"}, nil
	case UTF8WithSuffixes:
		return naming{names.GoodEvents + "_total", names.ValidEvents + "_total", string(names.Name), string(names.Service),
			names.Latency + "_seconds_bucket", names.LatencyQuantile + "_seconds", names.BudgetLeft + "_ratio",
			string(names.Quantile), string(names.LatencyWindow)}, nil
	case UTF8:
		return naming{names.GoodEvents, names.ValidEvents, string(names.Name), string(names.Service),
			names.Latency + "_bucket", names.LatencyQuantile, names.BudgetLeft,
			string(names.Quantile), string(names.LatencyWindow)}, nil
	}
	return naming{}, fmt.Errorf("%w: Naming %d", ErrInvalidConfig, n)
}

// label writes a label name as PromQL takes it: quoted unless it is a
// classic one.
func label(l string) string {
	if printable.LabelName(l) {
		return l
	}
	return strconv.Quote(l)
}

// series writes a selector of metric with the matchers (label matchers
// joined by commas), in the form PromQL takes for metric's name.
func series(metric, matchers string) string {
	if printable.LabelName(metric) {
		return metric + "{" + matchers + "}"
	}
	return "{" + strconv.Quote(metric) + "," + matchers + "}"
}
