package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestParse reads go test -bench lines at GOMAXPROCS 1 (no suffix) and 2,
// with and without -benchmem columns, and skips everything else.
func TestParse(t *testing.T) {
	out := `goos: linux
BenchmarkRequest/nines/serial         	30000000	        39.80 ns/op	       0 B/op	       0 allocs/op
BenchmarkRequest/nines/serial-2       	30000000	        41.00 ns/op	       0 B/op	       0 allocs/op
BenchmarkRequest/nines/serial-2       	30000000	        43.00 ns/op	       0 B/op	       0 allocs/op
BenchmarkMiddleware/nines/parallel-2  	10000000	       131.6 ns/op	      80 B/op	       1 allocs/op
BenchmarkStatus/nines/window=30d-2    	  300000	      3842 ns/op
PASS
`
	results := map[string]*samples{}
	if err := parse(strings.NewReader(out), results); err != nil {
		t.Fatal(err)
	}
	r := &report{results: results}
	for _, c := range []struct {
		name, cpu  string
		ns, allocs float64
	}{
		{"Request/nines/serial", "1", 39.8, 0},
		{"Request/nines/serial", "2", 42, 0},
		{"Middleware/nines/parallel", "2", 131.6, 1},
		{"Status/nines/window=30d", "2", 3842, 0},
	} {
		if got := r.ns(c.name, c.cpu); got != c.ns {
			t.Errorf("%s at P=%s: %v ns, want %v", c.name, c.cpu, got, c.ns)
		}
		if got := r.allocs(c.name, c.cpu); got != c.allocs {
			t.Errorf("%s at P=%s: %v allocs, want %v", c.name, c.cpu, got, c.allocs)
		}
	}
	if len(results) != 4 {
		t.Errorf("%d results, want 4", len(results))
	}
}

// TestParseMetrics reads the metrics a benchmark reports of its own, one
// value per round, beside ns/op.
func TestParseMetrics(t *testing.T) {
	out := `BenchmarkMiddlewareOverhead/serial-2   	     100	   5000 ns/op	        95.30 nines-ns/req	         0.0310 nines/otelhttp	       0 B/op	       0 allocs/op
BenchmarkMiddlewareOverhead/serial-2   	     100	   5100 ns/op	        97.10 nines-ns/req	         0.0350 nines/otelhttp	       0 B/op	       0 allocs/op
BenchmarkIdle/routes=1000-2            	       1	30002853307 ns/op	         0.2345 %cpu
`
	results := map[string]*samples{}
	if err := parse(strings.NewReader(out), results); err != nil {
		t.Fatal(err)
	}
	r := &report{results: results, cpus: []string{"1", "2"}}
	if got := r.metric("MiddlewareOverhead/serial", "2", "nines/otelhttp"); len(got) != 2 || got[0] != 0.031 || got[1] != 0.035 {
		t.Errorf("nines/otelhttp %v, want [0.031 0.035]", got)
	}
	if got := r.ns("MiddlewareOverhead/serial", "2"); got != 5050 {
		t.Errorf("ns/op median %v, want 5050", got)
	}
	if s := r.anyCPU("Idle/routes=1000"); s == nil || s.metrics["%cpu"][0] != 0.2345 {
		t.Errorf("idle: %+v", s)
	}
}

// TestTargetRounds counts a target met only when every round meets it,
// and reports its margin in each round.
func TestTargetRounds(t *testing.T) {
	flips := target{got: []float64{1, 3, 1.5}, limit: []float64{2, 2, 2}}
	if n, met := flips.rounds(); n != 3 || met != 2 || flips.met() {
		t.Errorf("rounds %d, met %d, met() %v; want 3, 2, false", n, met, flips.met())
	}
	if m := flips.margins(); len(m) != 3 || m[0] != 2 || m[2] != 2.0/1.5 {
		t.Errorf("margins %v", m)
	}
	holds := target{got: []float64{1, 1.9, math.NaN()}, limit: []float64{2, 2, 2}}
	if n, met := holds.rounds(); n != 2 || met != 2 || !holds.met() {
		t.Errorf("rounds %d, met %d, met() %v; want 2, 2, true", n, met, holds.met())
	}
	if (target{}).met() {
		t.Error("a target with no rounds is met")
	}
	if got := spread([]float64{9.3, 8.9, 9.8}); got != "9.30 (8.90–9.80)" {
		t.Errorf("spread %q", got)
	}
}

// TestStarted dates a report written from raw output by the run's own
// "# started" line, and output without one by its file's modification
// time, never by when the report is written.
func TestStarted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "raw")
	want := time.Date(2026, 12, 3, 10, 4, 0, 0, time.UTC)
	data := []byte("# started 2026-12-03T10:04:00Z\n# timenow-ns 67.8\ngoos: linux\n")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := started(data, path); err != nil || !got.Equal(want) {
		t.Errorf("with a started line: %v, %v; want %v", got, err, want)
	}
	old := want.Add(-5 * time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	if got, err := started(data[len("# started 2026-12-03T10:04:00Z\n"):], path); err != nil || !got.Equal(old) {
		t.Errorf("without one: %v, %v; want the file's time %v", got, err, old)
	}
	if _, err := started([]byte("# started yesterday\n"), path); err == nil {
		t.Error("a started line that is no time was accepted")
	}
}

// TestRulesTable shows a rule set's cost a round and a minute apart, as
// Pyrra's groups run more often than once a minute.
func TestRulesTable(t *testing.T) {
	out := `BenchmarkRuleEvaluation/objectives=1000/rules=pyrra-2        	       1	305456425518 ns/op	      2000 groups	     15000 rules	         7.587 s/evaluation	        12.07 s/minute	      9000 series
`
	results := map[string]*samples{}
	if err := parse(strings.NewReader(out), results); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	(&report{results: results, cpus: []string{"1", "2"}}).writeRules(&b)
	if want := "| 1000 | pyrra | 7.59 | 12.1 | 9000 | 15000 | 2000 |"; !strings.Contains(b.String(), want) {
		t.Errorf("rules table lacks %q:\n%s", want, b.String())
	}
}
