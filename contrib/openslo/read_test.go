package ninesopenslo_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	ninesopenslo "github.com/nines-slo/nines/contrib/openslo"
	"github.com/nines-slo/nines/slo"
)

// base is a valid SLO; each case below changes one thing.
const base = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: web
spec:
  service: shop
  indicator:
    metadata:
      name: web
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: Prometheus, spec: {query: good}}}
        total: {metricSource: {type: Prometheus, spec: {query: total}}}
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
  alertPolicies:
    - page
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: page
spec:
  alertWhenBreaching: true
  alertWhenResolved: true
  alertWhenNoData: false
  conditions:
    - kind: AlertCondition
      metadata: {name: page}
      spec:
        severity: page
        condition: {kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h, alertAfter: 5m}
  notificationTargets:
    - targetRef: on-call
`

// Every refusal names the document and the field, wraps the sentinel
// that says whether the file is wrong or nines cannot follow it, and
// leaves the other SLOs of the file alone.
func TestReadRefuses(t *testing.T) {
	if _, err := ninesopenslo.Read(strings.NewReader(base)); err != nil {
		t.Fatalf("the base case: %v", err)
	}
	for _, c := range []struct {
		name, old, new string
		want           error
		says           string
	}{
		{"ratio timeslices", "budgetingMethod: Occurrences", "budgetingMethod: RatioTimeslices", ninesopenslo.ErrUnsupported, "RatioTimeslices"},
		{"unknown method", "budgetingMethod: Occurrences", "budgetingMethod: Sometimes", ninesopenslo.ErrInvalid, "budgetingMethod"},
		{"timeslices without a slice", "budgetingMethod: Occurrences", "budgetingMethod: Timeslices", ninesopenslo.ErrInvalid, "timeSliceWindow"},
		{"rolling month", "duration: 30d", "duration: 1M", ninesopenslo.ErrUnsupported, "spec.timeWindow[0].duration"},
		{"bad duration", "duration: 30d", "duration: 30s", ninesopenslo.ErrInvalid, "spec.timeWindow[0].duration"},
		{"slice under a second", "budgetingMethod: Occurrences\n  objectives:\n    - target: 0.999", "budgetingMethod: Timeslices\n  objectives:\n    - target: 0.999\n      timeSliceTarget: 0.9\n      timeSliceWindow: 0.005", ninesopenslo.ErrInvalid, "under a second"},
		{"two calendar months", "- duration: 30d\n      isRolling: true", "- duration: 2M\n      calendar: {startTime: 2026-01-01 00:00:00, timeZone: Europe/Paris}", ninesopenslo.ErrUnsupported, "1M"},
		{"month off its boundary", "- duration: 30d\n      isRolling: true", "- duration: 1M\n      calendar: {startTime: 2026-01-15 00:00:00, timeZone: Europe/Paris}", ninesopenslo.ErrUnsupported, "startTime"},
		{"unknown zone", "- duration: 30d\n      isRolling: true", "- duration: 1M\n      calendar: {startTime: 2026-01-01 00:00:00, timeZone: Mars/Olympus}", ninesopenslo.ErrInvalid, "timeZone"},
		{"neither rolling nor calendar", "isRolling: true", "isRolling: false", ninesopenslo.ErrInvalid, "calendar"},
		{"two objectives", "- target: 0.999", "- target: 0.999\n    - target: 0.99", ninesopenslo.ErrUnsupported, "spec.objectives"},
		{"no target", "- target: 0.999", "- displayName: none", ninesopenslo.ErrInvalid, "targetPercent"},
		{"both targets", "- target: 0.999", "- target: 0.999\n      targetPercent: 99.9", ninesopenslo.ErrInvalid, "targetPercent"},
		{"target nines refuses", "- target: 0.999", "- target: 0", ninesopenslo.ErrUnsupported, "target 0"},
		{"good and bad", "good: {metricSource", "bad: {metricSource: {spec: {}}}\n        good: {metricSource", ninesopenslo.ErrInvalid, "both good and bad"},
		{"no indicator", "  indicator:\n", "  indicatorX:\n", ninesopenslo.ErrInvalid, "indicatorX"},
		{"dangling indicatorRef", "  indicator:\n    metadata:\n      name: web\n", "  indicatorRef: nowhere\n  indicatorZ:\n    metadata:\n      name: web\n", ninesopenslo.ErrInvalid, "indicatorZ"},
		{"misspelt field", "budgetingMethod:", "budgetingMetod: x\n  budgetingMethod:", ninesopenslo.ErrInvalid, "budgetingMetod"},
		{"other version", "apiVersion: openslo/v1\nkind: SLO", "apiVersion: openslo/v2alpha\nkind: SLO", ninesopenslo.ErrUnsupported, "openslo/v2alpha"},
		{"unknown kind", "kind: AlertPolicy", "kind: AlertPolitics", ninesopenslo.ErrInvalid, "AlertPolitics"},
		{"not yaml", "kind: SLO", "kind: [SLO", ninesopenslo.ErrInvalid, "document 1"},
		{"dangling policy reference", "    - page\n", "    - alertPolicyRef: pager\n", ninesopenslo.ErrInvalid, `"pager"`},
		{"dangling policy", "    - page\n", "    - pager\n", ninesopenslo.ErrInvalid, `"pager"`},
		{"fires below", "op: gt", "op: lte", ninesopenslo.ErrUnsupported, "spec.condition.op"},
		{"other condition", "kind: burnrate", "kind: latency", ninesopenslo.ErrInvalid, "spec.condition.kind"},
		{"severity", "severity: page", "severity: sev1", ninesopenslo.ErrUnsupported, "sev1"},
		{"no data alert", "alertWhenNoData: false", "alertWhenNoData: true", ninesopenslo.ErrUnsupported, "alertWhenNoData"},
		{"never on breach", "alertWhenBreaching: true", "alertWhenBreaching: false", ninesopenslo.ErrUnsupported, "alertWhenBreaching"},
		{"short not shorter", "alertAfter: 5m", "alertAfter: 2h", ninesopenslo.ErrUnsupported, "Short"},
		{"negative threshold", "threshold: 14.4", "threshold: -1", ninesopenslo.ErrInvalid, "threshold"},
		{"threshold over 1", "threshold: 14.4", "threshold: 1000", ninesopenslo.ErrUnsupported, "BudgetFraction"},
		{"duplicate", "kind: AlertPolicy\nmetadata:\n  name: page", "kind: SLO\nmetadata:\n  name: web", ninesopenslo.ErrInvalid, "a second SLO"},
	} {
		in := strings.Replace(base, c.old, c.new, 1)
		if in == base {
			t.Fatalf("%s: %q is not in the base case", c.name, c.old)
		}
		// A second, valid SLO after the broken one reads regardless,
		// unless the whole input is refused.
		other := strings.ReplaceAll(strings.SplitN(base, "---", 2)[0], "name: web", "name: other")
		in += "---\n" + strings.Replace(other, "  alertPolicies:\n    - page\n", "", 1)
		configs, err := ninesopenslo.Read(strings.NewReader(in))
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error %v, want %v saying %q", c.name, err, c.want, c.says)
			continue
		}
		whole := c.name == "other version" || c.name == "unknown kind" || c.name == "not yaml" || c.name == "duplicate" || c.name == "misspelt field" || c.name == "no indicator" || c.name == "dangling indicatorRef"
		if whole != (len(configs) == 0) {
			t.Errorf("%s: %d configurations read beside the error", c.name, len(configs))
		}
		for _, cfg := range configs {
			if cfg.Name != "other" {
				t.Errorf("%s: read %q", c.name, cfg.Name)
			}
			if _, err := slo.New(cfg); err != nil {
				t.Errorf("%s: a configuration Read returned does not build: %v", c.name, err)
			}
		}
	}
}

// Read refuses an input larger than MaxSize before parsing it.
func TestReadRefusesHugeInput(t *testing.T) {
	huge := bytes.Repeat([]byte("# a comment line\n"), ninesopenslo.MaxSize/16)
	if _, err := ninesopenslo.Read(bytes.NewReader(huge)); !errors.Is(err, ninesopenslo.ErrInvalid) {
		t.Errorf("Read of %d bytes: %v, want ErrInvalid", len(huge), err)
	}
}

// FuzzRead: no input panics Read, and every configuration it returns
// builds an objective that writes and reads back.
func FuzzRead(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec: {}\n"))
	f.Add([]byte("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: s}\nspec:\n  service: a\n  indicator: {metadata: {name: s}, spec: {thresholdMetric: {metricSource: {spec: {}}}}}\n" +
		"  timeWindow: [{duration: 1w, calendar: {startTime: 2024-01-01 00:00:00, timeZone: Asia/Kolkata}}]\n" +
		"  budgetingMethod: Timeslices\n  objectives: [{op: lte, value: 0.3, target: 0.99, timeSliceTarget: 0.99, timeSliceWindow: 0.5}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		configs, _ := ninesopenslo.Read(bytes.NewReader(data))
		r := must(slo.NewRegistry())
		for _, c := range configs {
			o, err := slo.New(c)
			if err != nil {
				t.Fatalf("a configuration Read returned does not build: %v", err)
			}
			if err := r.Add(o); err != nil {
				return // two SLOs whose nines names meet: fine for Read, not for one registry
			}
		}
		var buf bytes.Buffer
		if err := ninesopenslo.Write(&buf, r, ninesopenslo.Config{At: at}); err != nil && !errors.Is(err, ninesopenslo.ErrUnsupported) {
			t.Fatalf("Write: %v", err)
		}
		again, err := ninesopenslo.Read(&buf)
		if err != nil {
			t.Fatalf("what Write wrote does not read: %v\n%s", err, buf.Bytes())
		}
		if len(again) > len(configs) {
			t.Fatalf("read %d back from %d", len(again), len(configs))
		}
	})
}

// The forms the specification allows beside the ones Write writes read
// as the same objective: a policy by alertPolicyRef, or inline in the
// SLO; a condition by reference; a target in percent.
func TestReadAcceptsEveryForm(t *testing.T) {
	want, err := ninesopenslo.Read(strings.NewReader(base))
	if err != nil || len(want) != 1 {
		t.Fatal(err)
	}
	policy := strings.SplitN(base, "---\n", 2)[1]
	inline := "    - " + strings.ReplaceAll(strings.TrimSuffix(policy, "\n"), "\n", "\n      ") + "\n"
	for _, c := range []struct{ name, old, new string }{
		{"alertPolicyRef", "    - page\n", "    - alertPolicyRef: page\n"},
		{"inline policy", "    - page\n---\n" + policy, inline},
		{"condition by reference", "    - kind: AlertCondition\n      metadata: {name: page}\n      spec:\n        severity: page\n        condition: {kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h, alertAfter: 5m}\n",
			"    - conditionRef: paging\n"},
		{"targetPercent", "- target: 0.999", "- targetPercent: 99.9"},
	} {
		in := strings.Replace(base, c.old, c.new, 1)
		if in == base {
			t.Fatalf("%s: %q is not in the base case", c.name, c.old)
		}
		if c.name == "condition by reference" {
			in += "---\napiVersion: openslo/v1\nkind: AlertCondition\nmetadata: {name: paging, annotations: {nines-slo.github.io/name: page}}\nspec:\n  severity: page\n  condition: {kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h, alertAfter: 5m}\n"
		}
		got, err := ninesopenslo.Read(strings.NewReader(in))
		if err != nil {
			t.Errorf("%s: %v\n%s", c.name, err, in)
			continue
		}
		if diff := cmp.Diff(want, got, configDiff); diff != "" {
			t.Errorf("%s (-base +this):\n%s", c.name, diff)
		}
	}
}
