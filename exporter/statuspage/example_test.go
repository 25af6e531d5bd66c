package statuspage_test

import (
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/nines-slo/nines/exporter/statuspage"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// Serve the status page and its JSON document; here the document is
// fetched through the handler directly.
func ExampleHandler() {
	now := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	availability, _ := sli.NewRatio(sli.WithClock(now))
	for k := range 1000 {
		if k%250 == 0 {
			availability.Record(sli.Bad)
		} else {
			availability.Record(sli.Good)
		}
	}
	o, _ := slo.New(slo.Config{Name: "checkout", SLI: availability, Target: 0.99}, slo.WithClock(now))
	registry, _ := slo.NewRegistry(o)

	page, err := statuspage.Handler(registry)
	if err != nil {
		panic(err)
	}
	// mux.Handle("GET /slo", page)
	rec := httptest.NewRecorder()
	page.ServeHTTP(rec, httptest.NewRequest("GET", "/slo?format=json", nil))
	doc, err := statuspage.Decode(rec.Body)
	if err != nil {
		panic(err)
	}
	c := doc.Objectives[0]
	fmt.Printf("%s %s: SLI %.3f, %s, budget left %.0f%% (%.0f bad events more)\n",
		doc.Schema, c.Name, *c.SLI, c.State, c.Budget.Remaining*100, c.Budget.RemainingEvents)
	// Output:
	// nines.status/v1 checkout: SLI 0.996, met, budget left 60% (6 bad events more)
}
