// Command promrules writes the Prometheus rules for the demo service's
// objectives (see examples/httpserver) to standard output:
//
//	go run ./examples/promrules > nines-rules.yml
//	promtool check rules nines-rules.yml
//
// The rules compute each objective's SLI, burn rates and budget across
// every replica from the event counters the replicas export, and alert as
// the in-process alerts do.
package main

import (
	"flag"
	"log"
	"os"

	"github.com/nines-slo/nines/exporter/promrules"
	"github.com/nines-slo/nines/internal/cli"
	"github.com/nines-slo/nines/internal/demo"
)

const help = `usage: go run ./examples/promrules [-interval 1m] > rules.yml

Writes the Prometheus recording and alerting rules of the demo service
(examples/httpserver) to the standard output: what a Prometheus scraping
its replicas evaluates to compute the same SLIs, budgets and alerts.
`

func main() {
	cli.Usage(flag.CommandLine, help)
	interval := flag.Duration("interval", 0, "rule groups' evaluation interval (0: Prometheus's global one)")
	flag.Parse()
	svc, err := demo.New()
	if err != nil {
		log.Fatal(err)
	}
	if err := promrules.Write(os.Stdout, svc.Registry, promrules.Config{Interval: *interval}); err != nil {
		log.Fatal(err)
	}
}
