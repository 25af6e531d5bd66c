package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nines-slo/nines/exporter/statuspage"
)

// TestQuickstart runs the quickstart for two seconds, reads its status
// page and JSON while the traffic runs, and checks the report: every route
// objective with a state, an SLI, the budget left, burn rates and, for the
// latency ones, percentiles.
func TestQuickstart(t *testing.T) {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(context.Background(), []string{"-duration", "2s"}, pw)
		pw.CloseWithError(err)
		done <- err
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("no output: %v", sc.Err())
	}
	first := sc.Text()
	m := regexp.MustCompile(`the status page is (http://127\.0\.0\.1:\d+/slo) `).FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("first line %q names no status page on loopback", first)
	}
	var out strings.Builder
	out.WriteString(first + "\n")
	lines := make(chan struct{})
	go func() {
		defer close(lines)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
		}
	}()

	resp, err := http.Get(m[1] + "?format=json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := statuspage.Decode(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Objectives) < 4 {
		t.Errorf("status document has %d objectives, want the 4 route objectives and more", len(doc.Objectives))
	}
	resp, err = http.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "shop GET /api/search availability") {
		t.Errorf("status page lacks the search objective")
	}

	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the quickstart did not stop after its duration")
	}
	<-lines
	report := out.String()
	t.Log(report)
	if !regexp.MustCompile(`\n[1-9]\d* requests; objectives`).MatchString(report) {
		t.Errorf("report counts no requests")
	}
	row := regexp.MustCompile(`(?m)^shop GET /api/(items|search) (availability|latency) +(met|at risk|breached) +(\d+\.\d{3})% +(99|90)% +(-?\d+)% +(\d+\.\d) +(\d+\.\d)( +\d+\.\dms){0,3} +(none|[a-z0-9- ]+)$`)
	rows := row.FindAllStringSubmatch(report, -1)
	if len(rows) != 4 {
		t.Fatalf("%d objective rows in the report, want 4:\n%s", len(rows), report)
	}
	for _, r := range rows {
		if r[2] == "latency" && r[9] == "" {
			t.Errorf("latency row without percentiles: %q", r[0])
		}
	}
	// Search fails 5% of the time against a 99% objective: breached.
	if !strings.Contains(report, "shop GET /api/search availability  breached") {
		t.Errorf("search availability is not breached:\n%s", report)
	}
}
