package bench

import (
	"runtime"
	"testing"
)

// TestMemory logs what one route costs in each implementation, and checks
// that the measurement sees something: every implementation keeps some
// memory per route.
func TestMemory(t *testing.T) {
	for _, r := range Memory(200) {
		t.Logf("%-32s %10.0f B/route  (%s)", r.Implementation, r.Bytes, r.Holds)
		if r.Bytes <= 0 {
			t.Errorf("%s: %v bytes per route", r.Implementation, r.Bytes)
		}
	}
}

// TestMemoryScaling checks that the table of memory against routes and
// GOMAXPROCS has a row per implementation and processor count, each with a
// figure per number of routes, and that GOMAXPROCS is restored.
func TestMemoryScaling(t *testing.T) {
	before := runtimeProcs()
	rows := MemoryScaling([]int{1, 50}, []int{2, 8})
	if runtimeProcs() != before {
		t.Errorf("GOMAXPROCS %d after, want %d", runtimeProcs(), before)
	}
	cases := 0
	for _, c := range MemoryCases {
		if c.Scaling {
			cases++
		}
	}
	if len(rows) != 2*cases {
		t.Fatalf("%d rows, want %d", len(rows), 2*cases)
	}
	for _, r := range rows {
		t.Logf("%-28s P=%d %v", r.Implementation, r.Procs, r.Bytes)
		if len(r.Bytes) != 2 || r.Bytes[1] <= 0 {
			t.Errorf("%s at P=%d: %v", r.Implementation, r.Procs, r.Bytes)
		}
	}
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
