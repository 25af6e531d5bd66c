package mono_test

import (
	"testing"
	"time"

	"github.com/nines-slo/nines/internal/mono"
)

func TestNowAgreesWithTime(t *testing.T) {
	a, start := mono.Now(), time.Now()
	for time.Since(start) < 2*time.Millisecond {
	}
	d, want := time.Duration(mono.Now()-a), time.Since(start)
	if d <= 0 || (d-want).Abs() > time.Millisecond {
		t.Errorf("mono measured %v while time measured %v", d, want)
	}
}

func BenchmarkNow(b *testing.B) {
	for b.Loop() {
		mono.Now()
	}
}

func BenchmarkTimeNow(b *testing.B) {
	for b.Loop() {
		time.Now()
	}
}
