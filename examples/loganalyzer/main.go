// Command loganalyzer computes SLIs and latency percentiles from an access
// log — the log-based SLIs of docs/concepts.md — with nothing else running:
//
//	go run ./examples/loganalyzer access.log
//	tail -n 100000 access.log | go run ./examples/loganalyzer -threshold 250ms
//
// It reads nginx's combined format with the request time appended
// (log_format with "... $request_time"), from files or standard input:
//
//	203.0.113.9 - - [22/Nov/2026:10:00:00 +0000] "GET /api/items/42 HTTP/1.1" 200 512 "-" "curl/8.5" 0.023
//
// Per route (method and path, numbers folded into {n}, query dropped; at
// most -max-routes, the rest under "(other)") it reports requests,
// availability (5xx bad; 499, the client gone, not valid), the latency SLI
// (good within -threshold), p50/p95/p99, and the error budget left against
// -availability over the -window ending at the log's last line. Lines it
// cannot parse are counted and reported, never silently dropped.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/nines-slo/nines/internal/cli"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

func main() {
	err := run(os.Args[1:], os.Stdin, os.Stdout)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		log.Fatal(err)
	}
}

const help = `usage: go run ./examples/loganalyzer [flags] [access.log ...]

Computes SLIs and latency percentiles from nginx access logs in the
combined format with $request_time appended, from the files given or the
standard input:

  203.0.113.9 - - [22/Nov/2026:10:00:00 +0000] "GET /api/items/42 HTTP/1.1" 200 512 "-" "curl/8.5" 0.023

Per route it reports requests, availability (5xx bad; 499, the client
gone, not valid), the latency SLI (good within -threshold), p50/p95/p99,
and the error budget left against -availability over -window. A sample:
examples/loganalyzer/testdata/access.log.
`

// line matches the combined format with $request_time last.
var line = regexp.MustCompile(`^\S+ \S+ \S+ \[([^\]]+)\] "(\S+) (\S+)[^"]*" (\d{3}) \S+ "[^"]*" "[^"]*" (\d+(?:\.\d+)?)\s*$`)

var number = regexp.MustCompile(`/\d+(/|$)`)

// route is one route's SLIs.
type route struct {
	name         string
	availability *sli.Ratio
	latency      *sli.Latency
}

func run(args []string, stdin io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("loganalyzer", flag.ContinueOnError)
	cli.Usage(fs, help)
	threshold := fs.Duration("threshold", 300*time.Millisecond, "latency threshold: faster is good")
	availability := fs.Float64("availability", 0.99, "availability target for the budget")
	window := fs.Duration("window", 30*24*time.Hour, "budget window, ending at the last line")
	maxRoutes := fs.Int("max-routes", 50, "routes kept apart; the rest go under (other)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var latest atomic.Int64 // the latest time read: the SLIs' clock
	clock := func() time.Time { return time.Unix(0, latest.Load()) }
	retain := sli.WithStorage(sli.Storage{Retention: *window + 24*time.Hour})
	routes := map[string]*route{}
	var order []string
	get := func(name string) (*route, error) {
		if r, ok := routes[name]; ok {
			return r, nil
		}
		if len(routes) >= *maxRoutes {
			name = "(other)"
			if r, ok := routes[name]; ok {
				return r, nil
			}
		}
		a, err := sli.NewRatio(sli.WithClock(clock), retain)
		if err != nil {
			return nil, err
		}
		l, err := sli.NewLatency(*threshold, sli.WithClock(clock), retain)
		if err != nil {
			return nil, err
		}
		r := &route{name: name, availability: a, latency: l}
		routes[name] = r
		order = append(order, name)
		return r, nil
	}

	inputs := fs.Args()
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	var lines, malformed int
	var firstBad string
	for _, in := range inputs {
		rd := stdin
		if in != "-" {
			f, err := os.Open(in)
			if err != nil {
				return err
			}
			defer f.Close()
			rd = f
		}
		sc := bufio.NewScanner(rd)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			text := sc.Text()
			if strings.TrimSpace(text) == "" {
				continue
			}
			lines++
			m := line.FindStringSubmatch(text)
			var t time.Time
			var status int
			var secs float64
			err := errors.New("not nginx combined format with $request_time")
			if m != nil {
				t, err = time.Parse("02/Jan/2006:15:04:05 -0700", m[1])
				if err == nil {
					status, _ = strconv.Atoi(m[4])
					secs, err = strconv.ParseFloat(m[5], 64)
				}
			}
			if err != nil {
				malformed++
				if firstBad == "" {
					firstBad = fmt.Sprintf("%s line %d: %v", in, lines, err)
				}
				continue
			}
			if t.UnixNano() > latest.Load() {
				latest.Store(t.UnixNano())
			}
			path, _, _ := strings.Cut(m[3], "?")
			for number.MatchString(path) {
				path = number.ReplaceAllString(path, "/{n}$1")
			}
			r, err := get(m[2] + " " + path)
			if err != nil {
				return err
			}
			d := time.Duration(secs * float64(time.Second))
			switch {
			case status == 499: // nginx: the client closed the connection
				r.availability.RecordAt(t, sli.Invalid)
				r.latency.ExcludeAt(t)
			case status >= 500:
				r.availability.RecordAt(t, sli.Bad)
				r.latency.ExcludeAt(t) // failures' latency is not the service's speed
			default:
				r.availability.RecordAt(t, sli.Good)
				r.latency.RecordAt(t, d)
			}
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("%s: %w", in, err)
		}
	}
	if lines == malformed {
		return fmt.Errorf("no access log lines read (%d malformed)", malformed)
	}
	sort.Strings(order)

	end := clock()
	fmt.Fprintf(out, "%d lines, %d routes, up to %s", lines, len(order), end.UTC().Format(time.RFC3339))
	if malformed > 0 {
		fmt.Fprintf(out, "; %d malformed (first: %s)", malformed, firstBad)
	}
	fmt.Fprintf(out, "\n\n")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "route\trequests\tavailability\twithin %v\tp50\tp95\tp99\tbudget left (%g%%, %s)\n", *threshold, *availability*100, window.String())
	for _, name := range order {
		r := routes[name]
		a, l := r.availability.Recorded(), r.latency.Recorded()
		tot := r.availability.Totals()
		row := []string{name, strconv.FormatUint(tot.Good+tot.Bad+tot.Invalid, 10), ratio(a), ratio(l)}
		h := r.latency.Cumulative()
		for _, q := range []float64{0.5, 0.95, 0.99} {
			v, err := h.Quantile(q)
			if err != nil {
				row = append(row, "—")
				continue
			}
			row = append(row, strconv.FormatFloat(float64(v)/float64(time.Millisecond), 'f', 1, 64)+"ms")
		}
		o, err := slo.New(slo.Config{Name: name, SLI: r.availability, Target: *availability, Window: slo.Rolling(*window), Alerts: []slo.AlertRule{}},
			slo.WithClock(clock))
		if err != nil {
			return err
		}
		left := "—"
		if s, err := o.StatusAt(end); err == nil {
			if f, err := s.Remaining(); err == nil {
				left = strconv.FormatFloat(f*100, 'f', 0, 64) + "%"
			}
		}
		fmt.Fprintln(tw, strings.Join(append(row, left), "\t"))
	}
	return tw.Flush()
}

func ratio(c sli.Counts) string {
	r, err := c.Ratio()
	if err != nil {
		return "no data"
	}
	return strconv.FormatFloat(r*100, 'f', 2, 64) + "%"
}
