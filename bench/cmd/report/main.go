// Command report runs every benchmark of the bench module interleaved over
// several rounds, at GOMAXPROCS 1 and 2, with -benchmem, measures memory
// per SLI and quantile accuracy, and writes BENCHMARKS.md: medians, the
// ratio of nines to each peer, the targets met or missed, and the machine
// it ran on. From the repository root:
//
//	go run ./bench/cmd/report                  # writes BENCHMARKS.md
//	go run ./bench/cmd/report -rounds 3 -benchtime 200ms -out /tmp/b.md
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nines-slo/nines/bench"
)

func main() {
	var c config
	flag.IntVar(&c.rounds, "rounds", 6, "rounds: each runs every benchmark once at each GOMAXPROCS")
	flag.StringVar(&c.benchtime, "benchtime", "500ms", "go test -benchtime for each benchmark")
	flag.StringVar(&c.cpus, "cpu", "1,2", "GOMAXPROCS values")
	flag.IntVar(&c.idleRounds, "idle-rounds", 3, "rounds of the idle CPU benchmark (a minute per number of routes each), run beside the rules; 0 skips it")
	flag.BoolVar(&c.rules, "rules", true, "measure the rule groups on a real Prometheus 3 (examples/promrules' BenchmarkRuleEvaluation, about 10 minutes)")
	flag.StringVar(&c.out, "out", "BENCHMARKS.md", "where to write the report")
	flag.StringVar(&c.dir, "dir", "", "the bench module's directory (default: ./bench from the repository root, or .)")
	flag.StringVar(&c.raw, "raw", "", "also save the benchmarks' raw output to this file")
	flag.StringVar(&c.from, "from", "", "read the benchmarks' raw output from this file instead of running them")
	flag.Parse()
	if err := run(c); err != nil {
		log.Fatal(err)
	}
}

// config is the command's flags.
type config struct {
	rounds, idleRounds                   int
	rules                                bool
	benchtime, cpus, out, dir, raw, from string
	// ran is when the benchmarks ran: now, or for -from the time the raw
	// output records (its file's modification time if it records none).
	ran time.Time
}

func run(c config) error {
	results := map[string]*samples{}
	if c.from != "" {
		data, err := os.ReadFile(c.from)
		if err != nil {
			return err
		}
		if err := parse(bytes.NewReader(data), results); err != nil {
			return err
		}
		if c.ran, err = started(data, c.from); err != nil {
			return err
		}
		c.rounds = 0
		for k, s := range results {
			if strings.HasPrefix(k, "Outcome/") {
				c.rounds = max(c.rounds, len(s.ns))
			}
		}
		return write(results, c)
	}
	if c.dir == "" {
		c.dir = "bench"
		if _, err := os.Stat(filepath.Join(c.dir, "go.mod")); err != nil {
			c.dir = "."
		}
	}
	tmp, err := os.MkdirTemp("", "nines-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "bench.test")
	build := exec.Command("go", "test", "-c", "-o", bin, ".")
	build.Dir, build.Stderr = c.dir, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the benchmarks: %w", err)
	}
	c.ran = time.Now()
	var all bytes.Buffer
	header := fmt.Sprintf("# started %s\n# timenow-ns %.1f\n", c.ran.UTC().Format(time.RFC3339), timeNowCost()) // the machine's clock cost, at the run
	all.WriteString(header)
	if err := parse(strings.NewReader(header), results); err != nil {
		return err
	}
	// bench runs a benchmark command and returns its output, which it
	// keeps and parses.
	bench := func(what string, cmd *exec.Cmd) ([]byte, error) {
		cmd.Stderr = os.Stderr
		output, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%s: %w\n%s", what, err, output)
		}
		return output, nil
	}
	keep := func(output []byte) error {
		all.Write(output)
		return parse(bytes.NewReader(output), results)
	}
	for r := 1; r <= c.rounds; r++ {
		log.Printf("round %d of %d", r, c.rounds)
		// BenchmarkIdle watches the clock for a minute a case: it has
		// rounds of its own, below.
		out, err := bench(fmt.Sprintf("round %d", r), exec.Command(bin, "-test.run", "^$", "-test.bench", ".", "-test.skip", "^BenchmarkIdle$",
			"-test.benchmem", "-test.benchtime", c.benchtime, "-test.cpu", c.cpus, "-test.count", "1"))
		if err != nil {
			return err
		}
		if err := keep(out); err != nil {
			return err
		}
	}
	// The idle rounds measure their own process's CPU time, which the
	// rules' Prometheus, another process, does not add to: they run
	// meanwhile. Each round is a process of its own, so that rounds are
	// independent.
	idle := make(chan error, 1)
	var idleOut bytes.Buffer
	go func() {
		for r := 1; r <= c.idleRounds; r++ {
			log.Printf("idle CPU: round %d of %d", r, c.idleRounds)
			out, err := bench("idle CPU", exec.Command(bin, "-test.run", "^$", "-test.bench", "^BenchmarkIdle$",
				"-test.benchtime", "1x", "-test.cpu", "2", "-test.count", "1"))
			if err != nil {
				idle <- err
				return
			}
			idleOut.Write(out)
		}
		idle <- nil
	}()
	var rulesOut []byte
	if c.rules {
		log.Printf("rule evaluation on Prometheus 3")
		cmd := exec.Command("go", "test", "-run", "^$", "-bench", "RuleEvaluation", "-benchtime", "1x", "-timeout", "60m", "./promrules")
		cmd.Dir = filepath.Join(c.dir, "..", "examples")
		rulesOut, err = bench("rule evaluation", cmd)
	}
	if ierr := <-idle; ierr != nil {
		return ierr
	}
	if err != nil {
		return err
	}
	if err := keep(idleOut.Bytes()); err != nil {
		return err
	}
	if err := keep(rulesOut); err != nil {
		return err
	}
	if c.raw != "" {
		if err := os.WriteFile(c.raw, all.Bytes(), 0o644); err != nil {
			return err
		}
	}
	log.Printf("benchmarks took %v", time.Since(c.ran).Round(time.Second))
	return write(results, c)
}

// write measures memory and accuracy and writes the report.
func write(results map[string]*samples, c config) error {
	log.Printf("measuring memory and accuracy")
	rep := &report{results: results, ran: c.ran, rounds: c.rounds, benchtime: c.benchtime, cpus: strings.Split(c.cpus, ",")}
	rep.memory = bench.Memory(1000)
	rep.scaling = bench.MemoryScaling(bench.RouteCounts, memoryProcs)
	rep.accuracy = bench.Accuracy()
	var buf bytes.Buffer
	rep.write(&buf)
	if err := os.WriteFile(c.out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	log.Printf("wrote %s", c.out)
	return nil
}

// memoryProcs are the GOMAXPROCS values memory is measured at.
var memoryProcs = []int{2, 8, 64}

// timeNowKey holds the time.Now() costs measured at the run, among the
// results.
const timeNowKey = "#timenow"

// samples are one benchmark's measurements over the rounds: ns/op, B/op and
// allocs/op, and every metric it reported of its own (b.ReportMetric), by
// unit.
type samples struct {
	ns, bytes, allocs []float64
	metrics           map[string][]float64
}

var (
	timeNowLine = regexp.MustCompile(`^# timenow-ns ([\d.]+)$`)
	startedLine = regexp.MustCompile(`(?m)^# started (\S+)$`)
)

// started returns when the benchmarks whose raw output is data, read from
// the file at path, ran: the time its "# started" line records, or the
// file's modification time if it has none (output written before the line
// was).
func started(data []byte, path string) (time.Time, error) {
	if m := startedLine.FindSubmatch(data); m != nil {
		t, err := time.Parse(time.RFC3339, string(m[1]))
		if err != nil {
			return time.Time{}, fmt.Errorf("%s: %w", path, err)
		}
		return t, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}, err
	}
	return fi.ModTime(), nil
}

// timeNowCost returns what time.Now() takes, in ns.
func timeNowCost() float64 {
	start := time.Now()
	const reads = 1_000_000
	for range reads {
		_ = time.Now()
	}
	return float64(time.Since(start).Nanoseconds()) / reads
}

var line = regexp.MustCompile(`^(Benchmark\S+?)(?:-(\d+))?\s+\d+\s+(.*)$`)

// parse reads go test -bench output into results, keyed "name@cpu".
func parse(r io.Reader, results map[string]*samples) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if m := timeNowLine.FindStringSubmatch(sc.Text()); m != nil {
			v, _ := strconv.ParseFloat(m[1], 64)
			s := results[timeNowKey]
			if s == nil {
				s = &samples{}
				results[timeNowKey] = s
			}
			s.ns = append(s.ns, v)
			continue
		}
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		fields := strings.Fields(m[3])
		if len(fields)%2 != 0 {
			continue
		}
		cpu := m[2]
		if cpu == "" {
			cpu = "1"
		}
		key := strings.TrimPrefix(m[1], "Benchmark") + "@" + cpu
		s := results[key]
		if s == nil {
			s = &samples{metrics: map[string][]float64{}}
			results[key] = s
		}
		// A line without -benchmem columns counts as 0 B and 0 allocs, so
		// that every benchmark has one value per round in each.
		ns, b, a := math.NaN(), 0.0, 0.0
		for i := 0; i < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			switch unit := fields[i+1]; unit {
			case "ns/op":
				ns = v
			case "B/op":
				b = v
			case "allocs/op":
				a = v
			default:
				s.metrics[unit] = append(s.metrics[unit], v)
			}
		}
		s.ns, s.bytes, s.allocs = append(s.ns, ns), append(s.bytes, b), append(s.allocs, a)
	}
	return sc.Err()
}

// median returns the median of v's numbers, NaN if it has none.
func median(v []float64) float64 {
	s := slices.DeleteFunc(slices.Clone(v), math.IsNaN)
	if len(s) == 0 {
		return math.NaN()
	}
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
