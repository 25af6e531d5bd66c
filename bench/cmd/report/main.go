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
	"github.com/nines-slo/nines/sli"
)

func main() {
	rounds := flag.Int("rounds", 6, "rounds: each runs every benchmark once at each GOMAXPROCS")
	benchtime := flag.String("benchtime", "500ms", "go test -benchtime for each benchmark")
	cpus := flag.String("cpu", "1,2", "GOMAXPROCS values")
	out := flag.String("out", "BENCHMARKS.md", "where to write the report")
	dir := flag.String("dir", "", "the bench module's directory (default: ./bench from the repository root, or .)")
	raw := flag.String("raw", "", "also save the benchmarks' raw output to this file")
	from := flag.String("from", "", "read the benchmarks' raw output from this file instead of running them")
	flag.Parse()
	if err := run(*rounds, *benchtime, *cpus, *out, *dir, *raw, *from); err != nil {
		log.Fatal(err)
	}
}

func run(rounds int, benchtime, cpus, out, dir, raw, from string) error {
	results := map[string]*samples{}
	if from != "" {
		data, err := os.ReadFile(from)
		if err != nil {
			return err
		}
		if err := parse(bytes.NewReader(data), results); err != nil {
			return err
		}
		rounds = 0
		for k, s := range results {
			if k != timeNowKey {
				rounds = max(rounds, len(s.ns))
			}
		}
		return write(results, rounds, benchtime, cpus, out)
	}
	if dir == "" {
		dir = "bench"
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
			dir = "."
		}
	}
	tmp, err := os.MkdirTemp("", "nines-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "bench.test")
	build := exec.Command("go", "test", "-c", "-o", bin, ".")
	build.Dir, build.Stderr = dir, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the benchmarks: %w", err)
	}
	start := time.Now()
	var all bytes.Buffer
	header := fmt.Sprintf("# timenow-ns %.1f\n", timeNowCost()) // the machine's clock cost, at the run
	all.WriteString(header)
	if err := parse(strings.NewReader(header), results); err != nil {
		return err
	}
	for r := 1; r <= rounds; r++ {
		log.Printf("round %d of %d", r, rounds)
		cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", ".", "-test.benchmem",
			"-test.benchtime", benchtime, "-test.cpu", cpus, "-test.count", "1")
		cmd.Stderr = os.Stderr
		output, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("round %d: %w\n%s", r, err, output)
		}
		all.Write(output)
		if err := parse(bytes.NewReader(output), results); err != nil {
			return err
		}
	}
	if raw != "" {
		if err := os.WriteFile(raw, all.Bytes(), 0o644); err != nil {
			return err
		}
	}
	log.Printf("benchmarks took %v", time.Since(start).Round(time.Second))
	return write(results, rounds, benchtime, cpus, out)
}

// write measures memory and accuracy and writes the report.
func write(results map[string]*samples, rounds int, benchtime, cpus, out string) error {
	log.Printf("measuring memory and accuracy")
	rep := &report{results: results, rounds: rounds, benchtime: benchtime, cpus: strings.Split(cpus, ",")}
	rep.memory = bench.Memory(1000)
	rep.scaling = scaling()
	rep.accuracy = bench.Accuracy()
	var buf bytes.Buffer
	rep.write(&buf)
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	log.Printf("wrote %s", out)
	return nil
}

// timeNowKey holds the time.Now() costs measured at the run, among the
// results.
const timeNowKey = "#timenow"

// samples are one benchmark's measurements over the rounds.
type samples struct {
	ns, bytes, allocs []float64
}

var timeNowLine = regexp.MustCompile(`^# timenow-ns ([\d.]+)$`)

// timeNowCost returns what time.Now() takes, in ns.
func timeNowCost() float64 {
	start := time.Now()
	const reads = 1_000_000
	for range reads {
		_ = time.Now()
	}
	return float64(time.Since(start).Nanoseconds()) / reads
}

var line = regexp.MustCompile(`^(Benchmark\S+?)(?:-(\d+))?\s+\d+\s+([\d.]+) ns/op(?:\s+([\d.]+) B/op\s+([\d.]+) allocs/op)?`)

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
		cpu := m[2]
		if cpu == "" {
			cpu = "1"
		}
		key := strings.TrimPrefix(m[1], "Benchmark") + "@" + cpu
		s := results[key]
		if s == nil {
			s = &samples{}
			results[key] = s
		}
		ns, _ := strconv.ParseFloat(m[3], 64)
		b, _ := strconv.ParseFloat(m[4], 64)
		a, _ := strconv.ParseFloat(m[5], 64)
		s.ns, s.bytes, s.allocs = append(s.ns, ns), append(s.bytes, b), append(s.allocs, a)
	}
	return sc.Err()
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// scalingRow is the memory n routes' SLIs take.
type scalingRow struct {
	routes int
	bytes  float64 // per route
}

// scaling measures the memory of n routes (an availability and a latency
// SLI each, one request recorded) for n up to 10,000.
func scaling() []scalingRow {
	var rows []scalingRow
	for _, n := range []int{1, 100, 1000, 10000} {
		per := bench.PerItem(n, func(n int) any {
			out := make([]*bench.Nines, n)
			for i := range out {
				out[i] = bench.NewNines()
				sli.RecordRequest(out[i].Availability, out[i].Latency, sli.Good, 42*time.Millisecond)
			}
			return out
		})
		rows = append(rows, scalingRow{n, per})
	}
	return rows
}
