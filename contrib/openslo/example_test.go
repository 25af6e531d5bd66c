package ninesopenslo_test

import (
	"fmt"
	"os"
	"strings"

	ninesopenslo "github.com/nines-slo/nines/contrib/openslo"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// An SLO declared in OpenSLO, computed in-process: Read builds the SLI,
// the service records into it.
func ExampleRead() {
	const file = `
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-latency
spec:
  service: checkout
  indicator:
    metadata: {name: checkout-latency}
    spec:
      thresholdMetric:
        metricSource: {type: Prometheus, spec: {query: checkout_request_seconds}}
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - op: lte
      value: 0.3
      targetPercent: 99
`
	configs, err := ninesopenslo.Read(strings.NewReader(file))
	if err != nil {
		fmt.Println(err)
		return
	}
	c := configs[0]
	o, _ := slo.New(c)
	latency := c.SLI.(*sli.Latency)
	fmt.Println(o.Name(), o.Target(), o.Window(), "good within", latency.Threshold())
	// Output: checkout-latency 0.99 28d rolling good within 300ms
}

// Objectives declared in Go, written for the tools that read OpenSLO:
// the SLI's metric sources are the counters nines exports.
func ExampleWrite() {
	availability, _ := sli.NewRatio()
	o, _ := slo.New(slo.Config{
		Name:     "checkout availability",
		SLI:      availability,
		Target:   0.999,
		Metadata: slo.Metadata{Service: "checkout"},
		Alerts:   []slo.AlertRule{}, // no alert policies, for a short example
	})
	r, _ := slo.NewRegistry(o)
	if err := ninesopenslo.Write(os.Stdout, r, ninesopenslo.Config{}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// apiVersion: openslo/v1
	// kind: Service
	// metadata:
	//   name: checkout
	//   displayName: checkout
	// spec: {}
	// ---
	// apiVersion: openslo/v1
	// kind: SLI
	// metadata:
	//   name: checkout-availability
	//   displayName: checkout availability
	//   annotations:
	//     nines-slo.github.io/name: checkout availability
	// spec:
	//   ratioMetric:
	//     counter: true
	//     good:
	//       metricSource:
	//         type: Prometheus
	//         spec:
	//           query: nines_slo_events_good_total{nines_slo_name="checkout availability"}
	//     total:
	//       metricSource:
	//         type: Prometheus
	//         spec:
	//           query: nines_slo_events_valid_total{nines_slo_name="checkout availability"}
	// ---
	// apiVersion: openslo/v1
	// kind: SLO
	// metadata:
	//   name: checkout-availability
	//   displayName: checkout availability
	//   annotations:
	//     nines-slo.github.io/name: checkout availability
	// spec:
	//   service: checkout
	//   indicatorRef: checkout-availability
	//   timeWindow:
	//     - duration: 30d
	//       isRolling: true
	//   budgetingMethod: Occurrences
	//   objectives:
	//     - displayName: checkout availability
	//       target: 0.999
}
