package bench

import "testing"

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
