package ninesopenslo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/nines-slo/nines/budget"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// Errors of Read and Write; each error says which document and field it
// is about.
var (
	// ErrInvalid is a document that is not valid OpenSLO v1: not YAML, a
	// field of the wrong type or missing, a reference to nothing.
	ErrInvalid = errors.New("openslo: invalid document")
	// ErrUnsupported is a valid document, or an objective, that the other
	// side cannot express: a RatioTimeslices budget, a condition that
	// fires below a threshold, a composite, a window that is not whole
	// minutes.
	ErrUnsupported = errors.New("openslo: not expressible")
)

// MaxSize is the largest input Read takes, 16 MiB: a file of thousands of
// objectives is a few MiB.
const MaxSize = 16 << 20

// Read reads OpenSLO v1 documents (YAML, several separated by "---") and
// returns the configuration of a nines objective for each SLO, with a new
// SLI of the kind the SLO describes, ready for [slo.New]: the service
// records into c.SLI (an *[sli.Ratio], *[sli.Latency], *[sli.RatioSlices] or
// *[sli.LatencySlices]). The SLIs retain the objective's window; their
// metric sources are not read, since nines records in-process. The
// mapping is in the package documentation.
//
// An SLO that cannot be read is left out and the error, wrapping
// [ErrInvalid] or [ErrUnsupported], names it; every other SLO is returned.
// Input that is not YAML, not OpenSLO v1 or over [MaxSize] returns no
// configuration at all. Every configuration returned builds with slo.New.
func Read(r io.Reader) ([]slo.Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: over %d bytes", ErrInvalid, MaxSize)
	}
	set, err := parse(data)
	if err != nil {
		return nil, err
	}
	var configs []slo.Config
	var errs []error
	for _, d := range set.slos {
		c, err := set.config(d)
		if err == nil {
			if _, e := slo.New(c); e != nil {
				err = fmt.Errorf("%w: %w", ErrUnsupported, e)
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("SLO %q: %w", d.Metadata.Name, err))
			continue
		}
		configs = append(configs, c)
	}
	return configs, errors.Join(errs...)
}

// documents are the objects of one input, by kind and name.
type documents struct {
	slos       []*sloDoc
	slis       map[string]*sliDoc
	services   map[string]*serviceDoc
	policies   map[string]*alertPolicyDoc
	conditions map[string]*alertConditionDoc
}

func parse(data []byte) (*documents, error) {
	set := &documents{
		slis:       map[string]*sliDoc{},
		services:   map[string]*serviceDoc{},
		policies:   map[string]*alertPolicyDoc{},
		conditions: map[string]*alertConditionDoc{},
	}
	seen := map[string]bool{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; ; i++ {
		var node yaml.Node
		err := dec.Decode(&node)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: document %d: %v", ErrInvalid, i+1, err)
		}
		if len(node.Content) == 0 {
			continue // an empty document, as a trailing "---" makes
		}
		var h header
		if err := node.Decode(&h); err != nil {
			return nil, fmt.Errorf("%w: document %d: %v", ErrInvalid, i+1, err)
		}
		where := fmt.Sprintf("document %d (%s %q)", i+1, h.Kind, h.Metadata.Name)
		switch {
		case h.APIVersion != apiVersion:
			return nil, fmt.Errorf("%w: %s: apiVersion %q: nines reads %s", ErrUnsupported, where, h.APIVersion, apiVersion)
		case h.Metadata.Name == "":
			return nil, fmt.Errorf("%w: %s: metadata.name is empty", ErrInvalid, where)
		case seen[h.Kind+"/"+h.Metadata.Name]:
			return nil, fmt.Errorf("%w: %s: a second %s of that name", ErrInvalid, where, h.Kind)
		}
		seen[h.Kind+"/"+h.Metadata.Name] = true
		var doc any
		switch h.Kind {
		case "SLO":
			d := new(sloDoc)
			set.slos, doc = append(set.slos, d), d
		case "SLI":
			d := new(sliDoc)
			set.slis[h.Metadata.Name], doc = d, d
		case "Service":
			d := new(serviceDoc)
			set.services[h.Metadata.Name], doc = d, d
		case "AlertPolicy":
			d := new(alertPolicyDoc)
			set.policies[h.Metadata.Name], doc = d, d
		case "AlertCondition":
			d := new(alertConditionDoc)
			set.conditions[h.Metadata.Name], doc = d, d
		case "AlertNotificationTarget":
			doc = new(notificationTargetDoc)
		case "DataSource":
			doc = new(dataSourceDoc)
		default:
			return nil, fmt.Errorf("%w: %s: kind %q is not one of OpenSLO v1's", ErrInvalid, where, h.Kind)
		}
		if err := strict(&node, doc); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, where, err)
		}
	}
	return set, nil
}

// strict decodes a document refusing fields OpenSLO v1 does not have: a
// misspelt field is an error, not a default.
func strict(node *yaml.Node, into any) error {
	data, err := yaml.Marshal(node)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(into)
}

// config maps one SLO.
func (set *documents) config(d *sloDoc) (slo.Config, error) {
	s := d.Spec
	c := slo.Config{Name: ninesName(d.Metadata), Alerts: []slo.AlertRule{}}
	if c.Name == "" {
		return c, fmt.Errorf("%w: metadata.annotations: the %s annotation is empty", ErrInvalid, annotation+annName)
	}
	if err := set.metadata(&c, d); err != nil {
		return c, err
	}
	if len(s.Objectives) != 1 {
		return c, fmt.Errorf("%w: spec.objectives has %d entries: nines reads SLOs of one objective (an objective per target; composites of several indicators are not read)", ErrUnsupported, len(s.Objectives))
	}
	goal := s.Objectives[0]
	var err error
	if c.Target, err = targetOf(goal); err != nil {
		return c, err
	}
	if !(c.Target > 0 && c.Target < 1) {
		return c, fmt.Errorf("%w: spec.objectives[0]: target %v: nines' targets are in (0, 1)", ErrUnsupported, c.Target)
	}
	if c.Window, err = windowOf(s.TimeWindow); err != nil {
		return c, err
	}
	indicator, err := set.indicator(s)
	if err != nil {
		return c, err
	}
	if c.SLI, err = newSLI(indicator, goal, s.BudgetingMethod, c.Window, d.Metadata.Annotations); err != nil {
		return c, err
	}
	for i, p := range s.AlertPolicies {
		rule, err := set.rule(p, c)
		if err != nil {
			return c, fmt.Errorf("spec.alertPolicies[%d]: %w", i, err)
		}
		c.Alerts = append(c.Alerts, rule)
	}
	return c, nil
}

// metadata fills in the objective's description and the settings nines
// keeps in annotations.
func (set *documents) metadata(c *slo.Config, d *sloDoc) error {
	c.Metadata.Description = d.Spec.Description
	c.Metadata.Service = d.Spec.Service
	if svc, ok := set.services[d.Spec.Service]; ok {
		c.Metadata.Service = ninesName(svc.Metadata)
	}
	for key, value := range d.Metadata.Annotations {
		name, ours := strings.CutPrefix(key, annotation)
		if !ours {
			continue
		}
		var err error
		switch {
		case name == annOwner:
			c.Metadata.Owner = value
		case name == annRequests:
			c.Metadata.Requests = value
		case name == annSource:
			c.Metadata.Source = value
		case name == annRunbook:
			c.Metadata.Runbook = value
		case name == annAtRisk:
			c.AtRisk, err = strconv.ParseFloat(value, 64)
		case name == annExhaustionWindow:
			c.ExhaustionWindow, err = time.ParseDuration(value)
		case strings.HasPrefix(name, annAlertLabel):
			c.AlertLabels = put(c.AlertLabels, name[len(annAlertLabel):], value)
		case strings.HasPrefix(name, annAlertAnnotation):
			c.AlertAnnotations = put(c.AlertAnnotations, name[len(annAlertAnnotation):], value)
		}
		if err != nil {
			return fmt.Errorf("%w: metadata.annotations[%s]: %v", ErrInvalid, key, err)
		}
	}
	return nil
}

func put(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

func targetOf(goal threshold) (float64, error) {
	switch {
	case goal.Target != nil && goal.TargetPercent != nil:
		return 0, fmt.Errorf("%w: spec.objectives[0]: both target and targetPercent", ErrInvalid)
	case goal.Target != nil:
		return *goal.Target, nil
	case goal.TargetPercent != nil:
		// 99.95 ÷ 100 is 0.9994999999999999 in floating point; the
		// shortest decimal of the quotient gives back 0.9995.
		return strconv.ParseFloat(strconv.FormatFloat(*goal.TargetPercent/100, 'g', 15, 64), 64)
	}
	return 0, fmt.Errorf("%w: spec.objectives[0]: neither target nor targetPercent", ErrInvalid)
}

// windowOf maps a timeWindow: a rolling one of minutes, hours, days or
// weeks; a calendar one of one day, week, month, quarter or year, starting
// on a boundary of that period.
func windowOf(tw []timeWindow) (slo.Window, error) {
	if len(tw) == 0 {
		return slo.Rolling(slo.DefaultWindow), nil // OpenSLO leaves it to the implementation
	}
	if len(tw) > 1 {
		return slo.Window{}, fmt.Errorf("%w: spec.timeWindow has %d entries, not one", ErrInvalid, len(tw))
	}
	w := tw[0]
	length, err := parseShorthand(w.Duration)
	if err != nil {
		return slo.Window{}, fmt.Errorf("%w: spec.timeWindow[0].duration: %v", ErrInvalid, err)
	}
	rolling := w.IsRolling != nil && *w.IsRolling
	if rolling {
		d, ok := length.fixed()
		if !ok {
			return slo.Window{}, fmt.Errorf("%w: spec.timeWindow[0].duration %q: a rolling window of calendar months, quarters or years has no fixed length; use days", ErrUnsupported, w.Duration)
		}
		return slo.Rolling(d), nil
	}
	if w.Calendar == nil {
		return slo.Window{}, fmt.Errorf("%w: spec.timeWindow[0]: neither isRolling nor calendar", ErrInvalid)
	}
	period, ok := map[string]slo.Period{"1d": slo.Day, "1w": slo.Week, "1M": slo.Month, "1Q": slo.Quarter, "1Y": slo.Year}[w.Duration]
	if !ok {
		return slo.Window{}, fmt.Errorf("%w: spec.timeWindow[0].duration %q: nines' calendar windows are one day, week, month, quarter or year (1d, 1w, 1M, 1Q, 1Y)", ErrUnsupported, w.Duration)
	}
	loc, err := zone(w.Calendar.TimeZone)
	if err != nil {
		return slo.Window{}, err
	}
	start, err := time.ParseInLocation(time.DateTime, w.Calendar.StartTime, loc)
	if err != nil {
		return slo.Window{}, fmt.Errorf("%w: spec.timeWindow[0].calendar.startTime %q is not \"YYYY-MM-DD hh:mm:ss\"", ErrInvalid, w.Calendar.StartTime)
	}
	window := slo.Calendar(period, loc)
	if first, _ := window.Bounds(start); !first.Equal(start) {
		return slo.Window{}, fmt.Errorf("%w: spec.timeWindow[0].calendar.startTime %q does not start a %v: nines' periods start at midnight, weeks on Monday, months on the first, quarters in January, April, July and October", ErrUnsupported, w.Calendar.StartTime, period)
	}
	return window, nil
}

func zone(name string) (*time.Location, error) {
	switch name {
	case "UTC", "Etc/UTC":
		return time.UTC, nil
	case "", "Local":
		return nil, fmt.Errorf("%w: spec.timeWindow[0].calendar.timeZone %q is not an IANA time zone", ErrInvalid, name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w: spec.timeWindow[0].calendar.timeZone %q: %v", ErrInvalid, name, err)
	}
	return loc, nil
}

// indicator returns the SLO's SLI, written inline or referred to.
func (set *documents) indicator(s sloSpec) (inlineSLI, error) {
	switch {
	case s.Indicator != nil && s.IndicatorRef != "":
		return inlineSLI{}, fmt.Errorf("%w: spec: both indicator and indicatorRef", ErrInvalid)
	case s.Indicator != nil:
		return *s.Indicator, nil
	case s.IndicatorRef != "":
		d, ok := set.slis[s.IndicatorRef]
		if !ok {
			return inlineSLI{}, fmt.Errorf("%w: spec.indicatorRef %q: no SLI of that name", ErrInvalid, s.IndicatorRef)
		}
		return inlineSLI{Metadata: d.Metadata, Spec: d.Spec}, nil
	}
	return inlineSLI{}, fmt.Errorf("%w: spec: neither indicator nor indicatorRef", ErrInvalid)
}

// newSLI builds the SLI an indicator and a budgeting method describe.
func newSLI(in inlineSLI, goal threshold, method string, w slo.Window, notes map[string]string) (sli.Source, error) {
	spec := in.Spec
	var latency time.Duration
	switch {
	case spec.RatioMetric != nil && spec.ThresholdMetric != nil:
		return nil, fmt.Errorf("%w: indicator: both ratioMetric and thresholdMetric", ErrInvalid)
	case spec.RatioMetric != nil:
		if err := checkRatio(spec.RatioMetric); err != nil {
			return nil, err
		}
		if v, ok := in.Metadata.Annotations[annotation+annLatency]; ok {
			d, err := time.ParseDuration(v)
			if err != nil {
				return nil, fmt.Errorf("%w: indicator metadata.annotations[%s]: %v", ErrInvalid, annotation+annLatency, err)
			}
			latency = d
		}
	case spec.ThresholdMetric != nil:
		// The metric's points are the requests' latencies, in seconds; an
		// event is good when it is within the objective's value.
		if goal.Op != "lte" && goal.Op != "lt" {
			return nil, fmt.Errorf("%w: spec.objectives[0].op %q: nines reads threshold metrics as latencies, good when at most the value (lte, or lt)", ErrUnsupported, goal.Op)
		}
		if goal.Value == nil || !(*goal.Value > 0) || *goal.Value > float64(math.MaxInt64/int64(time.Second)) {
			return nil, fmt.Errorf("%w: spec.objectives[0].value: a thresholdMetric's objective needs a positive value, in seconds", ErrInvalid)
		}
		latency = time.Duration(math.Round(*goal.Value * float64(time.Second)))
	default:
		return nil, fmt.Errorf("%w: indicator: neither ratioMetric nor thresholdMetric", ErrInvalid)
	}
	storage := sli.WithStorage(sli.Storage{Retention: retention(w)})
	switch method {
	case "Occurrences":
		if latency > 0 {
			return wrapSLI(sli.NewLatency(latency, storage))
		}
		return wrapSLI(sli.NewRatio(storage))
	case "Timeslices":
		if goal.TimeSliceTarget == nil || goal.TimeSliceWindow == nil {
			return nil, fmt.Errorf("%w: spec.objectives[0]: Timeslices needs timeSliceTarget and timeSliceWindow", ErrInvalid)
		}
		slice, err := sliceWindow(goal.TimeSliceWindow)
		if err != nil {
			return nil, fmt.Errorf("%w: spec.objectives[0].timeSliceWindow: %v", ErrInvalid, err)
		}
		empty := sli.EmptyNotValid
		if v, ok := notes[annotation+annEmptySlices]; ok {
			if empty, ok = emptySlices[v]; !ok {
				return nil, fmt.Errorf("%w: metadata.annotations[%s] %q is not good, bad or not valid", ErrInvalid, annotation+annEmptySlices, v)
			}
		}
		opts := []sli.SlicesOption{sli.WithSlice(slice), sli.WithEmptySlices(empty), storage}
		if latency > 0 {
			return wrapSLI(sli.NewLatencySlices(*goal.TimeSliceTarget, latency, opts...))
		}
		return wrapSLI(sli.NewRatioSlices(*goal.TimeSliceTarget, opts...))
	case "RatioTimeslices":
		return nil, fmt.Errorf("%w: spec.budgetingMethod RatioTimeslices (the mean of the slices' ratios): nines counts good slices (Timeslices) or good events (Occurrences)", ErrUnsupported)
	}
	return nil, fmt.Errorf("%w: spec.budgetingMethod %q is not Occurrences, Timeslices or RatioTimeslices", ErrInvalid, method)
}

var emptySlices = map[string]sli.EmptySlices{
	sli.EmptyNotValid.String(): sli.EmptyNotValid,
	sli.EmptyGood.String():     sli.EmptyGood,
	sli.EmptyBad.String():      sli.EmptyBad,
}

func wrapSLI[S sli.Source](s S, err error) (sli.Source, error) {
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	return s, nil
}

// checkRatio checks a ratioMetric's shape: good or bad over total, or a
// raw ratio of a stated type.
func checkRatio(m *ratioMetric) error {
	switch {
	case m.Raw != nil:
		if m.RawType != "success" && m.RawType != "failure" {
			return fmt.Errorf("%w: indicator ratioMetric.rawType %q is not success or failure", ErrInvalid, m.RawType)
		}
	case m.Good != nil && m.Bad != nil:
		return fmt.Errorf("%w: indicator ratioMetric: both good and bad", ErrInvalid)
	case m.Good == nil && m.Bad == nil:
		return fmt.Errorf("%w: indicator ratioMetric: neither good nor bad", ErrInvalid)
	case m.Total == nil:
		return fmt.Errorf("%w: indicator ratioMetric: no total", ErrInvalid)
	}
	return nil
}

// retention is how long an SLI for window w keeps its counts: the
// default, or the window and a day.
func retention(w slo.Window) time.Duration {
	longest := w.Length(time.Time{})
	if w.IsCalendar() {
		longest = map[slo.Period]time.Duration{slo.Day: day, slo.Week: 7 * day, slo.Month: 31 * day, slo.Quarter: 92 * day, slo.Year: 366 * day}[w.Period()]
	}
	return max(sli.DefaultRetention, longest+day)
}

// rule maps one alert policy, with its one condition, to an alert rule.
func (set *documents) rule(p policyRef, c slo.Config) (slo.AlertRule, error) {
	policy := p.Inline
	if policy == nil {
		var ok bool
		if policy, ok = set.policies[p.Ref]; !ok {
			return slo.AlertRule{}, fmt.Errorf("%w: %q: no AlertPolicy of that name", ErrInvalid, p.Ref)
		}
	}
	where := fmt.Sprintf("AlertPolicy %q", policy.Metadata.Name)
	spec := policy.Spec
	switch {
	case len(spec.Conditions) != 1:
		return slo.AlertRule{}, fmt.Errorf("%w: %s: spec.conditions has %d entries, not one", ErrInvalid, where, len(spec.Conditions))
	case !spec.AlertWhenBreaching:
		return slo.AlertRule{}, fmt.Errorf("%w: %s: spec.alertWhenBreaching is false: nines' alerts fire on a burning budget", ErrUnsupported, where)
	case spec.AlertWhenNoData:
		return slo.AlertRule{}, fmt.Errorf("%w: %s: spec.alertWhenNoData: nines' alerts do not fire without data (the generated Prometheus rules have an alert for absent events)", ErrUnsupported, where)
	}
	ref := spec.Conditions[0]
	var meta metadata
	var cond alertConditionSpec
	switch {
	case ref.ConditionRef != "":
		d, ok := set.conditions[ref.ConditionRef]
		if !ok {
			return slo.AlertRule{}, fmt.Errorf("%w: %s: spec.conditions[0].conditionRef %q: no AlertCondition of that name", ErrInvalid, where, ref.ConditionRef)
		}
		meta, cond = d.Metadata, d.Spec
	case ref.Metadata != nil && ref.Spec != nil:
		meta, cond = *ref.Metadata, *ref.Spec
	default:
		return slo.AlertRule{}, fmt.Errorf("%w: %s: spec.conditions[0] is neither a conditionRef nor an AlertCondition", ErrInvalid, where)
	}
	where = fmt.Sprintf("AlertCondition %q", meta.Name)
	r, err := ruleOf(meta, cond, c)
	if err != nil {
		return slo.AlertRule{}, fmt.Errorf("%s: %w", where, err)
	}
	return r, nil
}

func ruleOf(meta metadata, cond alertConditionSpec, c slo.Config) (slo.AlertRule, error) {
	r := slo.AlertRule{Name: ninesName(meta)}
	switch strings.ToLower(cond.Severity) {
	case "page":
		r.Severity = slo.Page
	case "ticket":
		r.Severity = slo.Ticket
	default:
		return r, fmt.Errorf("%w: spec.severity %q: nines' severities are page and ticket", ErrUnsupported, cond.Severity)
	}
	b := cond.Condition
	switch {
	case b.Kind != "" && b.Kind != "burnrate":
		return r, fmt.Errorf("%w: spec.condition.kind %q is not burnrate", ErrInvalid, b.Kind)
	case b.Op != "gt" && b.Op != "gte":
		return r, fmt.Errorf("%w: spec.condition.op %q: nines' alerts fire above a burn rate (gt, or gte)", ErrUnsupported, b.Op)
	case !(b.Threshold > 0) || math.IsInf(b.Threshold, 0):
		return r, fmt.Errorf("%w: spec.condition.threshold %v is not a positive burn rate", ErrInvalid, b.Threshold)
	}
	long, err := fixedDuration(b.LookbackWindow)
	if err != nil {
		return r, fmt.Errorf("%w: spec.condition.lookbackWindow: %v", ErrInvalid, err)
	}
	r.Long = long
	// OpenSLO has one window; nines' rules have a second, shorter one that
	// must burn too. Write puts it in alertAfter; a file without one gets
	// the SRE Workbook's twelfth of the long window.
	r.Short = (long / 12).Truncate(time.Second)
	if b.AlertAfter != "" && b.AlertAfter != "0m" {
		if r.Short, err = fixedDuration(b.AlertAfter); err != nil {
			return r, fmt.Errorf("%w: spec.condition.alertAfter: %v", ErrInvalid, err)
		}
	}
	notes := meta.Annotations
	number := func(key string) (float64, bool, error) {
		v, ok := notes[annotation+key]
		if !ok {
			return 0, false, nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, false, fmt.Errorf("%w: metadata.annotations[%s]: %v", ErrInvalid, annotation+key, err)
		}
		return f, true, nil
	}
	if r.MinEvents, _, err = number(annMinEvents); err != nil {
		return r, err
	}
	if v, ok := notes[annotation+annExhaustion]; ok {
		if r.Exhaustion, err = time.ParseDuration(v); err != nil {
			return r, fmt.Errorf("%w: metadata.annotations[%s]: %v", ErrInvalid, annotation+annExhaustion, err)
		}
		return r, nil
	}
	fraction, ok, err := number(annBudgetFraction)
	if err != nil {
		return r, err
	}
	if !ok {
		// The fraction of the budget the threshold burns in the long
		// window, to 15 digits, so that 14.4 over 1h of 30 days is 0.02.
		target, err := budget.NewTarget(c.Target, c.Window.Length(time.Now()))
		if err != nil {
			return r, fmt.Errorf("%w: %v", ErrUnsupported, err)
		}
		fraction = b.Threshold * float64(r.Long) / float64(target.Period())
		fraction, _ = strconv.ParseFloat(strconv.FormatFloat(fraction, 'g', 15, 64), 64)
	}
	r.BudgetFraction = fraction
	return r, nil
}
