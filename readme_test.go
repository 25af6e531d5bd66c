package nines_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nines-slo/nines/budget"
	"github.com/nines-slo/nines/exporter/producer"
	"github.com/nines-slo/nines/exporter/statuspage"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

// Example_readme runs the README's code, as it is written there: between
// the two marks below, TestReadmeSnippet checks it line for line.
func Example_readme() {
	registry, _ := slo.NewRegistry()
	mux := http.NewServeMux()
	status, start := http.StatusServiceUnavailable, time.Now() // one request, failed

	// README begins
	// Per route, with no other code: availability and latency SLIs, objectives, golden signals.
	m, _ := middleware.New(middleware.Config{Registry: registry, Availability: 0.999, Latency: 0.9})
	handler := m.Handler(mux) // serve it: http.ListenAndServe(addr, handler)

	// Or by hand:
	availability, _ := sli.NewRatio()
	fast, _ := sli.NewLatency(100 * time.Millisecond) // good: answered within 100 ms
	// In the handler, per request: 5xx is bad, everything else good.
	availability.Record(sli.ClassifyStatus(status))
	fast.Record(time.Since(start))

	p, _ := fast.Percentiles(5 * time.Minute) // p50, p95, p99, p99.9 of the last 5 minutes

	// In a release gate or a status handler:
	target := budget.MustTarget(0.9995, 30*24*time.Hour) // 99.95% over 30 days
	c, _ := availability.Counts(target.Period())
	b, _ := target.Budget(c.Good, c.Valid)
	left, err := b.Remaining() // 1 untouched, 0 spent, < 0 overspent; ErrNoData without traffic
	decision, _ := budget.Policy{MinRemaining: 0.25}.Decide(b)
	fmt.Println(decision) // undecided below 2,000 requests; then, say, "allow: 38% of the error budget remains …"

	// The status page (HTML, or JSON with ?format=json) and OpenTelemetry export:
	page, _ := statuspage.Handler(registry)
	mux.Handle("GET /slo", page)
	metrics, _ := producer.New(registry) // sdkmetric.NewPeriodicReader(otlpExporter, sdkmetric.WithProducer(metrics))
	// README ends

	_, _, _, _, _ = handler, p, left, err, metrics
	// Output:
	// undecided: too little traffic to decide: 1 valid events, the policy needs 2000
}

// TestReadmeSnippet: the README's Go code is Example_readme's, line for
// line, so that what a newcomer copies compiles and does what it says.
func TestReadmeSnippet(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := bytes.Cut(readme, []byte("```go\n"))
	block, _, ok2 := bytes.Cut(rest, []byte("```\n"))
	if !ok || !ok2 {
		t.Fatal("README.md has no ```go block")
	}
	src, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(src), "\t// README begins\n")
	body, _, _ = strings.Cut(body, "\t// README ends\n")
	var example []string
	for _, l := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		example = append(example, strings.TrimPrefix(l, "\t"))
	}
	if got, want := strings.Join(example, "\n"), strings.TrimSuffix(string(block), "\n"); got != want {
		t.Errorf("README.md's code and Example_readme differ:\n--- README\n%s\n--- Example\n%s", want, got)
	}
}
