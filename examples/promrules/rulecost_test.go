package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nines-slo/nines/examples/internal/ci"
	"github.com/nines-slo/nines/exporter/promrules"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// BenchmarkRuleEvaluation measures what a real Prometheus 3 spends on the
// rules of 100 and 1,000 objectives — 99.9% of requests good over 30 days,
// the ratio of good to valid events, counted by two replicas — in three
// forms, for the same objectives over the same counters: nines'
// (promrules.Write, one group an objective, the windows over an hour
// summing the recorded step), Sloth's (sloth generate, v0.16.0) and
// Pyrra's.
//
// Each objective count gets 12 hours of backfilled history at one sample a
// minute: nines_slo_events_good_total and nines_slo_events_valid_total of
// instances a:8080 and b:8080, job "bench", 10 requests a second each, one
// in a thousand bad; nines_slo_events_bad_total, valid less good, the
// errors counter Pyrra's ratio objectives read; and, as each set would
// have them after a day of running, the records its rules read over long
// ranges: nines' steps (nines_slo:good:step, nines_slo:valid:step), which
// its windows over an hour sum, and Sloth's 5-minute error ratio
// (slo:sli_error:ratio_rate5m), which its 30-day window averages. The
// blocks are written once per objective count and copied for each run. A
// test server goes on counting, and Prometheus scrapes it once a minute,
// so that the short windows hold samples however long after the backfill
// a run starts. Each sub-benchmark checks its rule file with promtool check
// rules, starts Prometheus on the blocks with it (evaluation_interval 1m,
// Prometheus's default, for the groups that set none), waits until every
// recorded name holds a series for each of its rules and every group has
// evaluated once more (twice at least), and reports:
//
//   - s/evaluation: the sum over groups of
//     prometheus_rule_group_last_duration_seconds, what one evaluation of
//     every group took. Groups run concurrently, each at its own offset in
//     its interval, so this is no wall time; on a busy machine it counts
//     waiting too.
//   - s/minute: the same, each group's duration times its evaluations a
//     minute: what a minute of running costs, where the sets' intervals
//     differ (Pyrra's burn rates every 30s).
//   - series: the series the recording rules hold, counted by name over
//     the names the set records (count({__name__=~".+:.+"}) would be
//     wrong: Sloth's sloth_slo_info has no ':', and nines' and Sloth's
//     backfilled records, which have one, would count in every run).
//   - rules (recording and alerting) and groups, as Prometheus loaded them.
//
// Per objective: nines, 1 group (1m) of 35 rules: the step of good and
// valid events, their increases, the SLI and the burn rate over 5m, 30m,
// 1h (increase of the counters), 6h, 1d, 3d and 30d (sums of the step),
// the budget left, three burn-rate alerts and one for absent counters.
// Sloth, 3 groups (the global 1m) of 17: the error ratio over 5m, 30m, 1h,
// 2h, 6h, 1d, 3d (rates of the counters) and 30d (the average of the 5m
// ratio), 7 metadata records, a page and a ticket alert. Pyrra, 2 groups of
// 15: every 2m30s, the increase over 30d of the valid and of the bad
// counter and an absent alert for each; every 30s, the burn rate over 5m,
// 32m, 1h4m, 2h9m, 6h26m, 1d1h43m and 4d6h51m (rates of the counters) and
// four burn-rate alerts. Sloth's rules are its own output, for a
// prometheus/v1 spec of one service with an SLO an objective (error_query
// valid less good over {{.window}}, total_query valid, objective 99.9,
// page and ticket alerts as it defaults), run as $SLOTH, sloth on the PATH
// or go run github.com/slok/sloth/cmd/sloth@v0.16.0 (none skips the
// benchmark; fails it under CI=true). Pyrra's module cannot be had here
// (it is not on the Go module proxy), so pyrraRules writes its rules by
// hand, checked against Pyrra's generator (see pyrraRules).
//
// On a 2-core machine shared with other benchmarks, one round each:
//
//	                             s/evaluation  s/minute  series  rules  groups
//	objectives=100/rules=nines           0.70      0.70     3100   3500     100
//	objectives=100/rules=sloth           0.91      0.91     1500   1700     300
//	objectives=100/rules=pyrra           0.77      1.19      900   1500     200
//	objectives=1000/rules=nines          9.65      9.65    31000  35000    1000
//	objectives=1000/rules=sloth         10.6      10.6     15000  17000    3000
//	objectives=1000/rules=pyrra          7.00     10.9      9000  15000    2000
//
// (The whole run took 25 minutes. An earlier round: nines 0.92 and 10.3
// s/evaluation, Sloth 0.89 and 9.29, Pyrra 0.69 and 6.90.)
//
// The ranges over raw counters (nines' up to an hour, Sloth's up to 3
// days, all of Pyrra's, 30 days included) cost in proportion to the
// samples they span, which grow with the history (up to the window), the
// replicas and the scrape rate; the ranges over records (nines' longer
// windows, Sloth's 30 days) with the history and the evaluation interval
// alone. Twelve hours of two replicas scraped once a minute are 1/2,400 of
// the samples of 30 days of ten replicas scraped every 15 seconds, so these
// figures understate most the longest windows over raw counters. Run it
// with -benchtime 1x (about 25 minutes; one objective count with -bench
// 'RuleEvaluation/objectives=100$'):
//
//	go test ./promrules -run '^$' -bench RuleEvaluation -benchtime 1x -timeout 60m
func BenchmarkRuleEvaluation(b *testing.B) {
	tools := ci.Prometheuses(b)
	server := tools[len(tools)-1]
	promtool := ci.Promtools(b)[len(tools)-1].Path
	sloth := slothCommand(b)
	const history = 12 * time.Hour
	for _, objectives := range []int{100, 1000} {
		b.Run(fmt.Sprintf("objectives=%d", objectives), func(b *testing.B) {
			dir := b.TempDir()
			sets := []struct {
				name  string
				rules []byte
			}{
				{"nines", ninesRules(b, objectives)},
				{"sloth", slothRules(b, sloth, dir, objectives)},
				{"pyrra", pyrraRules(objectives)},
			}
			for _, s := range sets {
				checkRules(b, promtool, filepath.Join(dir, s.name+".yml"), s.rules)
			}
			blocks := filepath.Join(dir, "data")
			end := time.Now().Truncate(time.Minute)
			backfill(b, promtool, dir, blocks, objectives, history, end)
			target := replicaServer(b, objectives, history, end)
			for _, s := range sets {
				b.Run("rules="+s.name, func(b *testing.B) {
					var sum cost
					for b.Loop() {
						c := evaluate(b, server, blocks, target, s.rules)
						sum.seconds += c.seconds
						sum.perMinute += c.perMinute
						sum.series += c.series
						sum.rules += c.rules
						sum.groups += c.groups
					}
					n := float64(b.N)
					b.ReportMetric(sum.seconds/n, "s/evaluation")
					b.ReportMetric(sum.perMinute/n, "s/minute")
					b.ReportMetric(float64(sum.series)/n, "series")
					b.ReportMetric(float64(sum.rules)/n, "rules")
					b.ReportMetric(float64(sum.groups)/n, "groups")
				})
			}
		})
	}
}

// benchObjective is the name of the i-th objective of the benchmark, and
// benchMatchers the label matchers of its counters.
func benchObjective(i int) string { return fmt.Sprintf("objective-%04d", i) }

func benchMatchers(i int) string {
	return fmt.Sprintf(`nines_slo_name=%q,nines_slo_service="bench"`, benchObjective(i))
}

// ninesRules returns nines' rules for the objectives, as promrules.Write
// writes them by default.
func ninesRules(tb testing.TB, objectives int) []byte {
	reg, err := slo.NewRegistry()
	if err != nil {
		tb.Fatal(err)
	}
	for i := range objectives {
		r, _ := sli.NewRatio()
		o, err := slo.New(slo.Config{Name: benchObjective(i), SLI: r, Target: 0.999, Metadata: slo.Metadata{Service: "bench"}})
		if err != nil {
			tb.Fatal(err)
		}
		if err := reg.Add(o); err != nil {
			tb.Fatal(err)
		}
	}
	var rules bytes.Buffer
	if err := promrules.Write(&rules, reg, promrules.Config{}); err != nil {
		tb.Fatal(err)
	}
	return rules.Bytes()
}

// slothModule is the Sloth release the benchmark compares with, when no
// sloth is installed.
const slothModule = "github.com/slok/sloth/cmd/sloth@v0.16.0"

// slothCommand returns the command that runs Sloth: $SLOTH, sloth on the
// PATH, or go run of slothModule. One that does not run skips the test
// (fails it under CI=true).
func slothCommand(tb testing.TB) []string {
	tb.Helper()
	var cmd []string
	if s := os.Getenv("SLOTH"); s != "" {
		cmd = []string{s}
	} else if p, err := exec.LookPath("sloth"); err == nil {
		cmd = []string{p}
	} else if g, err := exec.LookPath("go"); err == nil {
		cmd = []string{g, "run", slothModule}
	}
	msg := "sloth not found: set SLOTH, put sloth on the PATH, or let go run " + slothModule + " reach the module proxy"
	if cmd != nil {
		out, err := exec.Command(cmd[0], append(cmd[1:], "version")...).CombinedOutput()
		if err == nil {
			tb.Logf("sloth: %s (version %s)", strings.Join(cmd, " "), lastLine(out))
			return cmd
		}
		msg = fmt.Sprintf("%s version: %v\n%s", strings.Join(cmd, " "), err, out)
	}
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return nil
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// slothRules returns Sloth's rules for the objectives: one prometheus/v1
// service, bench, with an SLO an objective over nines' counters, page and
// ticket alerts as Sloth defaults them, for its default 30-day period.
func slothRules(tb testing.TB, sloth []string, dir string, objectives int) []byte {
	var spec strings.Builder
	spec.WriteString("version: \"prometheus/v1\"\nservice: \"bench\"\nslos:\n")
	for i := range objectives {
		m := benchMatchers(i)
		valid := fmt.Sprintf("sum(rate(nines_slo_events_valid_total{%s}[{{.window}}]))", m)
		good := fmt.Sprintf("sum(rate(nines_slo_events_good_total{%s}[{{.window}}]))", m)
		fmt.Fprintf(&spec, "  - name: %q\n    objective: 99.9\n    sli:\n      events:\n        error_query: %s\n        total_query: %s\n    alerting:\n      name: HighErrorRate\n",
			benchObjective(i), strconv.Quote(valid+" - "+good), strconv.Quote(valid))
	}
	in, out := filepath.Join(dir, "sloth-spec.yml"), filepath.Join(dir, "sloth-rules.yml")
	if err := os.WriteFile(in, []byte(spec.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	args := append(sloth[1:], "generate", "--no-log", "--default-slo-period=30d", "-i", in, "-o", out)
	if msg, err := exec.Command(sloth[0], args...).CombinedOutput(); err != nil {
		tb.Fatalf("sloth generate: %v\n%s", err, msg)
	}
	rules, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return rules
}

// pyrraWindow is one of Pyrra's multi-window burn-rate alerts: firing,
// after For, when the burn rate over both Short and Long exceeds Factor.
type pyrraWindow struct {
	severity          string
	long, short, four time.Duration // four: the alert's for
	factor            float64
}

// pyrraWindows returns the burn-rate alerts Pyrra gives an objective over
// window. Pyrra defines them for 28 days — 1h and 5m at 14 times the
// budget's rate for 2m, 6h and 30m at 7 for 15m (critical), 1d and 2h at 2
// for 1h, 4d and 6h at 1 for 3h (warning) — and scales every duration by
// window/28d, rounded to the minute.
func pyrraWindows(window time.Duration) []pyrraWindow {
	const d28 = 28 * 24 * time.Hour
	scale := func(d time.Duration) time.Duration { return (window / (d28 / d)).Round(time.Minute) }
	return []pyrraWindow{
		{"critical", scale(time.Hour), scale(5 * time.Minute), scale(2 * time.Minute), 14},
		{"critical", scale(6 * time.Hour), scale(30 * time.Minute), scale(15 * time.Minute), 7},
		{"warning", scale(24 * time.Hour), scale(2 * time.Hour), scale(time.Hour), 2},
		{"warning", scale(4 * 24 * time.Hour), scale(6 * time.Hour), scale(3 * time.Hour), 1},
	}
}

// promDuration formats d as Prometheus does (its model.Duration): years
// and weeks only when they divide it, then days, hours, minutes, seconds.
func promDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	var s string
	for _, u := range []struct {
		unit  string
		d     time.Duration
		exact bool
	}{{"y", 365 * 24 * time.Hour, true}, {"w", 7 * 24 * time.Hour, true}, {"d", 24 * time.Hour, false},
		{"h", time.Hour, false}, {"m", time.Minute, false}, {"s", time.Second, false}, {"ms", time.Millisecond, false}} {
		if u.exact && d%u.d != 0 {
			continue
		}
		if n := d / u.d; n > 0 {
			s += strconv.FormatInt(int64(n), 10) + u.unit
			d -= n * u.d
		}
	}
	return s
}

// pyrraRules returns, hand-written (Pyrra cannot be installed here) from
// what Pyrra's documentation and rule generator produce for a ratio
// objective of 99.9% over 30d without grouping, with errors
// nines_slo_events_bad_total and total nines_slo_events_valid_total of
// the objective's matchers, the rules of every objective, in two groups
// an objective, as "pyrra generate" writes them (no generic rules, its
// default):
//
//   - <name>-increase, every 2m30s (Pyrra's interval for windows of 4 to 5
//     weeks): nines_slo_events_valid:increase30d and
//     nines_slo_events_bad:increase30d, sum(increase(…[30d])) of each
//     counter, and an SLOMetricAbsent alert (critical) for each counter,
//     for the time the fastest alert's long window takes to burn at a
//     100% error rate plus its for (3m);
//   - <name>, every 30s: the burn rate over each window of pyrraWindows,
//     nines_slo_events_valid:burnrate<w> =
//     sum(rate(errors[w])) / sum(rate(total[w])) over 5m, 32m, 1h4m, 2h9m,
//     6h26m, 1d1h43m and 4d6h51m, and one ErrorBudgetBurn alert a window
//     pair: both burn rates above factor × (1-0.999), labelled with its
//     windows, severity and the time to exhaust the budget at its factor.
//
// Rules carry the label slo and the objective's equality matchers.
//
// Checked (2026-12-03) against Pyrra's generator in its repository,
// slo/rules.go: Windows (the windows and fors, each rounded to the
// minute), Burnrates (the 30s group, its expressions and alert labels),
// IncreaseRules (the interval, 150s for windows of 28 to 35 days, and the
// order: total's increase and absent alert, then the errors'), and
// AbsentDuration in slo/slo.go. Pyrra's optional generic rules
// (pyrra_availability and the like, off unless asked for) are left out.
func pyrraRules(objectives int) []byte {
	const (
		window = 30 * 24 * time.Hour
		target = 0.999
		total  = "nines_slo_events_valid_total"
		errors = "nines_slo_events_bad_total"
	)
	ws := pyrraWindows(window)
	var rates []time.Duration
	for _, w := range ws {
		rates = append(rates, w.long, w.short)
	}
	slices.Sort(rates)
	rates = slices.Compact(rates)
	metric := func(name string) string { return strings.TrimSuffix(name, "_total") }
	// Absent alerts wait for the time the most critical alert's long
	// window takes to pass its threshold at a 100% error rate, plus its for.
	first := ws[0]
	absentFor := (time.Duration(first.factor*(1-target)*first.long.Seconds())*time.Second + first.four).Round(time.Minute)
	t := strconv.FormatFloat(target, 'f', -1, 64)

	var b strings.Builder
	b.WriteString("groups:\n")
	rule := func(kind, name, expr, four string, labels map[string]string) {
		fmt.Fprintf(&b, "  - %s: %s\n    expr: %s\n", kind, name, strconv.Quote(expr))
		if four != "" {
			fmt.Fprintf(&b, "    for: %s\n", four)
		}
		b.WriteString("    labels:\n")
		for _, k := range slices.Sorted(maps.Keys(labels)) {
			fmt.Fprintf(&b, "      %s: %s\n", k, strconv.Quote(labels[k]))
		}
	}
	for i := range objectives {
		name, m := benchObjective(i), benchMatchers(i)
		labels := map[string]string{"slo": name, "nines_slo_name": name, "nines_slo_service": "bench"}
		with := func(more ...string) map[string]string {
			l := maps.Clone(labels)
			for j := 0; j < len(more); j += 2 {
				l[more[j]] = more[j+1]
			}
			return l
		}
		fmt.Fprintf(&b, "- name: %s-increase\n  interval: 2m30s\n  rules:\n", name)
		for _, c := range []string{total, errors} {
			rule("record", metric(c)+":increase"+promDuration(window), fmt.Sprintf("sum(increase(%s{%s}[%s]))", c, m, promDuration(window)), "", labels)
			rule("alert", "SLOMetricAbsent", fmt.Sprintf("absent(%s{%s}) == 1", c, m), promDuration(absentFor), with("severity", "critical"))
		}
		fmt.Fprintf(&b, "- name: %s\n  interval: 30s\n  rules:\n", name)
		burnrate := func(w time.Duration) string { return metric(total) + ":burnrate" + promDuration(w) }
		for _, r := range rates {
			d := promDuration(r)
			rule("record", burnrate(r), fmt.Sprintf("sum(rate(%s{%s}[%s])) / sum(rate(%s{%s}[%s]))", errors, m, d, total, m, d), "", labels)
		}
		sel := m + fmt.Sprintf(",slo=%q", name)
		for _, w := range ws {
			threshold := fmt.Sprintf("(%.f * (1-%s))", w.factor, t)
			exhaustion := time.Duration(window.Seconds()/w.factor) * time.Second
			rule("alert", "ErrorBudgetBurn", fmt.Sprintf("%s{%s} > %s and %s{%s} > %s", burnrate(w.short), sel, threshold, burnrate(w.long), sel, threshold),
				w.four.String(), with("severity", w.severity, "short", promDuration(w.short), "long", promDuration(w.long), "exhaustion", promDuration(exhaustion)))
		}
	}
	return []byte(b.String())
}

// TestPeerRulesCheck checks the Pyrra-style rules the benchmark compares
// with: the windows for 28 days are the ones Pyrra documents, and the
// rules of three objectives pass promtool check rules.
func TestPeerRulesCheck(t *testing.T) {
	var got []string
	for _, w := range append(pyrraWindows(28*24*time.Hour), pyrraWindows(30*24*time.Hour)...) {
		got = append(got, fmt.Sprintf("%s %s/%s>%v for %s", w.severity, promDuration(w.long), promDuration(w.short), w.factor, promDuration(w.four)))
	}
	want := []string{
		"critical 1h/5m>14 for 2m", "critical 6h/30m>7 for 15m", "warning 1d/2h>2 for 1h", "warning 4d/6h>1 for 3h",
		"critical 1h4m/5m>14 for 2m", "critical 6h26m/32m>7 for 16m", "warning 1d1h43m/2h9m>2 for 1h4m", "warning 4d6h51m/6h26m>1 for 3h13m",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Pyrra's windows for 28d and 30d:\n got %q\nwant %q", got, want)
	}
	rules := pyrraRules(3)
	if n := bytes.Count(rules, []byte("  - record: ")) + bytes.Count(rules, []byte("  - alert: ")); n != 3*15 {
		t.Errorf("%d rules for 3 objectives, want 45", n)
	}
	forEachPromtool(t, func(t *testing.T, tool ci.Tool) {
		checkRules(t, tool.Path, filepath.Join(t.TempDir(), "pyrra.yml"), rules)
	})
}

// checkRules writes rules to path and fails unless promtool check rules
// passes them.
func checkRules(tb testing.TB, promtool, path string, rules []byte) {
	tb.Helper()
	if err := os.WriteFile(path, rules, 0o644); err != nil {
		tb.Fatal(err)
	}
	if out, err := exec.Command(promtool, "check", "rules", path).CombinedOutput(); err != nil {
		tb.Fatalf("promtool check rules %s: %v\n%s", filepath.Base(path), err, out)
	}
}

// events returns the events of one replica by minute m of the history:
// 10 requests a second, one in a thousand bad; kind is "good", "valid" or
// "bad" (valid less good).
func events(kind string, m float64) float64 {
	valid := 600 * m
	bad := math.Floor(valid / 1000)
	switch kind {
	case "good":
		return valid - bad
	case "bad":
		return bad
	}
	return valid
}

// replicas are the instances whose counters the rules sum.
var replicas = []string{"a:8080", "b:8080"}

// backfill writes history up to end, a sample a minute, of the counters of
// every objective (two replicas: good, valid, and bad for Pyrra) and of the
// records the rule sets read over long ranges (nines' steps, Sloth's
// 5-minute error ratio), into TSDB blocks.
func backfill(b *testing.B, promtool, dir, blocks string, objectives int, history time.Duration, end time.Time) {
	path := filepath.Join(dir, "history.om")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	minutes := int(history / time.Minute)
	at := func(m int) int64 { return end.Add(time.Duration(m-minutes) * time.Minute).Unix() }
	for _, kind := range []string{"good", "valid", "bad"} {
		fmt.Fprintf(w, "# TYPE nines_slo_events_%s counter\n", kind)
		for o := range objectives {
			for _, inst := range replicas {
				series := fmt.Sprintf("nines_slo_events_%s_total{%s,job=\"bench\",instance=%q}", kind, benchMatchers(o), inst)
				for m := range minutes {
					fmt.Fprintf(w, "%s %v %d\n", series, events(kind, float64(m)), at(m))
				}
			}
		}
	}
	for _, kind := range []string{"good", "valid"} {
		name := promrules.StepRecordName(kind)
		fmt.Fprintf(w, "# TYPE %s gauge\n", name)
		for o := range objectives {
			series := fmt.Sprintf("%s{%s,job=\"bench\"}", name, benchMatchers(o))
			for m := range minutes {
				// Both replicas' events in the minute before.
				v := float64(len(replicas)) * (events(kind, float64(m)) - events(kind, float64(m-1)))
				fmt.Fprintf(w, "%s %v %d\n", series, v, at(m))
			}
		}
	}
	fmt.Fprintf(w, "# TYPE slo:sli_error:ratio_rate5m gauge\n")
	for o := range objectives {
		name := benchObjective(o)
		series := fmt.Sprintf("slo:sli_error:ratio_rate5m{sloth_id=\"bench-%s\",sloth_service=\"bench\",sloth_slo=%q,sloth_window=\"5m\"}", name, name)
		for m := range minutes {
			fmt.Fprintf(w, "%s 0.001 %d\n", series, at(m))
		}
	}
	fmt.Fprintf(w, "# EOF\n")
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", "-q", path, blocks).CombinedOutput(); err != nil {
		b.Fatalf("backfill: %v\n%s", err, out)
	}
	os.Remove(path)
}

// replicaServer serves, for Prometheus to scrape, the counters of every
// objective as the two replicas would have them now, continuing the
// history that ends at end: labelled with their instance and job, which
// the scrape keeps (honor_labels).
func replicaServer(tb testing.TB, objectives int, history time.Duration, end time.Time) string {
	start := end.Add(-history)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := time.Since(start).Minutes()
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		bw := bufio.NewWriter(w)
		for _, kind := range []string{"good", "valid", "bad"} {
			fmt.Fprintf(bw, "# TYPE nines_slo_events_%s_total counter\n", kind)
			v := events(kind, m)
			for o := range objectives {
				for _, inst := range replicas {
					fmt.Fprintf(bw, "nines_slo_events_%s_total{%s,job=\"bench\",instance=%q} %v\n", kind, benchMatchers(o), inst, v)
				}
			}
		}
		bw.Flush()
	}))
	tb.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// cost is what evaluate measures.
type cost struct {
	seconds               float64 // one evaluation of every group
	perMinute             float64 // every group's evaluations in a minute
	series, rules, groups int
}

// evaluate runs server on a copy of blocks, scraping target once a
// minute, with the rules, until every recorded name holds a series for
// each of its rules and every group has evaluated since, and twice in
// all. It returns the sum over groups of their last evaluation's
// duration, the series the recording rules hold and the rules and groups
// Prometheus loaded.
func evaluate(b *testing.B, server ci.Tool, blocks, target string, rules []byte) cost {
	dir := b.TempDir()
	data := filepath.Join(dir, "data")
	if out, err := exec.Command("cp", "-r", blocks, data).CombinedOutput(); err != nil {
		b.Fatalf("copying the blocks: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), rules, 0o644); err != nil {
		b.Fatal(err)
	}
	config := fmt.Sprintf(`global:
  scrape_interval: 1m
  evaluation_interval: 1m
rule_files: [rules.yml]
scrape_configs:
  - job_name: bench
    honor_labels: true
    static_configs:
      - targets: [%q]
`, target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o644); err != nil {
		b.Fatal(err)
	}
	addr := ci.FreeAddr(b)
	p := ci.Start(b, server.Path, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+data,
		"--web.listen-address="+addr, "--log.level=warn", "--storage.tsdb.retention.time=40d")
	defer p.Cmd.Process.Kill()
	prom := &ci.Prometheus{URL: "http://" + addr}
	// Ready once the configuration, rules included, is loaded.
	ci.Eventually(b, 5*time.Minute, "prometheus ready", func() error {
		_, err := ci.HTTPGet(prom.URL + "/-/ready")
		return err
	})

	var c cost
	body, err := ci.HTTPGet(prom.URL + "/api/v1/rules")
	if err != nil {
		b.Fatal(err)
	}
	var loaded struct {
		Data struct {
			Groups []struct {
				Name, File string
				Interval   float64 // seconds
				Rules      []struct{ Name, Type string }
			}
		}
	}
	if err := json.Unmarshal(body, &loaded); err != nil {
		b.Fatalf("/api/v1/rules: %v", err)
	}
	recorded := map[string]int{}     // recording rules by name
	interval := map[string]float64{} // by the rule_group label of the metrics
	for _, g := range loaded.Data.Groups {
		c.groups++
		interval[g.File+";"+g.Name] = g.Interval
		for _, r := range g.Rules {
			c.rules++
			if r.Type == "recording" {
				recorded[r.Name]++
			}
		}
	}
	inFile := len(regexp.MustCompile(`(?m)^\s*- (record|alert): `).FindAll(rules, -1))
	if c.groups == 0 || c.rules != inFile {
		b.Fatalf("Prometheus loaded %d rules in %d groups, the file has %d", c.rules, c.groups, inFile)
	}

	// The series the recording rules hold, by name: one a rule once the
	// scrapes have filled the shortest windows (two samples in 5m).
	names := slices.Sorted(maps.Keys(recorded))
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	count := fmt.Sprintf("count by (__name__) ({__name__=~%q})", strings.Join(quoted, "|"))
	ci.Eventually(b, 10*time.Minute, "a series for every recording rule", func() error {
		samples, err := prom.Query(count)
		if err != nil {
			return err
		}
		held := map[string]int{}
		c.series = 0
		for _, s := range samples {
			held[s.Labels["__name__"]] = int(s.Value)
			c.series += int(s.Value)
		}
		for _, n := range names {
			if held[n] != recorded[n] {
				return fmt.Errorf("%s: %d series, want one for each of its %d recording rules", n, held[n], recorded[n])
			}
		}
		return nil
	})

	// Then one more evaluation of every group, the second at least: the
	// slowest groups (Pyrra's increases, every 2m30s) take up to an
	// interval more.
	var since map[string]float64
	ci.Eventually(b, 10*time.Minute, "every group evaluated again", func() error {
		body, err := ci.HTTPGet(prom.URL + "/metrics")
		if err != nil {
			return err
		}
		last := groupMetric(body, "prometheus_rule_group_last_duration_seconds")
		iterations := groupMetric(body, "prometheus_rule_group_iterations_total")
		if since == nil {
			since = iterations
		}
		c.seconds, c.perMinute = 0, 0
		done := 0
		for g, d := range last {
			if interval[g] == 0 {
				return fmt.Errorf("group %s: no interval in /api/v1/rules", g)
			}
			c.seconds += d
			c.perMinute += d * 60 / interval[g]
			if d > 0 && iterations[g] >= max(2, since[g]+1) {
				done++
			}
		}
		if done < c.groups {
			return fmt.Errorf("%d of %d groups evaluated again", done, c.groups)
		}
		return nil
	})
	return c
}

// groupMetric returns the values of a rule-group metric in Prometheus's
// text exposition, by rule_group.
func groupMetric(exposition []byte, name string) map[string]float64 {
	values := map[string]float64{}
	prefix := name + `{rule_group="`
	sc := bufio.NewScanner(bytes.NewReader(exposition))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), prefix)
		if !ok {
			continue
		}
		group, rest, ok := strings.Cut(line, `"}`)
		if !ok {
			continue
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64); err == nil {
			values[group] = v
		}
	}
	return values
}
