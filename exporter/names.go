package exporter

import (
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
)

// ScopeName is the instrumentation scope of everything the exporter
// reports: the meter's name and the scope of the produced histograms.
const ScopeName = "github.com/nines-slo/nines/exporter"

// Instrument names, in OpenTelemetry's dot-separated style. The package
// documentation's table gives each one's kind, unit and attributes, and the
// name the OpenTelemetry Prometheus exporter turns it into.
const (
	GoodEvents      = "nines.slo.events.good"
	ValidEvents     = "nines.slo.events.valid"
	Latency         = "nines.slo.latency"
	SLI             = "nines.slo.sli"
	Target          = "nines.slo.target"
	BudgetLeft      = "nines.slo.budget.remaining"
	BurnRate        = "nines.slo.burn_rate"
	AlertFiring     = "nines.slo.alert.firing"
	LatencyQuantile = "nines.slo.latency.quantile"
)

// Attribute keys.
const (
	// NameKey is the objective's name, on every instrument.
	NameKey = attribute.Key("nines.slo.name")
	// ServiceKey is the objective's Metadata.Service, on every instrument
	// when it is not empty.
	ServiceKey = attribute.Key("nines.slo.service")
	// BurnWindowKey is the window of a burn rate: "5m", "1h", "3d".
	BurnWindowKey = attribute.Key("nines.slo.burn_window")
	// AlertKey is an alert rule's name: "page-1h".
	AlertKey = attribute.Key("nines.slo.alert")
	// SeverityKey is an alert rule's severity: "page" or "ticket".
	SeverityKey = attribute.Key("nines.slo.severity")
	// QuantileKey is a latency quantile: "0.5", "0.95", "0.99".
	QuantileKey = attribute.Key("nines.slo.quantile")
	// LatencyWindowKey is the window a latency quantile covers: "5m".
	LatencyWindowKey = attribute.Key("nines.slo.latency_window")
)

// Duration formats d the way PromQL writes durations, in its largest whole
// unit: "30s", "5m", "1h", "3d"; mixed ones as "1h30m". Burn-rate windows
// are named with it, in attributes and in generated rules alike.
func Duration(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	units := []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}, {time.Millisecond, "ms"}}
	var out []byte
	for _, u := range units {
		if n := d / u.d; n > 0 {
			out = strconv.AppendInt(out, int64(n), 10)
			out = append(out, u.name...)
			d -= n * u.d
		}
	}
	if len(out) == 0 {
		return "0s"
	}
	return string(out)
}
