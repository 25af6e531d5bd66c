package slo_test

import (
	"testing"
	"time"

	"github.com/nines-slo/nines/internal/fakeclock"
	"github.com/nines-slo/nines/slo"
)

// BenchmarkObjectiveStatus is the full status of an objective with a 30-day
// rolling window over full buckets: SLI, budget, six burn rates and three
// alert rules evaluated.
func BenchmarkObjectiveStatus(b *testing.B) {
	clock := fakeclock.New(t0.Add(30 * day))
	r := ratio(b, clock)
	steady(r, clock, 720, 60, 1)
	o := objective(b, slo.Config{Name: "api", SLI: r, Target: 0.999}, clock)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := o.Status(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRegistryStatus is the status of 100 such objectives.
func BenchmarkRegistryStatus(b *testing.B) {
	clock := fakeclock.New(t0.Add(30 * day))
	reg := &slo.Registry{}
	for i := range 100 {
		r := ratio(b, clock)
		steady(r, clock, 720, 6, 0)
		if err := reg.Add(objective(b, slo.Config{Name: string(rune('A'+i%26)) + time.Duration(i).String(), SLI: r, Target: 0.999}, clock)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := reg.Status(); err != nil {
			b.Fatal(err)
		}
	}
}
