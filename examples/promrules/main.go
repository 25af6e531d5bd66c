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
	"github.com/nines-slo/nines/internal/demo"
)

func main() {
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
