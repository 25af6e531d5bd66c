// Command aggregated rolls four user journeys into one "browse" SLI, the
// worked example of docs/concepts.md: events are summed across the journeys
// (not their ratios averaged), so each journey weighs as much as its
// traffic.
//
//	go run ./examples/aggregated
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"text/tabwriter"
	"time"

	"github.com/nines-slo/nines/internal/cli"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

const help = `usage: go run ./examples/aggregated

Rolls four user journeys into one "browse" SLI, the worked example of
docs/concepts.md: their events are summed (not their ratios averaged), so
each journey weighs as much as its traffic; prints each journey's SLI and
the aggregate's, 99.95%. It takes no flags.
`

func main() {
	cli.Usage(flag.CommandLine, help)
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// journey is one user journey's events over the day.
type journey struct {
	name        string
	good, valid int
}

func run(out io.Writer) error {
	journeys := []journey{
		{"home", 9994, 10000},
		{"search", 9989, 10000},
		{"category", 9997, 10000},
		{"detail", 10000, 10000},
	}
	now := time.Now()
	var parts []sli.Part
	for _, j := range journeys {
		r, err := sli.NewRatio()
		if err != nil {
			return err
		}
		// The journey's events, spread over the last day.
		for k := range j.valid {
			o := sli.Good
			if k >= j.good {
				o = sli.Bad
			}
			r.RecordAt(now.Add(-time.Duration(k)*24*time.Hour/time.Duration(j.valid)), o)
		}
		parts = append(parts, sli.Part{Name: j.name, SLI: r})
	}
	browse, err := sli.NewAggregated(parts)
	if err != nil {
		return err
	}
	o, err := slo.New(slo.Config{Name: "browse", SLI: browse, Target: 0.999, Window: slo.Rolling(7 * 24 * time.Hour),
		Metadata: slo.Metadata{Description: "browsing pages load without error"}})
	if err != nil {
		return err
	}

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "journey\tgood\tvalid\tSLI\t")
	for _, p := range parts {
		c, err := p.SLI.CountsAt(now, 7*24*time.Hour) // the objective's window
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%s\t\n", p.Name, c.Good, c.Valid, pct(c.Good/c.Valid))
	}
	s, err := o.Status()
	if err != nil {
		return err
	}
	fmt.Fprintf(tw, "browse\t%.0f\t%.0f\t%s\t\n", s.Good, s.Valid, pct(s.SLI))
	tw.Flush()
	left, err := s.Remaining()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nbrowse against %s over %s: %s, %.0f%% of the error budget left (%.0f of %.0f bad events allowed)\n",
		pct(s.Target), s.Window, s.Attainment, left*100, s.Budget.Bad(), s.Budget.Allowed())
	return nil
}

func pct(f float64) string { return fmt.Sprintf("%.2f%%", f*100) }
