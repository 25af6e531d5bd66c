package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"

	ninesopenslo "github.com/nines-slo/nines/contrib/openslo"
	"github.com/nines-slo/nines/exporter/promrules"
	"github.com/nines-slo/nines/exporter/statuspage"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

const rulesHelp = `usage: nines rules [flags] source

Writes what a Prometheus-compatible backend needs to compute a service's
objectives across its replicas, from the objectives' declaration: an
OpenSLO v1 file (YAML), or a replica's status page or status JSON file,
which says each objective's target, window and alert rules.

  -format rules         Prometheus recording and alerting rules (default)
  -format operator      the same, as a PrometheusRule resource (-name, -namespace)
  -format inhibitions   Alertmanager inhibition rules: a page silences its tickets
  -format dashboard     a Grafana dashboard of the objectives

  nines rules slos.yaml > rules.yml
  nines rules -format operator -name shop-slos http://127.0.0.1:8080/slo

The rules read the counters the producer exports (nines_slo_events_good_total
and nines_slo_events_valid_total), summed over replicas. Time-slice and
composite objectives have no rules (they are listed in a comment); from a
status document, the objectives' extra alert labels and annotations are
not known.
`

func rules(args []string, out, errOut io.Writer) int {
	fs := newFlags("rules", rulesHelp, errOut)
	format := fs.String("format", "rules", "what to write: rules, operator, inhibitions or dashboard")
	interval := fs.Duration("interval", promrules.DefaultInterval, "the rule groups' evaluation interval")
	selector := fs.String("selector", "", `label matchers added to every series the rules read, namespace="shop"`)
	by := fs.String("by", "", "labels that tell services apart, comma-separated (default: every label but the replica's)")
	name := fs.String("name", "", "-format operator: the PrometheusRule's name")
	namespace := fs.String("namespace", "", "-format operator: its namespace")
	timeout := fs.Duration("timeout", 10*time.Second, "timeout of an HTTP fetch")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	c := promrules.Config{Interval: *interval, Selector: *selector}
	if *by != "" {
		c.By = strings.Split(*by, ",")
	}
	switch *format {
	case "rules", "inhibitions", "dashboard":
	case "operator":
		if *name == "" {
			return fail(errOut, "rules", "-format operator needs -name")
		}
		c.PrometheusRule = &promrules.PrometheusRule{Name: *name, Namespace: *namespace}
	default:
		return fail(errOut, "rules", fmt.Sprintf("-format %q: want rules, operator, inhibitions or dashboard", *format))
	}
	src := fs.Arg(0)
	data, err := fetch(src, *timeout, maxSnapshot)
	if err != nil {
		return fail(errOut, "rules", fmt.Errorf("%s: %w", src, err))
	}
	reg, err := registryOf(data, errOut)
	if err != nil {
		return fail(errOut, "rules", fmt.Errorf("%s: %w", src, err))
	}
	switch *format {
	case "inhibitions":
		err = promrules.WriteInhibitions(out, c)
	case "dashboard":
		err = promrules.WriteDashboard(out, c)
	default:
		err = promrules.Write(out, reg, c)
	}
	if err != nil {
		return fail(errOut, "rules", err)
	}
	return 0
}

// registryOf builds the objectives a declaration describes: a status
// document (JSON) or an OpenSLO file.
func registryOf(data []byte, errOut io.Writer) (*slo.Registry, error) {
	var configs []slo.Config
	var err error
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		var skipped []string
		configs, skipped, err = fromStatus(data)
		if len(skipped) > 0 {
			fmt.Fprintf(errOut, "nines rules: composites have no rules (their components do): %s\n", strings.Join(skipped, ", "))
		}
	} else {
		configs, err = ninesopenslo.Read(bytes.NewReader(data))
	}
	if err != nil {
		return nil, err
	}
	reg, err := slo.NewRegistry()
	if err != nil {
		return nil, err
	}
	for _, c := range configs {
		o, err := slo.New(c, slo.WithLogger(discardLogger))
		if err == nil {
			err = reg.Add(o)
		}
		if err != nil {
			return nil, err
		}
	}
	return reg, nil
}

// fromStatus reads the objectives of a status document back into their
// configurations, each with an SLI of its kind (no events: the rules need
// only names, targets, windows and alert rules).
func fromStatus(data []byte) (out []slo.Config, skipped []string, err error) {
	doc, err := statuspage.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	var errs []error
	for _, o := range doc.Objectives {
		if len(o.Components) > 0 {
			skipped = append(skipped, o.Name) // its components are in the document as objectives of their own
			continue
		}
		c, err := configOf(o)
		if err != nil {
			errs = append(errs, fmt.Errorf("objective %q: %w", o.Name, err))
			continue
		}
		out = append(out, c)
	}
	return out, skipped, errors.Join(errs...)
}

func configOf(o statuspage.Objective) (slo.Config, error) {
	w, err := windowOf(o.Window)
	if err != nil {
		return slo.Config{}, err
	}
	c := slo.Config{
		Name: o.Name, Target: o.Target, Window: w, Alerts: []slo.AlertRule{},
		Metadata: slo.Metadata{Service: o.Service, Owner: o.Owner, Description: o.Description,
			Requests: o.Requests, Source: o.Source, Runbook: o.Runbook},
	}
	storage := sli.WithStorage(sli.Storage{Retention: max(sli.DefaultRetention, time.Duration(o.Period*float64(time.Second))+24*time.Hour)})
	switch {
	case o.Slices != nil:
		c.SLI, err = sli.NewRatioSlices(o.Slices.MinGood, sli.WithSlice(time.Duration(o.Slices.Seconds*float64(time.Second))), storage)
	default:
		c.SLI, err = sli.NewRatio(storage)
	}
	if err != nil {
		return slo.Config{}, err
	}
	for _, a := range o.Alerts {
		r := slo.AlertRule{Name: a.Name, Long: seconds(a.Long.Seconds), Short: seconds(a.Short.Seconds)}
		switch a.Severity {
		case slo.Page.String():
			r.Severity = slo.Page
		case slo.Ticket.String():
			r.Severity = slo.Ticket
		default:
			return slo.Config{}, fmt.Errorf("alert %q: severity %q", a.Name, a.Severity)
		}
		switch {
		case a.Exhaustion != nil:
			r.Exhaustion = seconds(*a.Exhaustion)
		case a.BudgetFraction != nil:
			r.BudgetFraction = *a.BudgetFraction
		default:
			return slo.Config{}, fmt.Errorf("alert %q: the document does not say its rule (written by an older nines)", a.Name)
		}
		if a.MinEvents != nil {
			r.MinEvents = *a.MinEvents
		}
		c.Alerts = append(c.Alerts, r)
	}
	return c, nil
}

func seconds(s float64) time.Duration { return time.Duration(math.Round(s)) * time.Second }

// windowOf reads a window as slo.Window.String writes it: "30d rolling",
// "90m0s rolling", "calendar month (Europe/Paris)".
func windowOf(s string) (slo.Window, error) {
	if d, ok := strings.CutSuffix(s, " rolling"); ok {
		if days, ok := strings.CutSuffix(d, "d"); ok {
			n, err := strconv.Atoi(days)
			if err == nil && n > 0 && n <= 100*366 {
				return slo.Rolling(time.Duration(n) * 24 * time.Hour), nil
			}
		}
		if dur, err := time.ParseDuration(d); err == nil && dur > 0 {
			return slo.Rolling(dur), nil
		}
	}
	if rest, ok := strings.CutPrefix(s, "calendar "); ok {
		period, zone, ok := strings.Cut(rest, " (")
		zone, _ = strings.CutSuffix(zone, ")")
		periods := map[string]slo.Period{"day": slo.Day, "week": slo.Week, "month": slo.Month, "quarter": slo.Quarter, "year": slo.Year}
		if p, known := periods[period]; ok && known && zone != "Local" {
			loc, err := time.LoadLocation(zone)
			if err != nil {
				return slo.Window{}, fmt.Errorf("window %q: %w", s, err)
			}
			return slo.Calendar(p, loc), nil
		}
	}
	return slo.Window{}, fmt.Errorf("window %q is neither rolling nor calendar", s)
}

var discardLogger = slog.New(slog.DiscardHandler)
