package promrules_test

import (
	"bufio"
	"fmt"
	"strings"
	"time"

	"github.com/nines-slo/nines/exporter/promrules"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// Write the rules for one availability objective and list what they
// define: four recording rules for each of the seven windows (the burn
// windows and the 30-day period), the budget left, three burn-rate alerts
// and one for missing data.
func ExampleWrite() {
	availability, _ := sli.NewRatio()
	o, _ := slo.New(slo.Config{Name: "checkout", SLI: availability, Target: 0.999})
	registry, _ := slo.NewRegistry(o)

	var rules strings.Builder
	if err := promrules.Write(&rules, registry, promrules.Config{}); err != nil {
		panic(err)
	}
	records, alerts := 0, map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(rules.String()))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "- record: ") {
			records++
		}
		if name, ok := strings.CutPrefix(line, "- alert: "); ok {
			alerts[name]++
		}
	}
	fmt.Println(records, "recording rules;", alerts[promrules.AlertName], "alerts named", promrules.AlertName+",", alerts[promrules.AbsentAlertName], promrules.AbsentAlertName)
	fmt.Println("the 1-hour SLI:", promrules.RecordName("sli", time.Hour))
	// Output:
	// 29 recording rules; 3 alerts named SLOErrorBudgetBurn, 1 SLOEventsAbsent
	// the 1-hour SLI: nines_slo:sli:ratio_1h
}

// Rules for one namespace of a backend that holds several, with an SLI per
// job: the summed counters keep job and namespace, and nothing else.
func ExampleConfig_selector() {
	availability, _ := sli.NewRatio()
	o, _ := slo.New(slo.Config{Name: "checkout", SLI: availability, Target: 0.999})
	registry, _ := slo.NewRegistry(o)

	var rules strings.Builder
	c := promrules.Config{Selector: `namespace="shop"`, By: []string{"job", "namespace"}}
	if err := promrules.Write(&rules, registry, c); err != nil {
		panic(err)
	}
	for _, line := range strings.Split(rules.String(), "\n") {
		if strings.Contains(line, "increase(") && strings.Contains(line, "[1h]") {
			fmt.Println(strings.TrimSpace(line))
		}
	}
	// Output:
	// expr: "sum by (nines_slo_name, nines_slo_service, job, namespace) (increase(nines_slo_events_good_total{nines_slo_name=\"checkout\",namespace=\"shop\"}[1h]))"
	// expr: "sum by (nines_slo_name, nines_slo_service, job, namespace) (increase(nines_slo_events_valid_total{nines_slo_name=\"checkout\",namespace=\"shop\"}[1h]))"
}
