package promrules_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strconv"
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
		Metadata:         slo.Metadata{Service: "shop", Owner: "team-payments", Runbook: "https://runbooks.example/checkout"},
		AlertLabels:      map[string]string{"tier": "1", "team": "payments"},
		AlertAnnotations: map[string]string{"dashboard": "https://grafana.example/d/checkout"}})
	if err != nil {
		t.Fatal(err)
	}
	custom := struct{ sli.Source }{r} // a Source without counters
	o2, _ := slo.New(slo.Config{Name: "custom", SLI: custom, Target: 0.99})
	minutes, _ := sli.NewRatioSlices(0.95)
	o3, _ := slo.New(slo.Config{Name: "minutes", SLI: minutes, Target: 0.99})
	reg, _ := slo.NewRegistry(o, o2, o3)
	var buf bytes.Buffer
	if err := promrules.Write(&buf, reg, promrules.Config{Interval: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	sel := `nines_slo_name=\"check\\\"out\",nines_slo_service=\"shop\"`
	for _, want := range []string{
		`  - name: "nines-slo-check\"out"` + "\n    interval: 30s\n",
		// The step, the events since the evaluation 30s before; the
		// 30-day window from it.
		`      - record: nines_slo:valid:step` + "\n" +
			`        expr: "sum without (instance, pod) (((nines_slo_events_valid_total{` + sel + `} - nines_slo_events_valid_total{` + sel + `} offset 30s) >= 0) or nines_slo_events_valid_total{` + sel + `})"`,
		`      - record: nines_slo:valid:increase_30d` + "\n" +
			`        expr: "sum_over_time(nines_slo:valid:step{` + sel + `}[29d23h59m45s])"`,
		`      - record: nines_slo:valid:increase_1h` + "\n" +
			`        expr: "sum without (instance, pod) (increase(nines_slo_events_valid_total{` + sel + `}[1h]))"`,
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
			"        labels:\n          nines_slo_name: \"check\\\"out\"\n          severity: \"ticket\"\n          nines_slo_alert: \"ticket-3d\"\n          owner: \"team-payments\"\n" +
			"          team: \"payments\"\n          tier: \"1\"\n        annotations:\n",
		`          runbook_url: "https://runbooks.example/checkout"` + "\n" + `          dashboard: "https://grafana.example/d/checkout"` + "\n",
		// Missing data: a ticket after 15 minutes without the counters.
		`      - alert: SLOEventsAbsent` + "\n" + `        expr: "absent(nines_slo_events_valid_total{` + sel + `})"` + "\n        for: 15m\n",
		"# No event counters, so no rules, for: custom\n",
		"# Time-slice objectives, computed in-process only (alert on nines_slo_alert_firing_ratio): minutes\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rules lack\n%s\n--- rules:\n%s", want, out)
			break
		}
	}
	// No raw range over an hour: the longest range over the counters.
	for _, m := range regexp.MustCompile(`increase\([^\[]*\[(\w+)\]`).FindAllStringSubmatch(out, -1) {
		if d, ok := promDuration(m[1]); !ok || d > promrules.MaxRawRange {
			t.Errorf("a raw range of %s in %s", m[1], m[0])
		}
	}
	if n := strings.Count(out, "- alert: "+promrules.AlertName); n != 3 {
		t.Errorf("%d alerting rules, want 3", n)
	}
	if strings.Contains(out, `"nines-slo-custom"`) {
		t.Error("rules written for an objective without counters")
	}
	if strings.Contains(out, `"nines-slo-minutes"`) {
		t.Error("rules written for a time-slice objective")
	}
}

// TestWriteSelectorAndBy: the user's matchers select the counters, and
// those on labels the sums keep select the records too; By names what
// the sums keep; a bad Selector or By is refused naming the field.
func TestWriteSelectorAndBy(t *testing.T) {
	r, _ := sli.NewRatio()
	o, _ := slo.New(slo.Config{Name: "checkout", SLI: r, Target: 0.99})
	reg, _ := slo.NewRegistry(o)
	write := func(c promrules.Config) (string, error) {
		var buf bytes.Buffer
		err := promrules.Write(&buf, reg, c)
		return buf.String(), err
	}
	for _, tt := range []struct {
		name      string
		c         promrules.Config
		want, not []string
	}{
		{"selector, default grouping", promrules.Config{Selector: ` namespace = "shop" , cluster=~"eu-.*",instance!="canary:9090"`},
			[]string{
				`sum without (instance, pod) (increase(nines_slo_events_good_total{nines_slo_name=\"checkout\",namespace=\"shop\",cluster=~\"eu-.*\",instance!=\"canary:9090\"}[5m]))`,
				`nines_slo:good:increase_1h{nines_slo_name=\"checkout\",namespace=\"shop\",cluster=~\"eu-.*\"} / (`,
			},
			[]string{`increase_1h{nines_slo_name=\"checkout\",namespace=\"shop\",cluster=~\"eu-.*\",instance`},
		},
		{"selector and By", promrules.Config{Selector: `namespace="shop",cluster="eu-1"`, By: []string{"job", "namespace"}},
			[]string{
				`sum by (nines_slo_name, nines_slo_service, job, namespace) (increase(nines_slo_events_valid_total{nines_slo_name=\"checkout\",namespace=\"shop\",cluster=\"eu-1\"}[1h]))`,
				`(1 - nines_slo:sli:ratio_30d{nines_slo_name=\"checkout\",namespace=\"shop\"}) / 0.01`,
			},
			[]string{`ratio_30d{nines_slo_name=\"checkout\",namespace=\"shop\",cluster`},
		},
	} {
		out, err := write(tt.c)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: rules lack\n%s\n--- rules:\n%s", tt.name, w, out)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(out, n) {
				t.Errorf("%s: rules hold\n%s", tt.name, n)
			}
		}
	}
	for _, tt := range []struct {
		c     promrules.Config
		field string
	}{
		{promrules.Config{Selector: `namespace`}, "Selector"},
		{promrules.Config{Selector: `namespace=shop`}, "Selector"},
		{promrules.Config{Selector: `namespace="shop" cluster="a"`}, "Selector"},
		{promrules.Config{Selector: `namespace="shop`}, "Selector"},
		{promrules.Config{Selector: `job=~"(("`}, "Selector"},
		{promrules.Config{Selector: `nines_slo_name="other"`}, "Selector"},
		{promrules.Config{Selector: `__name__=~".+"`}, "Selector"},
		{promrules.Config{By: []string{"job", "job"}}, "By"},
		{promrules.Config{By: []string{"kube-namespace"}}, "By[0]"},
		{promrules.Config{By: []string{"job", "nines_slo_service"}}, "By[1]"},
	} {
		_, err := write(tt.c)
		if !errors.Is(err, promrules.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%+v: error %v, want ErrInvalidConfig naming %s", tt.c, err, tt.field)
		}
	}
}

// TestWritePrometheusRule: the resource wraps exactly the plain file's
// groups, indented under its spec, with its name, namespace and labels;
// names Kubernetes would refuse are refused.
func TestWritePrometheusRule(t *testing.T) {
	r, _ := sli.NewRatio()
	o, _ := slo.New(slo.Config{Name: "checkout", SLI: r, Target: 0.99})
	reg, _ := slo.NewRegistry(o)
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var plain, res bytes.Buffer
	if err := promrules.Write(&plain, reg, promrules.Config{At: at}); err != nil {
		t.Fatal(err)
	}
	k := &promrules.PrometheusRule{Name: "shop-slos", Namespace: "shop", Labels: map[string]string{"release": "kube-prometheus-stack", "app.kubernetes.io/part-of": "shop"}}
	if err := promrules.Write(&res, reg, promrules.Config{At: at, PrometheusRule: k}); err != nil {
		t.Fatal(err)
	}
	head := "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: \"shop-slos\"\n  namespace: \"shop\"\n" +
		"  labels:\n    \"app.kubernetes.io/part-of\": \"shop\"\n    \"release\": \"kube-prometheus-stack\"\nspec:\n  groups:\n"
	_, plainGroups, _ := strings.Cut(plain.String(), "groups:\n")
	comments, body, ok := strings.Cut(res.String(), head)
	if !ok || !strings.HasPrefix(plain.String(), comments) {
		t.Fatalf("PrometheusRule lacks its head:\n%s", res.String())
	}
	var dedented strings.Builder
	for line := range strings.Lines(body) {
		dedented.WriteString(strings.TrimPrefix(line, "  "))
	}
	if dedented.String() != plainGroups {
		t.Errorf("the resource's groups are not the plain file's:\n%s\n--- plain:\n%s", dedented.String(), plainGroups)
	}
	for _, bad := range []*promrules.PrometheusRule{{}, {Name: "Shop"}, {Name: "shop_slos"}, {Name: "a", Namespace: "a.b"}, {Name: "a", Labels: map[string]string{"-x": "y"}}, {Name: "a", Labels: map[string]string{"x": "a b"}}} {
		if err := promrules.Write(io.Discard, reg, promrules.Config{PrometheusRule: bad}); !errors.Is(err, promrules.ErrInvalidConfig) || !strings.Contains(err.Error(), "PrometheusRule") {
			t.Errorf("%+v: error %v, want ErrInvalidConfig naming PrometheusRule", bad, err)
		}
	}
}

// TestWriteNaming: the UTF-8 namings select the counters by their quoted
// names and labels; an unknown naming is refused.
func TestWriteNaming(t *testing.T) {
	r, _ := sli.NewRatio()
	o, _ := slo.New(slo.Config{Name: "checkout", SLI: r, Target: 0.99})
	reg, _ := slo.NewRegistry(o)
	var buf bytes.Buffer
	if err := promrules.Write(&buf, reg, promrules.Config{Naming: promrules.UTF8WithSuffixes, By: []string{"job"}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`sum by (\"nines.slo.name\", \"nines.slo.service\", job) (increase({\"nines.slo.events.valid_total\",\"nines.slo.name\"=\"checkout\"}[5m]))`,
		"          \"nines.slo.name\": \"checkout\"\n",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("rules lack\n%s\n--- rules:\n%s", want, buf.String())
		}
	}
	if err := promrules.Write(io.Discard, reg, promrules.Config{Naming: 7}); !errors.Is(err, promrules.ErrInvalidConfig) {
		t.Errorf("Naming 7: error %v, want ErrInvalidConfig", err)
	}
}

// promDuration reads a PromQL duration of one unit ("5m", "30d").
func promDuration(s string) (time.Duration, bool) {
	units := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	if len(s) < 2 || units[s[len(s)-1]] == 0 {
		return 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	return time.Duration(n) * units[s[len(s)-1]], err == nil
}

// TestWriteDashboard: the dashboard is a Grafana JSON model with every
// panel of DashboardPanels, its queries on the data source variable, and
// the objectives as a multi-value variable. That each query returns data
// on a real Prometheus is tested in the examples' fleet test.
func TestWriteDashboard(t *testing.T) {
	var buf bytes.Buffer
	if err := promrules.WriteDashboard(&buf, promrules.Config{}); err != nil {
		t.Fatal(err)
	}
	var d struct {
		UID    string
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
		Templating struct {
			List []struct {
				Name  string
				Multi bool
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &d); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	panels, _ := promrules.DashboardPanels(promrules.Config{})
	if d.UID != promrules.DashboardUID || len(d.Panels) != len(panels) || len(d.Panels) < 6 {
		t.Fatalf("uid %q, %d panels, want %q and %d", d.UID, len(d.Panels), promrules.DashboardUID, len(panels))
	}
	for i, p := range d.Panels {
		if p.Title != panels[i].Title || len(p.Targets) != len(panels[i].Queries) || !strings.Contains(p.Targets[0].Expr, `nines_slo_name=~"$objective"`) {
			t.Errorf("panel %d: %+v", i, p)
		}
	}
	if len(d.Templating.List) != 2 || d.Templating.List[1].Name != "objective" || !d.Templating.List[1].Multi {
		t.Errorf("variables %+v", d.Templating.List)
	}
	if err := promrules.WriteDashboard(io.Discard, promrules.Config{Naming: 9}); !errors.Is(err, promrules.ErrInvalidConfig) {
		t.Errorf("a bad naming: %v", err)
	}
}
