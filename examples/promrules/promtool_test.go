package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nines-slo/nines/examples/internal/ci"
	"github.com/nines-slo/nines/exporter/promrules"
	"github.com/nines-slo/nines/internal/demo"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// TestPromtoolCheckRules runs promtool check rules (syntax and lint) on the
// demo service's rules, as this program writes them.
func TestPromtoolCheckRules(t *testing.T) { forEachPromtool(t, testPromtoolCheckRules) }

func testPromtoolCheckRules(t *testing.T, tool ci.Tool) {
	promtool := tool.Path
	svc, err := demo.New()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := promrules.Write(&buf, svc.Registry, promrules.Config{Interval: time.Minute}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "check", "rules", path).CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
}

// minute is one minute of traffic on one replica.
type minute struct{ good, bad int }

// scenario is four days of per-minute traffic on two replicas: replica a
// healthy (0.1% errors) but for an hour's outage (10%) on day 3 and five
// hours at 3% on day 3; replica b always healthy.
func scenario() (a, b []minute) {
	for m := range 4 * 1440 {
		bad := 1
		switch {
		case m >= 2880 && m < 2940:
			bad = 100
		case m >= 3600 && m < 3900:
			bad = 30
		}
		a = append(a, minute{1000 - bad, bad})
		b = append(b, minute{500, 0})
	}
	return a, b
}

// TestPromtoolRulesMatchInProcess feeds the same events to an objective
// in process and, as counter series of two replicas, to the generated rules
// under promtool test rules, and asserts at a dozen times across an outage
// and a slow burn that the rules' SLI, event counts, burn rates, budget and
// firing alerts (burn-rate and exhaustion rules) are the in-process ones.
func TestPromtoolRulesMatchInProcess(t *testing.T) {
	forEachPromtool(t, testPromtoolRulesMatchInProcess)
}

func testPromtoolRulesMatchInProcess(t *testing.T, tool ci.Tool) {
	promtool := tool.Path
	t0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	now := t0
	clock := func() time.Time { return now }
	ratio, err := sli.NewRatio(sli.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	// The default rules, and an exhaustion rule: page when the budget left
	// is gone within two days at the last hour's rate (a threshold of 3.5
	// times the budget left: the outage's hour only).
	exhaust := slo.AlertRule{Name: "exhaust-2d", Severity: slo.Page, Long: time.Hour, Short: 5 * time.Minute, Exhaustion: 48 * time.Hour}
	o, rules := rulesOf(t, slo.Config{Name: "checkout", SLI: ratio, Target: 0.99, Window: slo.Rolling(7 * 24 * time.Hour),
		Metadata: slo.Metadata{Service: "shop", Owner: "team-payments"}, Alerts: append(slo.DefaultAlerts(), exhaust)}, clock)

	// Counter series: the sample at minute m counts the events of minutes
	// before it; in process, minute m's events happen half a minute before
	// the sample that first counts them.
	a, b := scenario()
	series := func(traffic []minute, good bool) string {
		var sb strings.Builder
		total := 0
		sb.WriteString("0")
		for _, mt := range traffic {
			total += mt.good
			if !good {
				total += mt.bad
			}
			sb.WriteString(" " + strconv.Itoa(total))
		}
		return sb.String()
	}
	record := func(m int, mt minute) {
		for range mt.good {
			ratio.RecordAt(t0.Add(time.Duration(m)*time.Minute+30*time.Second), sli.Good)
		}
		for range mt.bad {
			ratio.RecordAt(t0.Add(time.Duration(m)*time.Minute+30*time.Second), sli.Bad)
		}
	}

	const maxPerQuarter = 2 * 7.5 * 1500
	evalMinutes := []int{60, 2870, 2885, 2900, 2939, 2945, 2960, 3000, 3300, 3700, 3905, 4000, 5000, 5760}
	var tests strings.Builder
	fmt.Fprintf(&tests, "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n")
	sel := `nines_slo_name="checkout",nines_slo_service="shop"`
	// The records keep the labels the replicas share (job), and sum away
	// the one that tells them apart (instance).
	kept := sel + `,job="shop"`
	for _, r := range []struct {
		instance string
		traffic  []minute
	}{{"a", a}, {"b", b}} {
		fmt.Fprintf(&tests, "      - series: '%s{%s,instance=%q,job=\"shop\"}'\n        values: '%s'\n", "nines_slo_events_good_total", sel, r.instance, series(r.traffic, true))
		fmt.Fprintf(&tests, "      - series: '%s{%s,instance=%q,job=\"shop\"}'\n        values: '%s'\n", "nines_slo_events_valid_total", sel, r.instance, series(r.traffic, false))
	}
	fmt.Fprintf(&tests, "    promql_expr_test:\n")
	recorded := 0
	firingSeen := map[string]bool{}
	for _, em := range evalMinutes {
		now = t0.Add(time.Duration(em) * time.Minute)
		for ; recorded < em; recorded++ {
			record(recorded, a[recorded])
			record(recorded, b[recorded])
		}
		s, err := o.Status()
		if err != nil {
			t.Fatal(err)
		}
		evalAt := fmt.Sprintf("%dm", em)
		exact := func(record string, v float64) {
			fmt.Fprintf(&tests, "      - expr: '%s{%s}'\n        eval_time: %s\n        exp_samples:\n          - labels: '%s{%s}'\n            value: %s\n",
				record, sel, evalAt, record, kept, strconv.FormatFloat(v, 'g', -1, 64))
		}
		// Floating-point arithmetic in another order: equal to 1e-9.
		close := func(expr string, v float64) {
			fmt.Fprintf(&tests, "      - expr: 'abs(%s - %s) < bool 1e-9'\n        eval_time: %s\n        exp_samples:\n          - labels: '{%s}'\n            value: 1\n",
				expr, strconv.FormatFloat(v, 'g', -1, 64), evalAt, kept)
		}
		// bounded checks what the in-process storage can only bound: a
		// window older than 6 h 30 m at its far edge has that edge in
		// 15-minute cells, rounded to the nearest boundary, so in process
		// it may hold up to 7.5 minutes (at most 2 × 7.5 × 1500 events
		// here) more or less than the rules' exact range.
		bounded := func(record string, v float64) {
			fmt.Fprintf(&tests, "      - expr: '(%s{%s} <= bool %s) * (%s{%s} >= bool %s)'\n        eval_time: %s\n        exp_samples:\n          - labels: '{%s}'\n            value: 1\n",
				record, sel, strconv.FormatFloat(v+maxPerQuarter, 'g', -1, 64), record, sel, strconv.FormatFloat(v-maxPerQuarter, 'g', -1, 64), evalAt, kept)
		}
		// near checks, on Prometheus 3, what its left-open ranges let the
		// rules compute over the counters: a range of a window's length
		// holds one sample fewer than on Prometheus 2, and increase()
		// extrapolates the rest to the whole range, so that the hour is
		// within 0.5% of the events in process. Shorter windows are left
		// to the alerts check.
		near := func(record string, v float64) {
			fmt.Fprintf(&tests, "      - expr: 'abs(%s{%s} - %s) <= bool %s'\n        eval_time: %s\n        exp_samples:\n          - labels: '{%s}'\n            value: 1\n",
				record, sel, strconv.FormatFloat(v, 'g', -1, 64), strconv.FormatFloat(0.005*v, 'g', -1, 64), evalAt, kept)
		}
		for _, br := range append(s.BurnRates, slo.BurnRate{Window: 7 * 24 * time.Hour, Good: s.Good, Valid: s.Valid}) {
			// A window longer than an hour sums the recorded step, the
			// events between evaluations: exact on both versions. One up
			// to an hour is an increase() over the counters, which
			// Prometheus 3 extrapolates.
			if tool.Version == "3" && br.Window <= promrules.MaxRawRange {
				if br.Window == time.Hour {
					near(promrules.RecordName("good", br.Window), br.Good)
					near(promrules.RecordName("valid", br.Window), br.Valid)
				}
				continue
			}
			if br.Window > 6*time.Hour+30*time.Minute && em%15 != 0 && em > int(br.Window/time.Minute) {
				bounded(promrules.RecordName("good", br.Window), br.Good)
				bounded(promrules.RecordName("valid", br.Window), br.Valid)
				continue
			}
			exact(promrules.RecordName("good", br.Window), br.Good)
			exact(promrules.RecordName("valid", br.Window), br.Valid)
			exact(promrules.RecordName("sli", br.Window), br.Good/br.Valid)
			if br.Window != 7*24*time.Hour {
				close(promrules.RecordName("burn_rate", br.Window)+"{"+sel+"}", br.Rate)
			}
		}
		left, err := s.Remaining()
		if err != nil {
			t.Fatal(err)
		}
		close(promrules.BudgetRecord+"{"+sel+"}", left)
		// Firing alerts: the ALERTS series of the rules, against Status.
		fmt.Fprintf(&tests, "      - expr: 'ALERTS{alertstate=\"firing\"}'\n        eval_time: %s\n        exp_samples:\n", evalAt)
		n := 0
		for _, al := range s.Alerts {
			if !al.Firing {
				continue
			}
			n++
			firingSeen[al.Rule.Name] = true
			fmt.Fprintf(&tests, "          - labels: 'ALERTS{alertname=%q,alertstate=\"firing\",%s,nines_slo_alert=%q,owner=\"team-payments\",severity=%q}'\n            value: 1\n",
				promrules.AlertName, kept, al.Rule.Name, al.Rule.Severity.String())
		}
		if n == 0 {
			// An empty list: no alert fires.
			s := tests.String()
			tests.Reset()
			tests.WriteString(strings.TrimSuffix(s, "        exp_samples:\n") + "        exp_samples: []\n")
		}
	}
	for _, rule := range []string{"page-1h", "page-6h", "ticket-3d", "exhaust-2d"} {
		if !firingSeen[rule] {
			t.Errorf("%s never fires in process: the scenario does not exercise it", rule)
		}
	}

	promtoolTest(t, promtool, rules.Bytes(), tests.String())
}

// TestPromtoolRulesKeepServicesApart: two services (jobs) with an
// objective of the same name and no Service set, one all good and one
// failing half its requests, each on two replicas. The default rules give
// each job its own SLI and alerts, never one SLI of the two; a Selector and
// By pick one deployment out of a backend holding two namespaces.
func TestPromtoolRulesKeepServicesApart(t *testing.T) {
	forEachPromtool(t, testPromtoolRulesKeepServicesApart)
}

func testPromtoolRulesKeepServicesApart(t *testing.T, tool ci.Tool) {
	promtool := tool.Path
	reg := oneObjective(t, slo.Config{Name: "GET /healthz availability", Target: 0.99})
	// Two hours of counters a minute apart: per replica and minute, 100
	// requests; job web fails half of them.
	var input strings.Builder
	for _, ns := range []string{"prod", "staging"} {
		for _, job := range []string{"api", "web"} {
			for _, inst := range []string{"a", "b"} {
				var good, valid strings.Builder
				for m := range 121 {
					g := 100 * m
					if job == "web" {
						g = 50 * m
					}
					fmt.Fprintf(&good, " %d", g)
					fmt.Fprintf(&valid, " %d", 100*m)
				}
				labels := fmt.Sprintf(`nines_slo_name="GET /healthz availability",job=%q,namespace=%q,instance="%s-%s:8080"`, job, ns, job, inst)
				fmt.Fprintf(&input, "      - series: '%s{%s}'\n        values: '%s'\n", "nines_slo_events_good_total", labels, strings.TrimSpace(good.String()))
				fmt.Fprintf(&input, "      - series: '%s{%s}'\n        values: '%s'\n", "nines_slo_events_valid_total", labels, strings.TrimSpace(valid.String()))
			}
		}
	}
	run := func(t *testing.T, c promrules.Config, checks string) {
		t.Helper()
		var rules bytes.Buffer
		if err := promrules.Write(&rules, reg, c); err != nil {
			t.Fatal(err)
		}
		tests := "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n" + input.String() + "    promql_expr_test:\n" + checks
		promtoolTest(t, promtool, rules.Bytes(), tests)
	}
	name := `nines_slo_name="GET /healthz availability"`
	sample := func(labels string, v string) string {
		return fmt.Sprintf("          - labels: '%s'\n            value: %s\n", labels, v)
	}
	t.Run("default", func(t *testing.T) {
		checks := "      - expr: '" + promrules.RecordName("sli", time.Hour) + "{" + name + "}'\n        eval_time: 120m\n        exp_samples:\n"
		for _, ns := range []string{"prod", "staging"} {
			checks += sample(fmt.Sprintf(`%s{%s,job="api",namespace=%q}`, promrules.RecordName("sli", time.Hour), name, ns), "1")
			checks += sample(fmt.Sprintf(`%s{%s,job="web",namespace=%q}`, promrules.RecordName("sli", time.Hour), name, ns), "0.5")
		}
		// The 5-minute events of one job: two replicas' 1000 requests.
		checks += "      - expr: '" + promrules.RecordName("valid", 5*time.Minute) + `{` + name + `,job="api",namespace="prod"}'` + "\n        eval_time: 120m\n        exp_samples:\n"
		checks += sample(fmt.Sprintf(`%s{%s,job="api",namespace="prod"}`, promrules.RecordName("valid", 5*time.Minute), name), "1000")
		// The page alerts fire for web alone, in both namespaces.
		checks += "      - expr: 'count by (job) (ALERTS{alertstate=\"firing\",nines_slo_alert=\"page-1h\"})'\n        eval_time: 120m\n        exp_samples:\n"
		checks += sample(`{job="web"}`, "2")
		run(t, promrules.Config{}, checks)
	})
	t.Run("selector and by", func(t *testing.T) {
		checks := "      - expr: '" + promrules.RecordName("sli", time.Hour) + "'\n        eval_time: 120m\n        exp_samples:\n"
		checks += sample(fmt.Sprintf(`%s{%s,job="api",namespace="prod"}`, promrules.RecordName("sli", time.Hour), name), "1")
		checks += sample(fmt.Sprintf(`%s{%s,job="web",namespace="prod"}`, promrules.RecordName("sli", time.Hour), name), "0.5")
		run(t, promrules.Config{Selector: `namespace="prod"`, By: []string{"job", "namespace"}}, checks)
	})
}

// TestPromtoolAbsentAndCustomAlertLabels: counters that stop on every
// replica fire the absent-data alert after 15 minutes, not before; the
// alert carries the objective's own labels and annotations (runbook,
// dashboard), as promtool's alert tests check.
func TestPromtoolAbsentAndCustomAlertLabels(t *testing.T) {
	forEachPromtool(t, testPromtoolAbsentAndCustomAlertLabels)
}

func testPromtoolAbsentAndCustomAlertLabels(t *testing.T, tool ci.Tool) {
	promtool := tool.Path
	reg := oneObjective(t, slo.Config{Name: "checkout", Target: 0.99,
		Metadata:         slo.Metadata{Service: "shop", Owner: "team-payments", Runbook: "https://runbooks.example/checkout"},
		AlertLabels:      map[string]string{"tier": "1"},
		AlertAnnotations: map[string]string{"dashboard": "https://grafana.example/d/checkout"}})
	var rules bytes.Buffer
	if err := promrules.Write(&rules, reg, promrules.Config{}); err != nil {
		t.Fatal(err)
	}
	// 30 minutes of counters, then none.
	var values strings.Builder
	for m := range 31 {
		fmt.Fprintf(&values, "%d ", 100*m)
	}
	values.WriteString("_x60")
	labels := `nines_slo_name="checkout",nines_slo_service="shop",job="shop",instance="a:8080"`
	absent := fmt.Sprintf(`
      - eval_time: %%s
        alertname: %s
        exp_alerts:%%s`, promrules.AbsentAlertName)
	firing := `
          - exp_labels:
              nines_slo_name: checkout
              nines_slo_service: shop
              severity: ticket
              owner: team-payments
              tier: "1"
            exp_annotations:
              summary: checkout has no event counters
              description: "No replica has reported nines_slo_events_valid_total for checkout for 15m: its SLO and alerts cannot be computed."
              runbook_url: https://runbooks.example/checkout
              dashboard: https://grafana.example/d/checkout`
	tests := "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n" +
		fmt.Sprintf("      - series: 'nines_slo_events_good_total{%s}'\n        values: '%s'\n", labels, values.String()) +
		fmt.Sprintf("      - series: 'nines_slo_events_valid_total{%s}'\n        values: '%s'\n", labels, values.String()) +
		"    alert_rule_test:" +
		fmt.Sprintf(absent, "20m", " []") + // data
		fmt.Sprintf(absent, "40m", " []") + // gone for 10 minutes (staleness: 5 of them still see it)
		fmt.Sprintf(absent, "60m", firing) + "\n"
	promtoolTest(t, promtool, rules.Bytes(), tests)
}

// forEachPromtool runs test against Debian's promtool 2.x and against
// Prometheus 3's, whose range selectors leave out the sample at the
// range's start.
func forEachPromtool(t *testing.T, test func(*testing.T, ci.Tool)) {
	for _, tool := range ci.Promtools(t) {
		t.Run("prometheus-"+tool.Version, func(t *testing.T) { test(t, tool) })
	}
}

// TestPromtoolUTF8Naming: for a Prometheus 3 whose OTLP receiver keeps
// OpenTelemetry's names (nines.slo.events.valid_total, or without the
// suffix), the rules read those names and compute the same SLI, a
// half-failing objective's 0.5. Prometheus 2 has no such names.
func TestPromtoolUTF8Naming(t *testing.T) {
	tools := ci.Promtools(t)
	promtool := tools[len(tools)-1]
	if promtool.Version != "3" {
		t.Fatalf("the last promtool is version %s, want 3", promtool.Version)
	}
	reg := oneObjective(t, slo.Config{Name: "checkout", Target: 0.99, Metadata: slo.Metadata{Service: "shop"}})
	for _, tt := range []struct {
		naming      promrules.Naming
		good, valid string
	}{
		{promrules.UTF8WithSuffixes, "nines.slo.events.good_total", "nines.slo.events.valid_total"},
		{promrules.UTF8, "nines.slo.events.good", "nines.slo.events.valid"},
	} {
		t.Run(tt.valid, func(t *testing.T) {
			var rules bytes.Buffer
			if err := promrules.Write(&rules, reg, promrules.Config{Naming: tt.naming}); err != nil {
				t.Fatal(err)
			}
			var good, valid strings.Builder
			for m := range 121 {
				fmt.Fprintf(&good, "%d ", 50*m)
				fmt.Fprintf(&valid, "%d ", 100*m)
			}
			labels := `"nines.slo.name"="checkout","nines.slo.service"="shop",job="shop",instance="a:8080"`
			sli := promrules.RecordName("sli", time.Hour)
			tests := "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n" +
				fmt.Sprintf("      - series: '{%q,%s}'\n        values: '%s'\n", tt.good, labels, good.String()) +
				fmt.Sprintf("      - series: '{%q,%s}'\n        values: '%s'\n", tt.valid, labels, valid.String()) +
				"    promql_expr_test:\n" +
				fmt.Sprintf("      - expr: '%s{\"nines.slo.name\"=\"checkout\"}'\n        eval_time: 120m\n        exp_samples:\n", sli) +
				fmt.Sprintf("          - labels: '{__name__=%q,\"nines.slo.name\"=\"checkout\",\"nines.slo.service\"=\"shop\",job=\"shop\"}'\n            value: 0.5\n", sli) +
				"    alert_rule_test:\n      - eval_time: 120m\n        alertname: " + promrules.AbsentAlertName + "\n        exp_alerts: []\n"
			promtoolTest(t, promtool.Path, rules.Bytes(), tests)
		})
	}
}

// promtoolTest checks rules with promtool check rules, then runs the
// rule tests tests (a promtool test file naming rules.yml) on them.
func promtoolTest(t *testing.T, promtool string, rules []byte, tests string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), rules, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tests.yml"), []byte(tests), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"check", "rules", "rules.yml"}, {"test", "rules", "tests.yml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			if len(out) > 400000 {
				out = append(out[:400000], "…"...)
			}
			t.Fatalf("promtool %v: %v\n%s", args, err, out)
		}
	}
}

// rulesOf returns the objective c declares, on clock, and the rules
// promrules writes for it.
func rulesOf(t *testing.T, c slo.Config, clock func() time.Time) (*slo.Objective, *bytes.Buffer) {
	t.Helper()
	o, err := slo.New(c, slo.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := slo.NewRegistry(o)
	var rules bytes.Buffer
	if err := promrules.Write(&rules, reg, promrules.Config{}); err != nil {
		t.Fatal(err)
	}
	return o, &rules
}

// oneObjective returns a registry of the objective c declares, over a
// ratio SLI of its own.
func oneObjective(t *testing.T, c slo.Config) *slo.Registry {
	t.Helper()
	r, err := sli.NewRatio()
	if err != nil {
		t.Fatal(err)
	}
	c.SLI = r
	o, err := slo.New(c)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := slo.NewRegistry(o)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestPromtoolExhaustionFollowsTheBudget: an exhaustion rule's threshold
// falls with the budget left, in the rules as in process. Two days at a
// burn rate of 0.7 leave 30% of a 7-day budget (threshold 0.3 × 3.5 =
// 1.05: quiet); an hour at 2 then spends what is left within two days
// (threshold 0.27 × 3.5 = 0.96), which an untouched budget's threshold,
// 3.5, would not see.
func TestPromtoolExhaustionFollowsTheBudget(t *testing.T) {
	forEachPromtool(t, testPromtoolExhaustionFollowsTheBudget)
}

func testPromtoolExhaustionFollowsTheBudget(t *testing.T, tool ci.Tool) {
	t0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	now := t0
	clock := func() time.Time { return now }
	ratio, _ := sli.NewRatio(sli.WithClock(clock))
	rule := slo.AlertRule{Name: "exhaust-2d", Severity: slo.Page, Long: time.Hour, Short: 5 * time.Minute, Exhaustion: 48 * time.Hour}
	o, rules := rulesOf(t, slo.Config{Name: "checkout", SLI: ratio, Target: 0.99, Window: slo.Rolling(7 * 24 * time.Hour),
		Alerts: []slo.AlertRule{rule}}, clock)
	// 1000 events a minute: 7 bad for two days, then 20 bad for an hour.
	const minutes = 2*1440 + 60
	now = t0.Add(minutes * time.Minute) // events are recorded at their own, past, times
	var good, valid strings.Builder
	g, v := 0, 0
	good.WriteString("0")
	valid.WriteString("0")
	for m := range minutes {
		bad := 7
		if m >= 2*1440 {
			bad = 20
		}
		for range 1000 - bad {
			ratio.RecordAt(t0.Add(time.Duration(m)*time.Minute+30*time.Second), sli.Good)
		}
		for range bad {
			ratio.RecordAt(t0.Add(time.Duration(m)*time.Minute+30*time.Second), sli.Bad)
		}
		g, v = g+1000-bad, v+1000
		fmt.Fprintf(&good, " %d", g)
		fmt.Fprintf(&valid, " %d", v)
	}
	check := func(at int) (firing bool, threshold float64) {
		s, err := o.StatusAt(t0.Add(time.Duration(at) * time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		return s.Alerts[0].Firing, s.Alerts[0].Threshold
	}
	before, _ := check(2 * 1440)
	after, threshold := check(minutes)
	if before || !after || threshold > 1 {
		t.Fatalf("in process: firing %v before the hour, %v after it (threshold %v); want false, true (0.96)", before, after, threshold)
	}
	labels := `nines_slo_name="checkout",job="shop",instance="a:8080"`
	alert := `
      - eval_time: %s
        alertname: ` + promrules.AlertName + `
        exp_alerts:%s`
	firing := `
          - exp_labels:
              nines_slo_name: checkout
              job: shop
              severity: page
              nines_slo_alert: exhaust-2d
            exp_annotations:
              summary: checkout runs out of error budget within 2d
              description: "At the burn rates over 1h and 5m, the budget left is spent within 2d (target 0.99 over 7d)."`
	tests := "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n" +
		fmt.Sprintf("      - series: 'nines_slo_events_good_total{%s}'\n        values: '%s'\n", labels, good.String()) +
		fmt.Sprintf("      - series: 'nines_slo_events_valid_total{%s}'\n        values: '%s'\n", labels, valid.String()) +
		"    alert_rule_test:" +
		fmt.Sprintf(alert, fmt.Sprintf("%dm", 2*1440), " []") +
		fmt.Sprintf(alert, fmt.Sprintf("%dm", minutes), firing) + "\n"
	promtoolTest(t, tool.Path, rules.Bytes(), tests)
}
