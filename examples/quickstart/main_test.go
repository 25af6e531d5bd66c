package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nines-slo/nines/examples/internal/ci"
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
	checkReport(t, report)
	// Search fails 5% of the time against a 99% objective: its state is
	// what its SLI says (breached below 99%, which two seconds of traffic
	// almost always are; a loaded machine may send too few requests to
	// see the failures).
	m2 := regexp.MustCompile(`shop GET /api/search availability: ([a-z, ]+)\n  SLI (\d+(?:\.\d+)?)%`).FindStringSubmatch(report)
	if m2 == nil {
		t.Fatalf("no search availability in the report:\n%s", report)
	}
	sliPct, _ := strconv.ParseFloat(m2[2], 64)
	if breached := m2[1] == "breached, so far"; breached != (sliPct < 99) {
		t.Errorf("search availability is %q at SLI %v%%:\n%s", m2[1], sliPct, report)
	}
}

// checkReport checks the report names each of the four route objectives
// with its state, its SLI and budget explained, and the latency ones with
// percentiles.
func checkReport(t *testing.T, report string) {
	t.Helper()
	if !regexp.MustCompile(`\n[1-9]\d* requests in [0-9.]+m?s\. Each route has two objectives, over a rolling 30 days`).MatchString(report) {
		t.Errorf("the report counts no requests, or does not say what the window is:\n%s", report)
	}
	head := regexp.MustCompile(`(?m)^shop GET /api/(items|search) (availability|latency): (met|at risk|breached, so far)$`)
	if n := len(head.FindAllString(report, -1)); n != 4 {
		t.Errorf("%d objectives in the report, want 4:\n%s", n, report)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^  SLI \d+(\.\d+)?%: the share of requests that succeeded; the target is 99%\.$`),
		regexp.MustCompile(`(?m)^  SLI \d+(\.\d+)?%: the share of requests that were answered within 100 ms; the target is 90%\.$`),
		regexp.MustCompile(`(?m)^  Error budget: 1% of requests may miss; `),
		regexp.MustCompile(`(?m)^  Burn rate \d+\.\d over the last 5 minutes: at 1 the budget would last exactly the 30 days;`),
		regexp.MustCompile(`(?m)^  Latency: half the requests within \d+\.\dms, 95% within \d+\.\dms, 99% within \d+\.\dms\.$`),
	} {
		if !want.MatchString(report) {
			t.Errorf("the report has no line like %s:\n%s", want, report)
		}
	}
}

// Ctrl-C (the run's context canceled) ends the traffic early, and the
// report follows.
func TestQuickstartInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-duration", "1h"}, pw)
		pw.CloseWithError(err)
		done <- err
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("no output: %v", sc.Err())
	}
	m := regexp.MustCompile(`the status page is (http://127\.0\.0\.1:\d+/slo) `).FindStringSubmatch(sc.Text())
	if m == nil {
		t.Fatalf("first line %q names no status page", sc.Text())
	}
	var out strings.Builder
	lines := make(chan struct{})
	go func() {
		defer close(lines)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
		}
	}()
	waitForTraffic(t, m[1])
	cancel() // Ctrl-C
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the quickstart did not stop on Ctrl-C")
	}
	<-lines
	checkReport(t, out.String())
}

// waitForTraffic waits until every route's objectives on the status page
// at url have some valid events, so that there is something to report
// and to chart.
func waitForTraffic(t *testing.T, url string) {
	t.Helper()
	ci.Eventually(t, time.Minute, "traffic on both routes", func() error {
		resp, err := http.Get(url + "?format=json")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		doc, err := statuspage.Decode(resp.Body)
		if err != nil {
			return err
		}
		for _, o := range doc.Objectives {
			if strings.Contains(o.Name, "/api/") && o.Valid < 20 {
				return fmt.Errorf("%s: %v valid events", o.Name, o.Valid)
			}
		}
		return nil
	})
}
