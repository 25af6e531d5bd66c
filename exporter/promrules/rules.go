package promrules

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nines-slo/nines/budget"
	"github.com/nines-slo/nines/exporter/internal/names"
	"github.com/nines-slo/nines/internal/printable"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// AlertName is the name of every generated burn-rate alerting rule; the
// labels nines_slo_name and nines_slo_alert say which objective and rule
// fired.
const AlertName = "SLOErrorBudgetBurn"

// AbsentAlertName is the name of the alerting rule each objective gets for
// missing data: a ticket when no replica has reported its valid-events
// counter for AbsentFor, which leaves its other rules silent.
const AbsentAlertName = "SLOEventsAbsent"

// AbsentFor is how long the counters must be missing before
// AbsentAlertName fires: long enough for a rollout or a restart.
const AbsentFor = 15 * time.Minute

// ErrInvalidConfig is what Write fails with, wrapped, for a Config it
// cannot write rules for; the message names the field.
var ErrInvalidConfig = errors.New("promrules: invalid config")

// Config adjusts the generated rules; the zero value is the default.
type Config struct {
	// Interval is the rule groups' evaluation interval, at most 30 minutes;
	// zero is DefaultInterval. The rules count on it: windows longer than
	// an hour sum the events they record at every evaluation since the one
	// an interval before.
	Interval time.Duration
	// Selector adds label matchers to every series the rules read, in
	// PromQL's syntax without the braces: `namespace="shop",
	// cluster=~"eu-.*"`. Use it when one backend holds several
	// deployments of the same objectives and a rule file is for one of
	// them. It may not match the objective's own labels (nines_slo_name,
	// nines_slo_service) or the metric name.
	Selector string
	// By lists the labels the rules keep when they sum the replicas'
	// counters, besides the objective's own: each distinct set of their
	// values gets its SLI, burn rates, budget and alerts. Empty (the
	// default) keeps every label but [ReplicaLabels], so that the events of
	// two services (two jobs, namespaces or clusters with objectives of the
	// same name) are never summed together, whatever labels tell them apart
	// in your setup. Name the labels that tell your services apart (job,
	// namespace, cluster) to keep nothing else.
	By []string
	// Naming is how the backend names the counters and their labels:
	// [Underscores] (the default), or Prometheus 3's UTF-8 names when its
	// OTLP receiver keeps them ([UTF8WithSuffixes], [UTF8]).
	Naming Naming
	// PrometheusRule, when set, wraps the rule groups in a Kubernetes
	// PrometheusRule resource (monitoring.coreos.com/v1), for the
	// Prometheus Operator, instead of a plain rule file.
	PrometheusRule *PrometheusRule
	// At is the time whose period length a calendar window's rules use
	// (a rule file cannot follow calendar boundaries, so a calendar window
	// is approximated by a rolling one as long as its period at At); zero
	// is now.
	At time.Time
}

// DefaultInterval is the rule groups' evaluation interval when
// [Config.Interval] is zero.
const DefaultInterval = time.Minute

// MaxRawRange is the longest range the rules read raw counters over: a
// window up to it is an increase() over every replica's counter, one
// longer the sum of recorded increases (see [Write]).
const MaxRawRange = time.Hour

// PrometheusRule names the Kubernetes resource [Config.PrometheusRule]
// writes. Name is required; Labels are the resource's, which the
// Prometheus Operator's ruleSelector picks rules by (release:
// kube-prometheus-stack, say).
type PrometheusRule struct {
	Name, Namespace string
	Labels          map[string]string
}

// check refuses names Kubernetes would not take.
func (k *PrometheusRule) check() error {
	if !dnsName(k.Name, 253, true) {
		return fmt.Errorf("%w: PrometheusRule.Name %q is not a Kubernetes name (lower-case letters, digits, '-' and '.')", ErrInvalidConfig, k.Name)
	}
	if k.Namespace != "" && !dnsName(k.Namespace, 63, false) {
		return fmt.Errorf("%w: PrometheusRule.Namespace %q is not a Kubernetes namespace", ErrInvalidConfig, k.Namespace)
	}
	for key, v := range k.Labels {
		prefix, name, ok := strings.Cut(key, "/")
		if !ok {
			prefix, name = "", key
		}
		if prefix != "" && !dnsName(prefix, 253, true) || !labelValue(name) || name == "" || !labelValue(v) {
			return fmt.Errorf("%w: PrometheusRule.Labels: %q: %q is not a Kubernetes label", ErrInvalidConfig, key, v)
		}
	}
	return nil
}

// dnsName reports whether s is a DNS label (or, with dots, a subdomain)
// of at most max characters, as Kubernetes names are.
func dnsName(s string, max int, dots bool) bool {
	if s == "" || len(s) > max {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" || !dots && part != s || part[0] == '-' || part[len(part)-1] == '-' {
			return false
		}
		for _, c := range part {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// labelValue reports whether s is a Kubernetes label value (or a label
// key's name part): at most 63 letters, digits, '-', '_' and '.', starting
// and ending with a letter or digit, or empty.
func labelValue(s string) bool {
	if len(s) > 63 {
		return false
	}
	for i, c := range s {
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && ((c != '-' && c != '_' && c != '.') || i == 0 || i == len(s)-1) {
			return false
		}
	}
	return true
}

// ReplicaLabels are the labels that tell one replica's counters from
// another's, which the rules sum away unless [Config.By] says what to keep:
// instance, which Prometheus gives every scrape target and its OTLP
// receiver sets from service.instance.id, and pod, which Kubernetes
// service discovery adds.
func ReplicaLabels() []string { return []string{"instance", "pod"} }

// RecordName returns the name of the recording rule that holds kind over
// window w: [RecordName]("sli", time.Hour) is "nines_slo:sli:ratio_1h". Kinds
// are "good" and "valid" (summed increases across the fleet), "sli",
// "burn_rate"; the budget left over the period is "nines_slo:budget_remaining:ratio".
func RecordName(kind string, w time.Duration) string {
	switch kind {
	case "good", "valid":
		return "nines_slo:" + kind + ":increase_" + names.Duration(w)
	}
	return "nines_slo:" + kind + ":ratio_" + names.Duration(w)
}

// StepRecordName returns the name of the recording rule that holds the
// fleet's good or valid events (kind) since the previous evaluation, which
// the windows longer than [MaxRawRange] sum: "nines_slo:good:step".
func StepRecordName(kind string) string { return "nines_slo:" + kind + ":step" }

// BudgetRecord is the recording rule that holds the fraction of the error
// budget left over each objective's period.
const BudgetRecord = "nines_slo:budget_remaining:ratio"

// Write writes a Prometheus rule file (YAML) for r's objectives, one group
// per objective, against the event counters of package
// [github.com/nines-slo/nines/exporter/producer] (nines_slo_events_good_total
// and nines_slo_events_valid_total, labelled nines_slo_name and
// nines_slo_service):
//
//   - recording rules for the fleet's good and valid events (summed
//     increases across every replica), the SLI, and the burn rate over each
//     of slo.BurnWindows(), each alert rule's windows and the objective's
//     period, and the budget left over the period;
//   - one alerting rule (AlertName) per burn-rate alert rule, firing when
//     both its windows burn faster than its threshold and the long window
//     holds its minimum events, with the rule's severity: exactly the
//     in-process condition, with the same numbers;
//   - one alerting rule (AbsentAlertName) for counters gone from every
//     replica.
//
// Every ratio is a ratio of summed increases, so each event weighs the
// same whichever replica saw it; the sums keep the labels that tell
// services apart (see [Config.By]). Only windows up to [MaxRawRange] read
// the replicas' counters; a longer one sums the step ([StepRecordName]),
// the fleet's events since the previous evaluation, which the group
// records at every evaluation, so that a 30-day window reads one recorded
// series at the evaluation's resolution rather than every replica's
// counter at the scrape's, and counts exactly the events between the
// evaluations it spans, on Prometheus 2 and 3 alike. It fails with
// [ErrInvalidConfig] for a Config it cannot use. Objectives whose SLI has
// no event counters (see [github.com/nines-slo/nines/sli.Counted]) get no
// rules; they are listed in a comment. Nor do time-slice objectives
// ([github.com/nines-slo/nines/sli.SliceSource]), listed in another:
// their slices are aligned on the clock and judged on all their events at
// once, which a rule group cannot reproduce — it evaluates at an offset of
// its own within its interval, and increase() extrapolates the samples at
// a slice's edges — so rules would count other slices than the process
// does. Their in-process status is exported (the producer's slice, burn
// rate and alert gauges): alert on nines_slo_alert_firing_ratio.
// Prometheus must retain the longest
// period (30 days by default), beyond its default 15-day retention.
func Write(w io.Writer, r *slo.Registry, c Config) error {
	if r == nil {
		return errors.New("promrules: Write: nil registry")
	}
	at := c.At
	if at.IsZero() {
		at = time.Now()
	}
	sel, err := c.selectors()
	if err != nil {
		return err
	}
	if c.PrometheusRule != nil {
		if err := c.PrometheusRule.check(); err != nil {
			return err
		}
	}
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.Interval < time.Second || c.Interval > 30*time.Minute || c.Interval%time.Second != 0 {
		return fmt.Errorf("%w: Interval %v is not a whole number of seconds from 1s to 30m", ErrInvalidConfig, c.Interval)
	}
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "# Prometheus rules for nines objectives, generated by github.com/nines-slo/nines/exporter/promrules.\n")
	fmt.Fprintf(b, "# They read the counters %s and %s.\n", sel.n.good, sel.n.valid)
	var skipped, sliced []string
	var groups []*slo.Objective
	for _, o := range r.Objectives() {
		if _, ok := o.SLI().(sli.SliceSource); ok {
			sliced = append(sliced, o.Name())
			continue
		}
		if _, ok := names.Recorded(o.SLI()); !ok {
			skipped = append(skipped, o.Name())
			continue
		}
		groups = append(groups, o)
	}
	if len(skipped) > 0 {
		fmt.Fprintf(b, "# No event counters, so no rules, for: %s\n", strings.Join(skipped, ", "))
	}
	if len(sliced) > 0 {
		fmt.Fprintf(b, "# Time-slice objectives, computed in-process only (alert on %s): %s\n", names.PromAlertFiring, strings.Join(sliced, ", "))
	}
	// The groups, under a PrometheusRule's spec if there is one, indented.
	var groupsYAML bytes.Buffer
	g := bufio.NewWriter(&groupsYAML)
	for _, o := range groups {
		if err := writeGroup(g, o, c.Interval, at, sel); err != nil {
			return err
		}
	}
	g.Flush()
	indent := ""
	if c.PrometheusRule != nil {
		writeResource(b, c.PrometheusRule)
		indent = "  "
	}
	if len(groups) == 0 {
		fmt.Fprintf(b, "%sgroups: []\n", indent)
		return b.Flush()
	}
	fmt.Fprintf(b, "%sgroups:\n", indent)
	for line := range strings.Lines(groupsYAML.String()) {
		b.WriteString(indent + line)
	}
	return b.Flush()
}

// writeResource writes a PrometheusRule's head, up to its spec.
func writeResource(b *bufio.Writer, k *PrometheusRule) {
	fmt.Fprintf(b, "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: %s\n", yamlString(k.Name))
	if k.Namespace != "" {
		fmt.Fprintf(b, "  namespace: %s\n", yamlString(k.Namespace))
	}
	if len(k.Labels) > 0 {
		fmt.Fprintf(b, "  labels:\n")
		for _, key := range slices.Sorted(maps.Keys(k.Labels)) {
			fmt.Fprintf(b, "    %s: %s\n", yamlString(key), yamlString(k.Labels[key]))
		}
	}
	fmt.Fprintf(b, "spec:\n")
}

// selectors are what the rules select and sum by, from a Config.
type selectors struct {
	n        naming   // the backend's names
	counters []string // the user's matchers, on the counters
	records  []string // those of them on labels the records keep
	by       string   // the sum's grouping: "sum by (…)" or "sum without (…)"
}

// selectors checks c's Selector and By and returns what they select.
func (c Config) selectors() (selectors, error) {
	var sel selectors
	n, err := c.Naming.names()
	if err != nil {
		return sel, err
	}
	sel.n = n
	own := map[string]bool{n.name: true, n.service: true, names.PromNameLabel: true, names.PromServiceLabel: true}
	kept := map[string]bool{}
	for i, l := range c.By {
		switch {
		case !printable.LabelName(l):
			return sel, fmt.Errorf("%w: By[%d] %q is not a label name", ErrInvalidConfig, i, l)
		case own[l]:
			return sel, fmt.Errorf("%w: By[%d] %q is the objective's own label, always kept", ErrInvalidConfig, i, l)
		case kept[l]:
			return sel, fmt.Errorf("%w: By has %q twice", ErrInvalidConfig, l)
		}
		kept[l] = true
	}
	ms, err := parseSelector(c.Selector)
	if err != nil {
		return sel, fmt.Errorf("%w: Selector: %v", ErrInvalidConfig, err)
	}
	for _, m := range ms {
		if own[m.label] || m.label == "__name__" {
			return sel, fmt.Errorf("%w: Selector matches %s, which the rules select themselves", ErrInvalidConfig, m.label)
		}
		sel.counters = append(sel.counters, m.String())
		if len(c.By) == 0 && !slices.Contains(ReplicaLabels(), m.label) || kept[m.label] {
			sel.records = append(sel.records, m.String())
		}
	}
	if len(c.By) == 0 {
		sel.by = "sum without (" + strings.Join(ReplicaLabels(), ", ") + ")"
	} else {
		sel.by = "sum by (" + strings.Join(append([]string{label(n.name), label(n.service)}, c.By...), ", ") + ")"
	}
	return sel, nil
}

func writeGroup(b *bufio.Writer, o *slo.Objective, interval time.Duration, at time.Time, us selectors) error {
	period := o.Window().Length(at)
	target, err := budget.NewTarget(o.Target(), period)
	if err != nil {
		return fmt.Errorf("promrules: %q: %w", o.Name(), err)
	}
	errRate := num(target.ErrorRate())
	meta := o.Metadata()
	n := us.n
	own := label(n.name) + "=" + strconv.Quote(o.Name())
	if meta.Service != "" {
		own += "," + label(n.service) + "=" + strconv.Quote(meta.Service)
	}
	counters := strings.Join(append([]string{own}, us.counters...), ",")
	sel := strings.Join(append([]string{own}, us.records...), ",") // on the records
	by := us.by

	windows := slo.BurnWindows()
	for _, r := range o.Alerts() {
		windows = append(windows, r.Long, r.Short)
	}
	windows = append(windows, period)
	slices.Sort(windows)
	windows = slices.Compact(windows)

	// The step: the events since the evaluation before, recorded at every
	// evaluation, each replica's counter less its value an interval ago
	// (all of it after a reset), summed. Consecutive steps telescope, so
	// that a window longer than MaxRawRange is the sum of the step's
	// samples over it: exact, with no extrapolation, and a range over one
	// recorded series at the evaluation's resolution instead of every
	// replica's raw counter at the scrape's.
	fmt.Fprintf(b, "  - name: %s\n", yamlString("nines-slo-"+o.Name()))
	fmt.Fprintf(b, "    interval: %s\n", names.Duration(interval))
	fmt.Fprintf(b, "    rules:\n")
	// Every rule carries the objective's name as a rule label too (the
	// expression yields it already), which makes each rule of the file
	// distinct, as promtool's linter asks.
	nameLabel := fmt.Sprintf("          %s: %s\n", yamlKey(n.name), yamlString(o.Name()))
	record := func(name, expr string) {
		fmt.Fprintf(b, "      - record: %s\n        expr: %s\n        labels:\n%s", name, yamlString(expr), nameLabel)
	}
	stepGood, stepValid := StepRecordName("good"), StepRecordName("valid")
	stepExpr := func(metric string) string {
		c := series(metric, counters)
		return fmt.Sprintf("%s (((%s - %s offset %s) >= 0) or %s)", by, c, c, names.Duration(interval), c)
	}
	record(stepGood, stepExpr(n.good))
	record(stepValid, stepExpr(n.valid))
	for _, w := range windows {
		d := names.Duration(w)
		good, valid := RecordName("good", w), RecordName("valid", w)
		if w <= MaxRawRange {
			record(good, fmt.Sprintf("%s (increase(%s[%s]))", by, series(n.good, counters), d))
			record(valid, fmt.Sprintf("%s (increase(%s[%s]))", by, series(n.valid, counters), d))
		} else {
			record(good, longWindow(stepGood, sel, w, interval))
			record(valid, longWindow(stepValid, sel, w, interval))
		}
		// No valid events is no data: the SLI is absent, never 0 or NaN.
		record(RecordName("sli", w), fmt.Sprintf("%s{%s} / (%s{%s} > 0)", good, sel, valid, sel))
		record(RecordName("burn_rate", w), fmt.Sprintf("(1 - %s{%s}) / %s", RecordName("sli", w), sel, errRate))
	}
	record(BudgetRecord, fmt.Sprintf("1 - (1 - %s{%s}) / %s", RecordName("sli", period), sel, errRate))

	// labels and annotations write an alert's, with the objective's own.
	alertLabels := o.AlertLabels()
	labels := func(severity, more string) {
		fmt.Fprintf(b, "        labels:\n%s", nameLabel)
		fmt.Fprintf(b, "          severity: %s\n%s", yamlString(severity), more)
		if meta.Owner != "" {
			fmt.Fprintf(b, "          owner: %s\n", yamlString(meta.Owner))
		}
		for _, k := range slices.Sorted(maps.Keys(alertLabels)) {
			fmt.Fprintf(b, "          %s: %s\n", k, yamlString(alertLabels[k]))
		}
	}
	alertNotes := o.AlertAnnotations()
	annotations := func(summary, desc string) {
		if meta.Description != "" {
			desc = meta.Description + ". " + desc
		}
		fmt.Fprintf(b, "        annotations:\n          summary: %s\n          description: %s\n", yamlString(summary), yamlString(desc))
		if meta.Runbook != "" {
			fmt.Fprintf(b, "          runbook_url: %s\n", yamlString(meta.Runbook))
		}
		for _, k := range slices.Sorted(maps.Keys(alertNotes)) {
			fmt.Fprintf(b, "          %s: %s\n", k, yamlString(alertNotes[k]))
		}
	}
	for _, r := range o.Alerts() {
		threshold, minEvents := r.Guard(target)
		t := num(threshold)
		summary := fmt.Sprintf("%s is burning its error budget: %s of it in %s", o.Name(), pct(r.BudgetFraction), names.Duration(r.Long))
		desc := fmt.Sprintf("Burn rate over %s and %s above %s (target %s over %s).",
			names.Duration(r.Long), names.Duration(r.Short), t, num(o.Target()), names.Duration(period))
		if r.Exhaustion > 0 {
			// The rate that spends what is left in Exhaustion: it falls
			// with the budget, as in process (AlertRule.ThresholdAt).
			t = fmt.Sprintf("clamp_min(%s{%s}, 0) * %s", BudgetRecord, sel, num(threshold))
			summary = fmt.Sprintf("%s runs out of error budget within %s", o.Name(), names.Duration(r.Exhaustion))
			desc = fmt.Sprintf("At the burn rates over %s and %s, the budget left is spent within %s (target %s over %s).",
				names.Duration(r.Long), names.Duration(r.Short), names.Duration(r.Exhaustion), num(o.Target()), names.Duration(period))
		}
		expr := fmt.Sprintf("%s{%s} > %s\nand %s{%s} > %s\nand %s{%s} >= %s",
			RecordName("burn_rate", r.Long), sel, t,
			RecordName("burn_rate", r.Short), sel, t,
			RecordName("valid", r.Long), sel, num(minEvents))
		fmt.Fprintf(b, "      - alert: %s\n        expr: %s\n", AlertName, yamlString(expr))
		labels(r.Severity.String(), "          nines_slo_alert: "+yamlString(r.Name)+"\n")
		annotations(summary, desc)
	}

	// No data: the counters gone from every replica (none scraped, or the
	// objective renamed) leave every other rule silent, so this one says so.
	fmt.Fprintf(b, "      - alert: %s\n        expr: %s\n        for: %s\n", AbsentAlertName,
		yamlString(fmt.Sprintf("absent(%s)", series(n.valid, counters))), names.Duration(AbsentFor))
	labels(slo.Ticket.String(), "")
	annotations(fmt.Sprintf("%s has no event counters", o.Name()),
		fmt.Sprintf("No replica has reported %s for %s for %s: its SLO and alerts cannot be computed.", n.valid, o.Name(), names.Duration(AbsentFor)))
	return nil
}

// longWindow returns the expression of the events over window w from
// step, the record of the events between evaluations: the sum of its
// samples in the window. The range stops half an interval short of w, so
// that Prometheus 2, whose ranges hold the sample at their start, and
// Prometheus 3, whose ranges do not, sum the same w/interval samples.
func longWindow(step, sel string, w, interval time.Duration) string {
	return fmt.Sprintf("sum_over_time(%s{%s}[%s])", step, sel, names.Duration(w-interval/2))
}

// num formats f as the shortest decimal that reads back as f.
func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func pct(f float64) string { return strconv.FormatFloat(f*100, 'g', -1, 64) + "%" }

// yamlKey writes a mapping key: a label name as it is, if it is a classic
// one, else quoted.
func yamlKey(k string) string {
	if printable.LabelName(k) {
		return k
	}
	return yamlString(k)
}

// yamlString quotes s as a YAML double-quoted scalar: JSON's string syntax
// is a subset of it.
func yamlString(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // PromQL's > and < stay readable
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}
