package main

import (
	"strings"
	"testing"
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
