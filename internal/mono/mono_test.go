package mono

import (
	"testing"
	"time"
)

func TestNowAgreesWithTime(t *testing.T) {
	for range 3 { // a preemption between the reads can fail one round
		a, start := Now(), time.Now()
		for time.Since(start) < 20*time.Millisecond {
		}
		b, want := Now(), time.Since(start)
		got := Elapsed(a, b)
		if diff := (got - want).Abs(); diff <= want/1000+20*time.Microsecond {
			return
		}
		t.Logf("mono measured %v while time measured %v", got, want)
	}
	t.Error("mono and time disagreed by more than 0.1% + 20µs three times")
}

func TestElapsedIsNeverNegative(t *testing.T) {
	a := Now()
	b := Now()
	if d := Elapsed(b, a-1); d != 0 {
		t.Errorf("Elapsed of readings in reverse = %v, want 0", d)
	}
	if d := Elapsed(a, b); d < 0 {
		t.Errorf("Elapsed(a, b) = %v, want ≥ 0", d)
	}
}

// BenchmarkMeasure is what the middleware does per request: two readings
// and their difference.
func BenchmarkMeasure(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Elapsed(Now(), Now())
	}
}
