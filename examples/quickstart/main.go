// Command quickstart is nines in one run: an HTTP service on loopback
// whose routes are measured by nines' middleware, synthetic traffic with
// some errors and slow requests, a report of what nines computed in
// process, and the status page — no backend needed:
//
//	go run ./examples/quickstart                 # 5 seconds of traffic, then the report
//	go run ./examples/quickstart -duration 10m   # keep going, and browse the status page
//
// The service has two routes: GET /api/items, mostly fine, and
// GET /api/search, which fails 5% of the time and is often slow. Each gets
// an availability objective (99%) and a latency objective (90% within
// 100 ms) over a rolling 30 days.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nines-slo/nines/exporter/statuspage"
	"github.com/nines-slo/nines/internal/cli"
	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

func main() {
	// Ctrl-C ends the traffic early; the report follows all the same.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		log.Fatal(err)
	}
}

const help = `usage: go run ./examples/quickstart [-duration 5s] [-addr 127.0.0.1:0]

Runs a small shop API on loopback, measured by nines' middleware, sends it
synthetic traffic (some errors, some slow requests) for -duration, serves
its status page meanwhile, and prints what nines computed in process: per
route, the SLI, the error budget left, burn rates, latency percentiles and
the alerts firing, each explained. Ctrl-C ends it early, report included.
`

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	cli.Usage(fs, help)
	duration := fs.Duration("duration", 5*time.Second, "how long to drive traffic and serve the status page")
	addr := fs.String("addr", "127.0.0.1:0", "loopback address to serve on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *duration <= 0 {
		return errors.New("-duration must be positive")
	}

	// 1. Objectives per route, measured by the middleware.
	registry, err := slo.NewRegistry()
	if err != nil {
		return err
	}
	mw, err := middleware.New(middleware.Config{
		Service: "shop", Registry: registry,
		Availability: 0.99, Latency: 0.9, Threshold: 100 * time.Millisecond,
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(1, 2))
	roll := func() float64 { mu.Lock(); defer mu.Unlock(); return rng.Float64() }
	mw.Handle(mux, "GET /api/items", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serve(w, r, roll, 0.005, 0.02) // 0.5% errors, 2% slow
	}))
	mw.Handle(mux, "GET /api/search", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serve(w, r, roll, 0.05, 0.15) // 5% errors, 15% slow
	}))
	status, err := statuspage.Handler(registry)
	if err != nil {
		return err
	}
	mux.Handle("GET /slo", status)

	// 2. The service, on loopback.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(out, "serving on %s: the status page is %s/slo (JSON: %s/slo?format=json)\n", base, base, base)
	fmt.Fprintf(out, "driving traffic for %v (Ctrl-C to stop sooner)…\n", *duration)

	// 3. Synthetic traffic, bounded in time and count; Ctrl-C (ctx) ends
	// it early, and the report follows.
	began := time.Now()
	ctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	sent := traffic(ctx, base, 8, 1_000_000)
	took := time.Since(began).Round(100 * time.Millisecond)
	shutdown, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	srv.Shutdown(shutdown)
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}

	// 4. What nines computed, in process.
	statuses, err := registry.Status()
	if err != nil {
		return err
	}
	report(out, statuses, sent, took)
	return nil
}

// serve answers after a few milliseconds, sometimes slowly (150–300 ms),
// sometimes with a 503.
func serve(w http.ResponseWriter, r *http.Request, roll func() float64, fail, slow float64) {
	delay := time.Duration(2+roll()*28) * time.Millisecond
	if roll() < slow {
		delay = time.Duration(150+roll()*150) * time.Millisecond
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return
	}
	if roll() < fail {
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, `{"ok":true}`)
}

// traffic sends requests from workers goroutines, alternating routes,
// until ctx ends or max requests went out, and returns how many did.
func traffic(ctx context.Context, base string, workers, max int) int {
	client := &http.Client{Timeout: 5 * time.Second}
	var mu sync.Mutex
	sent := 0
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; ctx.Err() == nil; k++ {
				mu.Lock()
				if sent >= max {
					mu.Unlock()
					return
				}
				sent++
				mu.Unlock()
				path := "/api/items"
				if (k+w)%3 == 0 {
					path = "/api/search"
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
				resp, err := client.Do(req)
				if err != nil {
					continue // the run ended mid-request
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	return sent
}

// report says what nines computed, objective by objective, in words a
// newcomer can follow: each number with what it means.
func report(out io.Writer, statuses []slo.Status, sent int, took time.Duration) {
	fmt.Fprintf(out, "\n%d requests in %v. Each route has two objectives, over a rolling 30 days, as a\n", sent, took)
	fmt.Fprintf(out, "service would have; this demo is the first %v of them, so every number below\n", took)
	fmt.Fprintf(out, "is about that traffic, as if the month had been like it.\n\n")
	for _, s := range statuses {
		if s.NoData {
			continue
		}
		left, _ := s.Remaining()
		allowed := 1 - s.Target
		what, good := "succeeded", "requests"
		if len(s.Latency) > 0 {
			what = "were answered within 100 ms"
		}
		state := s.Attainment.String()
		if s.Attainment == slo.Breached {
			state = "breached, so far"
		}
		fmt.Fprintf(out, "%s: %s\n", s.Name, state)
		fmt.Fprintf(out, "  SLI %s: the share of %s that %s; the target is %s.\n", pct(s.SLI), good, what, pct(s.Target))
		switch {
		case left >= 0:
			fmt.Fprintf(out, "  Error budget: %s of requests may miss; %s did, so %s of the budget is left.\n", pct(allowed), pct(1-s.SLI), pctN(left, 1))
		default:
			fmt.Fprintf(out, "  Error budget: %s of requests may miss; %s did, %.1f times that: overspent (%s left).\n", pct(allowed), pct(1-s.SLI), (1-s.SLI)/allowed, pctN(left, 0))
		}
		burn := s.BurnRates[0] // 5m: the whole demo
		if !burn.NoData {
			lasts := time.Duration(float64(30*24*time.Hour) / max(burn.Rate, 1e-9))
			fmt.Fprintf(out, "  Burn rate %.1f over the last 5 minutes: at 1 the budget would last exactly the 30 days;", burn.Rate)
			if burn.Rate > 1 {
				fmt.Fprintf(out, " a full budget would last %s.\n", days(lasts))
			} else {
				fmt.Fprintf(out, " it would outlast the month.\n")
			}
		}
		for _, p := range s.Latency {
			if p.Window == 5*time.Minute {
				fmt.Fprintf(out, "  Latency: half the requests within %s, 95%% within %s, 99%% within %s.\n", ms(p.P50), ms(p.P95), ms(p.P99))
			}
		}
		for _, a := range s.Alerts {
			if a.Firing {
				fmt.Fprintf(out, "  Alert %s (%s): burning faster than %.1f over both %s and %s, which spends %s of the budget in %s.\n",
					a.Rule.Name, a.Rule.Severity, a.Threshold, span(a.Rule.Long), span(a.Rule.Short), pct(a.Rule.BudgetFraction), span(a.Rule.Long))
			}
		}
	}
}

// pct writes a fraction as a percentage, to two decimals at most.
func pct(f float64) string { return pctN(f, 2) }

// pctN writes a fraction as a percentage, to digits decimals at most.
func pctN(f float64, digits int) string {
	s := strconv.FormatFloat(f*100, 'f', digits, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// span writes an alert window the way the rules are named: 5m, 1h, 3d.
func span(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/time.Minute)) + "m"
}

// days writes a long duration in days and hours.
func days(d time.Duration) string {
	if d < 48*time.Hour {
		return d.Round(time.Minute).String()
	}
	return strconv.FormatFloat(d.Hours()/24, 'f', 1, 64) + " days"
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + "ms"
}
