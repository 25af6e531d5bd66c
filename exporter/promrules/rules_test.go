package promrules_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/nines-slo/nines/exporter/promrules"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// TestWriteRules checks the rules written for one objective: the recording
// rules over every window and the period, and the alerts with the
// in-process thresholds and guards. That Prometheus accepts them and
// computes the in-process numbers is tested with promtool, in the
// integration module.
func TestWriteRules(t *testing.T) {
	r, _ := sli.NewRatio()
	o, err := slo.New(slo.Config{Name: `check"out`, SLI: r, Target: 0.999,
		Metadata: slo.Metadata{Service: "shop", Owner: "team-payments"}})
	if err != nil {
		t.Fatal(err)
	}
	custom := struct{ sli.Source }{r} // a Source without counters
	o2, _ := slo.New(slo.Config{Name: "custom", SLI: custom, Target: 0.99})
	reg, _ := slo.NewRegistry(o, o2)
	var buf bytes.Buffer
	if err := promrules.Write(&buf, reg, promrules.Config{Interval: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	sel := `nines_slo_name=\"check\\\"out\",nines_slo_service=\"shop\"`
	for _, want := range []string{
		`  - name: "nines-slo-check\"out"` + "\n    interval: 30s\n",
		`      - record: nines_slo:valid:increase_30d` + "\n" +
			`        expr: "sum by (nines_slo_name, nines_slo_service) (increase(nines_slo_events_valid_total{` + sel + `}[30d]))"`,
		`      - record: nines_slo:sli:ratio_5m` + "\n" +
			`        expr: "nines_slo:good:increase_5m{` + sel + `} / (nines_slo:valid:increase_5m{` + sel + `} > 0)"` + "\n" +
			"        labels:\n          nines_slo_name: \"check\\\"out\"\n",
		`      - record: nines_slo:burn_rate:ratio_1d`,
		`      - record: nines_slo:budget_remaining:ratio` + "\n" +
			`        expr: "1 - (1 - nines_slo:sli:ratio_30d{` + sel + `}) / 0.001"`,
		// page-1h: 14.4, and ⌈1/(14.4 × 0.001)⌉ = 70 events.
		`        expr: "nines_slo:burn_rate:ratio_1h{` + sel + `} > 14.4\nand nines_slo:burn_rate:ratio_5m{` + sel + `} > 14.4\nand nines_slo:valid:increase_1h{` + sel + `} >= 70"`,
		// ticket-3d: 1, and 1000 events.
		`nines_slo:burn_rate:ratio_3d{` + sel + `} > 1\nand nines_slo:burn_rate:ratio_6h{` + sel + `} > 1\nand nines_slo:valid:increase_3d{` + sel + `} >= 1000"` + "\n" +
			"        labels:\n          nines_slo_name: \"check\\\"out\"\n          severity: \"ticket\"\n          nines_slo_alert: \"ticket-3d\"\n          owner: \"team-payments\"\n",
		"# No event counters, so no rules, for: custom\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rules lack\n%s\n--- rules:\n%s", want, out)
			break
		}
	}
	if n := strings.Count(out, "- alert: "+promrules.AlertName); n != 3 {
		t.Errorf("%d alerting rules, want 3", n)
	}
	if strings.Contains(out, `"nines-slo-custom"`) {
		t.Error("rules written for an objective without counters")
	}
}
