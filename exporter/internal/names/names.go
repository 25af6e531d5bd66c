// Package names holds what the producer and the rule generator must agree
// on: the names of the instruments and attributes the producer reports,
// the names Prometheus gives them, the way windows are written, and which
// SLIs have event counters.
package names

import (
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/nines-slo/nines/sli"
)

// Scope is the instrumentation scope of everything the producer reports.
const Scope = "github.com/nines-slo/nines/exporter/producer"

// Instrument names, in OpenTelemetry's dot-separated style.
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
	StatusOK        = "nines.slo.status.ok"
	Exhaustion      = "nines.slo.budget.exhaustion"
	GoodSlices      = "nines.slo.slices.good"
	ValidSlices     = "nines.slo.slices.valid"
)

// Attribute keys.
const (
	Name          = attribute.Key("nines.slo.name")
	Service       = attribute.Key("nines.slo.service")
	BurnWindow    = attribute.Key("nines.slo.burn_window")
	Alert         = attribute.Key("nines.slo.alert")
	Severity      = attribute.Key("nines.slo.severity")
	Quantile      = attribute.Key("nines.slo.quantile")
	LatencyWindow = attribute.Key("nines.slo.latency_window")
)

// The Prometheus names of the event counters and their labels, as the
// OpenTelemetry Prometheus exporter writes them.
const (
	PromAlertFiring  = "nines_slo_alert_firing_ratio"
	PromGoodEvents   = "nines_slo_events_good_total"
	PromValidEvents  = "nines_slo_events_valid_total"
	PromNameLabel    = "nines_slo_name"
	PromServiceLabel = "nines_slo_service"
)

// Duration formats d the way PromQL writes durations, in its largest whole
// unit: "30s", "5m", "1h", "3d"; mixed ones as "1h30m". Windows are named
// with it in attributes, generated rules and the status document alike.
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

// Recorded returns the good and valid events recorded into src since its
// creation, not counting restored state — what the event counters report:
// an [sli.Counted]'s, or an [sli.Aggregated]'s parts' summed, weighted. It
// reports false for a Source that cannot say (an Aggregated with such a
// part included): its objective gets gauges but no counters, and no rules.
func Recorded(src sli.Source) (sli.Counts, bool) {
	switch s := src.(type) {
	case sli.Counted:
		return s.Recorded(), true
	case *sli.Aggregated:
		var sum sli.Counts
		for _, p := range s.Parts() {
			c, ok := Recorded(p.SLI)
			if !ok {
				return sli.Counts{}, false
			}
			sum.Good += p.Weight * c.Good
			sum.Valid += p.Weight * c.Valid
		}
		return sum, true
	}
	return sli.Counts{}, false
}
