// Command chaos is nines' standing chaos suite: it puts the library
// through what production does to it and checks that every failure stays
// small. Each scenario is bounded in count and in time; together they
// take well under five minutes. It prints one table of figures and exits
// 1 if any scenario broke a rule (an event lost or counted twice, a crash
// debris left, a hostile input accepted or costing more than its limit, a
// goroutine left behind):
//
//	go run ./examples/chaos             # every scenario
//	go run ./examples/chaos -run otlp   # those whose name contains otlp
//	go run ./examples/chaos -scale 0.2  # a fifth of the load, for a quick look
//
// The scenarios: concurrent recording across rotations and snapshots,
// clock steps, a slow and a dead OTLP backend, kill -9 while persisting,
// hostile paths, methods and names over HTTP/1.1 and HTTP/2, oversized
// and corrupt snapshots, late writes and handler panics.
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nines-slo/nines/internal/cli"
)

// scenario is one chaos scenario: it returns its figures, in order, and
// the rules it found broken.
type scenario struct {
	name string
	run  func(s *suite) (figures []figure, broken []string)
}

type figure struct {
	name  string
	value string
}

func fig(name string, format string, args ...any) figure {
	return figure{name, fmt.Sprintf(format, args...)}
}

// suite is what every scenario is given.
type suite struct {
	scale float64 // multiplies every count
	dir   string  // a scratch directory, removed at the end
}

// n scales a count, keeping at least one.
func (s *suite) n(count int) int { return max(1, int(float64(count)*s.scale)) }

var scenarios = []scenario{
	{"recording across rotations and snapshots", recordingScenario},
	{"clock steps", clockScenario},
	{"slow and dead OTLP backends", otlpScenario},
	{"kill -9 while persisting", killScenario},
	{"hostile requests over HTTP/1.1", func(s *suite) ([]figure, []string) { return hostileScenario(s, false) }},
	{"hostile requests over HTTP/2", func(s *suite) ([]figure, []string) { return hostileScenario(s, true) }},
	{"late writes and handler panics", lateScenario},
	{"oversized and corrupt snapshots", snapshotScenario},
}

func main() {
	if path := os.Getenv(childEnv); path != "" {
		persistUntilKilled(path)
		return
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const help = `usage: go run ./examples/chaos [-run name] [-scale 1]

nines' standing chaos suite: concurrent recording across rotations and
snapshots, clock steps, a slow and a dead OTLP backend, kill -9 while
persisting, hostile requests over HTTP/1.1 and HTTP/2, late writes and
handler panics, oversized and corrupt snapshots. It prints one table of
figures and exits 1 if any scenario broke a rule (an event lost or
counted twice, crash debris left, a hostile input accepted or costing
more than its limit, a goroutine left behind).
`

func run(args []string, out, errOut io.Writer) int {
	fs := flag.NewFlagSet("chaos", flag.ContinueOnError)
	fs.SetOutput(errOut)
	cli.Usage(fs, help)
	only := fs.String("run", "", "run only the scenarios whose name contains this")
	scale := fs.Float64("scale", 1, "multiply every scenario's counts by this, in (0, 1]")
	if err := fs.Parse(args); err == flag.ErrHelp {
		return 0
	} else if err != nil {
		return 2
	}
	if !(*scale > 0 && *scale <= 1) {
		fmt.Fprintln(errOut, "chaos: -scale must be in (0, 1]")
		return 2
	}
	dir, err := os.MkdirTemp("", "nines-chaos-")
	if err != nil {
		fmt.Fprintln(errOut, "chaos:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	// The scenarios fire alerts and the server logs panics: not for the table.
	slog.SetDefault(slog.New(slog.DiscardHandler))
	s := &suite{scale: *scale, dir: dir}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\ttime\tresult\tfigures")
	code := 0
	ran := 0
	for _, sc := range scenarios {
		if !strings.Contains(sc.name, *only) {
			continue
		}
		ran++
		start := time.Now()
		figures, broken := sc.run(s)
		result := "ok"
		if len(broken) > 0 {
			result = "BROKEN"
			code = 1
		}
		var parts []string
		for _, f := range figures {
			parts = append(parts, f.name+" "+f.value)
		}
		fmt.Fprintf(tw, "%s\t%.1fs\t%s\t%s\n", sc.name, time.Since(start).Seconds(), result, strings.Join(parts, ", "))
		for _, b := range broken {
			fmt.Fprintf(tw, "\t\t\t! %s\n", b)
		}
	}
	tw.Flush()
	if ran == 0 {
		fmt.Fprintf(errOut, "chaos: no scenario matches %q\n", *only)
		return 2
	}
	return code
}
