package ninesopenslo

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/nines-slo/nines/budget"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// The Prometheus names of the producer's event counters
// (github.com/nines-slo/nines/exporter/producer) and of the label that
// carries the objective's name: the metric sources of the SLIs Write
// writes, so that a tool reading the file computes the SLO from what the
// processes export.
const (
	goodCounter  = "nines_slo_events_good_total"
	validCounter = "nines_slo_events_valid_total"
	nameLabel    = "nines_slo_name"
)

// maxDescription is the length limit of OpenSLO's descriptions.
const maxDescription = 1050

// calendarStart is the startTime of the calendar windows Write writes: a
// Monday, the first day of a month, a quarter and a year, so a boundary of
// every period nines has.
const calendarStart = "2024-01-01 00:00:00"

// Config adjusts what Write writes; the zero value is the default.
type Config struct {
	// At is the time whose period a calendar window's alert thresholds
	// are computed for (a burn-rate threshold depends on the period's
	// length, and a month's varies); zero is now. The exact budget
	// fraction is written beside it, for Read.
	At time.Time
}

// Write writes the registry's objectives as OpenSLO v1 documents, one YAML
// document each, "---" between them: a Service for each service named in
// the objectives' metadata, and for each objective, in the registry's
// order, an SLI, an SLO and an
// AlertPolicy for each of its alert rules, with an AlertNotificationTarget
// for each owner they notify. The mapping is in the package documentation;
// [Read] reads the result back into the same objectives.
//
// An objective that OpenSLO cannot express (an [sli.Aggregated] or a user's
// SLI, a composite, a window or alert window that is not whole minutes, a
// time zone without an IANA name) is left out, and the error, wrapping
// [ErrUnsupported], names it; everything else is written. An error writing
// to w stops the writing and is returned.
func Write(w io.Writer, r *slo.Registry, c Config) error {
	at := c.At
	if at.IsZero() {
		at = time.Now()
	}
	objectives := r.Objectives() // in the registry's order, which Read keeps

	var docs []any
	var errs []error
	services := namer{}
	serviceDocs := map[string]*serviceDoc{}
	targets := namer{}
	targetDocs := map[string]*notificationTargetDoc{}
	sloNames, policyNames := namer{}, namer{}
	for _, o := range objectives {
		cfg := o.Config()
		service := services.name(cfg.Metadata.Service)
		target := targets.name(cmp.Or(cfg.Metadata.Owner, "nines"))
		d, err := objectiveDocs(cfg, at, sloNames.name(cfg.Name), service, target, policyNames)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: objective %q: %v", ErrUnsupported, cfg.Name, err))
			continue
		}
		if _, ok := serviceDocs[service]; !ok {
			serviceDocs[service] = newServiceDoc(service, cfg.Metadata.Service)
		}
		if _, ok := targetDocs[target]; !ok && len(cfg.Alerts) > 0 {
			targetDocs[target] = newTargetDoc(target, cfg.Metadata.Owner)
		}
		docs = append(docs, d...)
	}
	var all []any
	for _, name := range slices.Sorted(maps.Keys(serviceDocs)) {
		all = append(all, serviceDocs[name])
	}
	all = append(all, docs...)
	for _, name := range slices.Sorted(maps.Keys(targetDocs)) {
		all = append(all, targetDocs[name])
	}
	if len(all) == 0 {
		return errors.Join(errs...)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	for _, d := range all {
		if err := enc.Encode(d); err != nil {
			return err
		}
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return errors.Join(errs...)
}

func newHeader(kind, openSLO, ninesName string) header {
	h := header{APIVersion: apiVersion, Kind: kind}
	named(&h.Metadata, openSLO, ninesName)
	return h
}

func newServiceDoc(name, service string) *serviceDoc {
	d := &serviceDoc{header: newHeader("Service", name, service)}
	if service == "" {
		d.Spec.Description = "Objectives that name no service."
	}
	return d
}

func newTargetDoc(name, owner string) *notificationTargetDoc {
	d := &notificationTargetDoc{header: newHeader("AlertNotificationTarget", name, cmp.Or(owner, "nines"))}
	d.Spec.Target = cmp.Or(owner, "nines")
	d.Spec.Description = "The objectives' owner, from their metadata."
	if owner == "" {
		d.Spec.Description = "The alert handler of the process the objectives run in (no owner is named)."
	}
	return d
}

// objectiveDocs returns an objective's SLI, SLO and alert policies.
func objectiveDocs(c slo.Config, at time.Time, name, service, target string, policies namer) ([]any, error) {
	if c.SLI == nil {
		return nil, errors.New("a composite has no OpenSLO v1 form nines reads back")
	}
	if len(c.Metadata.Description) > maxDescription {
		return nil, fmt.Errorf("the description is longer than OpenSLO's %d characters", maxDescription)
	}
	indicator, slicing, err := indicatorDoc(c, name)
	if err != nil {
		return nil, err
	}
	s := &sloDoc{header: newHeader("SLO", name, c.Name)}
	meta := &s.Metadata
	for key, value := range map[string]string{
		annOwner: c.Metadata.Owner, annRequests: c.Metadata.Requests,
		annSource: c.Metadata.Source, annRunbook: c.Metadata.Runbook,
	} {
		if value != "" {
			annotate(meta, key, value)
		}
	}
	if c.AtRisk != slo.DefaultAtRisk {
		annotate(meta, annAtRisk, strconv.FormatFloat(c.AtRisk, 'g', -1, 64))
	}
	if c.ExhaustionWindow != slo.DefaultExhaustionWindow {
		annotate(meta, annExhaustionWindow, c.ExhaustionWindow.String())
	}
	for _, kv := range []struct {
		prefix string
		m      map[string]string
	}{{annAlertLabel, c.AlertLabels}, {annAlertAnnotation, c.AlertAnnotations}} {
		for k, v := range kv.m {
			if len(kv.prefix)+len(k) > maxLabel {
				return nil, fmt.Errorf("the alert label or annotation %q is too long for an OpenSLO annotation name", k)
			}
			annotate(meta, kv.prefix+k, v)
		}
	}
	s.Spec.Description = c.Metadata.Description
	s.Spec.Service = service
	s.Spec.IndicatorRef = indicator.Metadata.Name
	if s.Spec.TimeWindow, err = windowDoc(c.Window); err != nil {
		return nil, err
	}
	goal := threshold{DisplayName: c.Name, Target: &c.Target}
	s.Spec.BudgetingMethod = "Occurrences"
	if slicing.Length > 0 {
		s.Spec.BudgetingMethod = "Timeslices"
		goal.TimeSliceTarget = &slicing.MinGood
		goal.TimeSliceWindow = formatSliceWindow(slicing.Length)
		if slicing.Empty != sli.EmptyNotValid {
			annotate(meta, annEmptySlices, slicing.Empty.String())
		}
	}
	s.Spec.Objectives = []threshold{goal}

	length := c.Window.Length(at)
	tgt, err := budget.NewTarget(c.Target, length)
	if err != nil {
		return nil, err
	}
	docs := []any{indicator, s}
	for _, r := range c.Alerts {
		p, err := policyDoc(r, tgt, policies.nameOf(c.Name+" "+r.Name, c.Name+"\x00"+r.Name), target)
		if err != nil {
			return nil, fmt.Errorf("alert %q: %v", r.Name, err)
		}
		s.Spec.AlertPolicies = append(s.Spec.AlertPolicies, policyRef{Ref: p.Metadata.Name})
		docs = append(docs, p)
	}
	return docs, nil
}

// indicatorDoc returns the SLI of an objective: the ratio of the
// producer's good to valid event counters, which is what every SLI nines
// writes out records. A latency SLI says its threshold in an annotation.
func indicatorDoc(c slo.Config, name string) (*sliDoc, sli.Slicing, error) {
	var slicing sli.Slicing
	var latency time.Duration
	switch s := c.SLI.(type) {
	case *sli.Ratio:
	case *sli.Latency:
		latency = s.Threshold()
	case *sli.RatioSlices:
		slicing = s.Slicing()
	case *sli.LatencySlices:
		slicing = s.Slicing()
		latency = slicing.Threshold
	default:
		return nil, slicing, fmt.Errorf("its SLI, a %T, has no OpenSLO form: nines writes the ones that record (Ratio, Latency, RatioSlices, LatencySlices)", c.SLI)
	}
	d := &sliDoc{header: newHeader("SLI", name, c.Name)}
	if latency > 0 {
		annotate(&d.Metadata, annLatency, latency.String())
	}
	d.Spec.RatioMetric = &ratioMetric{
		Counter: true,
		Good:    prometheus(goodCounter, c.Name),
		Total:   prometheus(validCounter, c.Name),
	}
	return d, slicing, nil
}

func prometheus(counter, objective string) *metricHolder {
	return &metricHolder{MetricSource: metricSource{
		Type: "Prometheus",
		Spec: map[string]any{"query": counter + "{" + nameLabel + "=" + strconv.Quote(objective) + "}"},
	}}
}

// windowDoc returns an SLO's timeWindow.
func windowDoc(w slo.Window) ([]timeWindow, error) {
	if !w.IsCalendar() {
		d, err := formatShorthand(w.Length(time.Time{}))
		if err != nil {
			return nil, err
		}
		rolling := true
		return []timeWindow{{Duration: d, IsRolling: &rolling}}, nil
	}
	start, _ := w.Bounds(time.Unix(0, 0))
	zone := start.Location().String()
	switch zone {
	case "UTC":
		zone = "Etc/UTC" // OpenSLO's time zones are Area/Location
	case "Local", "":
		return nil, errors.New("its calendar window is in the Local time zone, which has no IANA name to write")
	}
	if _, err := time.LoadLocation(zone); err != nil {
		return nil, fmt.Errorf("its calendar window's time zone %q is not in the IANA database", zone)
	}
	unit := map[slo.Period]string{slo.Day: "1d", slo.Week: "1w", slo.Month: "1M", slo.Quarter: "1Q", slo.Year: "1Y"}[w.Period()]
	rolling := false
	return []timeWindow{{Duration: unit, IsRolling: &rolling, Calendar: &calendar{StartTime: calendarStart, TimeZone: zone}}}, nil
}

// policyDoc returns the AlertPolicy of one alert rule, its condition
// inline: a burn-rate condition over the rule's Long window, with its
// Short window as alertAfter (OpenSLO has no second window).
func policyDoc(r slo.AlertRule, target budget.Target, name, notify string) (*alertPolicyDoc, error) {
	long, err := formatShorthand(r.Long)
	if err != nil {
		return nil, err
	}
	short, err := formatShorthand(r.Short)
	if err != nil {
		return nil, err
	}
	threshold, _ := r.Guard(target)
	cond := conditionRef{Kind: "AlertCondition", Metadata: &metadata{}, Spec: &alertConditionSpec{
		Severity: r.Severity.String(),
		Condition: burnCondition{
			Kind: "burnrate", Op: "gt", Threshold: threshold,
			LookbackWindow: long, AlertAfter: short,
		},
	}}
	named(cond.Metadata, name, r.Name)
	if r.Exhaustion > 0 {
		annotate(cond.Metadata, annExhaustion, r.Exhaustion.String())
		cond.Spec.Description = fmt.Sprintf("The budget left runs out within %s at the burn rates over %s and %s (the threshold is a full budget's; nines lowers it as the budget goes).", human(r.Exhaustion), long, short)
	} else {
		annotate(cond.Metadata, annBudgetFraction, strconv.FormatFloat(r.BudgetFraction, 'g', -1, 64))
		cond.Spec.Description = fmt.Sprintf("%s of the budget burns in %s: the burn rate over %s, and over %s too, is above %s.", percent(r.BudgetFraction), long, long, short, strconv.FormatFloat(threshold, 'g', 4, 64))
	}
	if r.MinEvents > 0 {
		annotate(cond.Metadata, annMinEvents, strconv.FormatFloat(r.MinEvents, 'g', -1, 64))
	}
	p := &alertPolicyDoc{header: newHeader("AlertPolicy", name, r.Name)}
	p.Spec = alertPolicySpec{
		Description:         cond.Spec.Description,
		AlertWhenBreaching:  true,
		AlertWhenResolved:   true,
		Conditions:          []conditionRef{cond},
		NotificationTargets: []targetRef{{TargetRef: notify}},
	}
	return p, nil
}

// human writes d as a shorthand where it is whole minutes.
func human(d time.Duration) string {
	if s, err := formatShorthand(d); err == nil {
		return s
	}
	return d.String()
}

func percent(f float64) string { return strconv.FormatFloat(f*100, 'g', 4, 64) + "%" }
