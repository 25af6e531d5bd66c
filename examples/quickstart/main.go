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
	"strconv"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/nines-slo/nines/examples/internal/cli"
	"github.com/nines-slo/nines/exporter/statuspage"
	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout)
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
	fmt.Fprintf(out, "driving traffic for %v…\n", *duration)

	// 3. Synthetic traffic, bounded in time and count.
	ctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	sent := traffic(ctx, base, 8, 1_000_000)
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
	fmt.Fprintf(out, "\n%d requests; objectives over the last 30 days (rolling):\n\n", sent)
	report(out, statuses)
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

// report prints one line per objective that saw traffic.
func report(out io.Writer, statuses []slo.Status) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "objective\tstate\tSLI\ttarget\tbudget left\tburn 5m\tburn 1h\tp50\tp95\tp99\talerts firing")
	for _, s := range statuses {
		if s.NoData {
			continue
		}
		left, _ := s.Remaining()
		p50, p95, p99 := "", "", ""
		for _, p := range s.Latency {
			if p.Window == 5*time.Minute {
				p50, p95, p99 = ms(p.P50), ms(p.P95), ms(p.P99)
			}
		}
		firing := ""
		for _, a := range s.Alerts {
			if a.Firing {
				firing += a.Rule.Name + " "
			}
		}
		if firing == "" {
			firing = "none"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.3f%%\t%g%%\t%.0f%%\t%.1f\t%.1f\t%s\t%s\t%s\t%s\n", s.Name, s.Attainment, s.SLI*100, s.Target*100,
			left*100, s.BurnRates[0].Rate, s.BurnRates[2].Rate, p50, p95, p99, firing)
	}
	tw.Flush()
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + "ms"
}
