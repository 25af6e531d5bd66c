package promrules

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"
)

// DashboardUID is the uid of the dashboard [WriteDashboard] writes, so
// that importing it again replaces it.
const DashboardUID = "nines-slo"

// Panel is one panel of the dashboard [WriteDashboard] writes: its title
// and the PromQL queries it plots, with $objective standing for the
// objectives picked (a regular expression) and $__rate_interval for
// Grafana's rate window.
type Panel struct {
	Title   string
	Kind    string // "stat" or "timeseries"
	Unit    string // Grafana's unit: "percentunit", "s", "reqps", "none"
	Queries []Query
}

// Query is one query of a panel.
type Query struct {
	Expr, Legend string
}

// DashboardPanels returns the panels of the dashboard WriteDashboard
// writes for c, the rules' names and labels: the fleet's budget left, SLI
// and burn rates (the rules' records), the alerts firing, the event rates,
// the fleet's latency percentiles from the histograms, and each replica's
// own numbers (the producer's gauges).
func DashboardPanels(c Config) ([]Panel, error) {
	sel, err := c.selectors()
	if err != nil {
		return nil, err
	}
	n := sel.n
	obj := label(n.name) + `=~"$objective"`
	recSel := obj
	for _, m := range sel.records {
		recSel += "," + m
	}
	counters := recSel
	for _, m := range sel.counters {
		if !slices.Contains(sel.records, m) {
			counters += "," + m
		}
	}
	by := label(n.name)
	burn := func(w time.Duration) Query {
		return Query{RecordName("burn_rate", w) + "{" + recSel + "}", "{{" + n.name + "}} " + fmt.Sprint(w)}
	}
	rate := func(metric string) string {
		return fmt.Sprintf("sum by (%s) (rate(%s[$__rate_interval]))", by, series(metric, counters))
	}
	panels := []Panel{
		{"Error budget left (fleet)", "stat", "percentunit", []Query{{BudgetRecord + "{" + recSel + "}", "{{" + n.name + "}}"}}},
		{"SLI over the last hour (fleet)", "timeseries", "percentunit", []Query{{RecordName("sli", time.Hour) + "{" + recSel + "}", "{{" + n.name + "}}"}}},
		{"Burn rate (fleet)", "timeseries", "none", []Query{burn(5 * time.Minute), burn(time.Hour), burn(6 * time.Hour), burn(3 * 24 * time.Hour)}},
		{"Alerts firing", "timeseries", "none", []Query{{fmt.Sprintf(`count by (%s, nines_slo_alert, severity) (ALERTS{alertname=%q,alertstate="firing",%s})`, by, AlertName, recSel), "{{" + n.name + "}} {{nines_slo_alert}}"}}},
		{"Events (fleet)", "timeseries", "reqps", []Query{
			{rate(n.valid), "{{" + n.name + "}} valid"},
			{fmt.Sprintf("%s - %s", rate(n.valid), rate(n.good)), "{{" + n.name + "}} bad"},
		}},
		{"Latency p99 (fleet, from the histograms)", "timeseries", "s", []Query{{
			fmt.Sprintf("histogram_quantile(0.99, sum by (%s, le) (rate(%s[$__rate_interval])))", by, series(n.buckets, counters)),
			"{{" + n.name + "}}"}}},
		{"Latency percentiles (each replica)", "timeseries", "s", []Query{{
			series(n.quantile, fmt.Sprintf(`%s,%s="0.99",%s="5m"`, obj, label(n.quantileLabel), label(n.windowLabel))),
			"{{" + n.name + "}} {{instance}}"}}},
		{"Budget left (each replica)", "timeseries", "percentunit", []Query{{series(n.budget, obj), "{{" + n.name + "}} {{instance}}"}}},
	}
	return panels, nil
}

// WriteDashboard writes a Grafana dashboard (its JSON model, for import)
// of the objectives that the rules of c compute: [DashboardPanels], with
// a Prometheus data source and the objectives to show as variables.
func WriteDashboard(w io.Writer, c Config) error {
	panels, err := DashboardPanels(c)
	if err != nil {
		return err
	}
	sel, _ := c.selectors()
	ds := map[string]string{"type": "prometheus", "uid": "${datasource}"}
	var out []map[string]any
	for i, p := range panels {
		var targets []map[string]any
		for j, q := range p.Queries {
			targets = append(targets, map[string]any{"refId": string(rune('A' + j)), "expr": q.Expr, "legendFormat": q.Legend, "datasource": ds})
		}
		out = append(out, map[string]any{
			"id": i + 1, "type": p.Kind, "title": p.Title, "datasource": ds, "targets": targets,
			"fieldConfig": map[string]any{"defaults": map[string]any{"unit": p.Unit}, "overrides": []any{}},
			"gridPos":     map[string]int{"x": 12 * (i % 2), "y": 8 * (i / 2), "w": 12, "h": 8},
		})
	}
	dashboard := map[string]any{
		"uid": DashboardUID, "title": "SLOs (nines)", "schemaVersion": 39, "editable": true,
		"time": map[string]string{"from": "now-6h", "to": "now"}, "refresh": "1m",
		"tags":   []string{"nines", "slo"},
		"panels": out,
		"templating": map[string]any{"list": []map[string]any{
			{"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus"},
			{"name": "objective", "label": "Objective", "type": "query", "datasource": ds,
				"query":      map[string]string{"query": fmt.Sprintf("label_values(%s, %s)", BudgetRecord, sel.n.name), "refId": "objectives"},
				"definition": fmt.Sprintf("label_values(%s, %s)", BudgetRecord, sel.n.name),
				"includeAll": true, "multi": true, "allValue": ".*", "refresh": 2,
				"current": map[string]any{"text": "All", "value": "$__all"}},
		}},
		"annotations": map[string]any{"list": []any{}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(dashboard)
}
