package main

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nines-slo/nines/exporter/statuspage"
)

const statusHelp = `usage: nines status [flags] source...

Shows a service's objectives in the terminal, worst first: failed, then
breached, a page alert firing, a ticket alert firing, at risk, no data,
met; within each, the least budget left first. Each source is a replica's
status page (http://127.0.0.1:8080/slo) or a status JSON file; each
replica's objectives are shown as it reports them.

  state      breached: the SLI is below the target over the window (the
             budget is overspent); at risk: under a quarter of the budget
             left, or an alert firing
  budget     the share of the window's error budget not yet spent; below
             0% when overspent
  runs out   when the budget is gone at the burn rate of a recent window
             (the objective's exhaustion window, 6h by default)
  burn 1h    how fast the budget is spent over the last hour: 1 spends
             all of it over the window, 14.4 spends 2% of 30 days' in an
             hour
  firing     the alert rules whose windows both burn above their
             threshold, with enough events to tell (see nines gate -h)

Exit status: 0 when every objective is met or has no data, 1 when one is
breached, at risk or failed, 2 when a source cannot be read.
`

func status(args []string, out, errOut io.Writer) int {
	fs := newFlags("status", statusHelp, errOut)
	timeout := fs.Duration("timeout", 10*time.Second, "timeout of each HTTP fetch")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	code := 0
	for _, src := range fs.Args() {
		data, err := fetch(src, *timeout, maxSnapshot)
		if err != nil {
			return fail(errOut, "status", fmt.Errorf("%s: %w", src, err))
		}
		doc, err := statuspage.Decode(bytes.NewReader(data))
		if err != nil {
			return fail(errOut, "status", fmt.Errorf("%s: %w", src, err))
		}
		if showStatus(out, src, doc) {
			code = 1
		}
	}
	return code
}

// stateOf names an objective's condition for the terminal: capitals for
// those that need someone.
func stateOf(o statuspage.Objective) string {
	switch c := o.Condition(); c {
	case statuspage.Failed, statuspage.Breached, statuspage.AtRisk:
		return strings.ToUpper(c.String())
	case statuspage.Paging:
		return "PAGE"
	case statuspage.Ticketed:
		return "TICKET"
	default:
		return c.String()
	}
}

// showStatus prints one document's objectives, worst first, and reports
// whether any needs attention.
func showStatus(out io.Writer, src string, doc statuspage.Document) (attention bool) {
	objs := slices.Clone(doc.Objectives)
	slices.SortStableFunc(objs, statuspage.Worst)
	counts := map[string]int{}
	for _, o := range objs {
		counts[stateOf(o)]++
		if o.Condition() <= statuspage.AtRisk {
			attention = true
		}
	}
	var summary []string
	for _, s := range []string{"FAILED", "BREACHED", "PAGE", "TICKET", "AT RISK", "no data", "met"} {
		if n := counts[s]; n > 0 {
			summary = append(summary, fmt.Sprintf("%d %s", n, strings.ToLower(s)))
		}
	}
	who := src
	if doc.Instance != "" {
		who += " (" + doc.Instance + ")"
	}
	fmt.Fprintf(out, "%s at %s: %d objectives: %s\n", who, doc.At.UTC().Format(time.RFC3339), len(objs), strings.Join(summary, ", "))
	tw := tabwriter.NewWriter(out, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "state\tobjective\tSLI\ttarget\tbudget\truns out\tburn 1h\tfiring")
	for _, o := range objs {
		sliText, budget, runsOut, burn := "—", "—", "—", "—"
		if o.SLI != nil {
			sliText = pct(*o.SLI, 3)
		}
		if o.Budget != nil {
			budget = pct(o.Budget.Remaining, 1)
		}
		if e := o.Exhaustion; e != nil {
			switch {
			case e.Never:
				runsOut = "not this window"
			case e.In != nil && *e.In <= 0:
				runsOut = "spent"
			case e.In != nil:
				runsOut = "in " + short(time.Duration(*e.In*float64(time.Second)))
			}
		}
		for _, b := range o.BurnRates {
			if b.Window == "1h" && b.Rate != nil {
				burn = strconv.FormatFloat(*b.Rate, 'g', 3, 64)
			}
		}
		var firing []string
		for _, a := range o.Alerts {
			if a.Firing {
				firing = append(firing, a.Name)
			}
		}
		name := o.Name
		if o.Error != "" {
			name += " (" + o.Error + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", stateOf(o), name, sliText, pct(o.Target, 3), budget, runsOut, burn, strings.Join(firing, ", "))
	}
	tw.Flush()
	return attention
}

// pct writes a fraction as a percentage with up to digits decimals.
func pct(f float64, digits int) string {
	s := strconv.FormatFloat(f*100, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s + "%"
}

// short writes a duration in its two largest units: "3d 4h", "2h 5m", "45s".
func short(d time.Duration) string {
	units := []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}}
	var parts []string
	for _, u := range units {
		if n := d / u.d; n > 0 && len(parts) < 2 {
			parts = append(parts, strconv.FormatInt(int64(n), 10)+u.name)
			d -= n * u.d
		} else if len(parts) > 0 {
			break
		}
	}
	if len(parts) == 0 {
		return "now"
	}
	return strings.Join(parts, " ")
}
