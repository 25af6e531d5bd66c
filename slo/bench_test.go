package slo_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// BenchmarkObjectiveStatus is the full status of an objective with a 30-day
// rolling window over full buckets: SLI, budget, six burn rates and three
// alert rules evaluated.
func BenchmarkObjectiveStatus(b *testing.B) {
	clock := ninestest.NewClock(t0.Add(30 * day))
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
	clock := ninestest.NewClock(t0.Add(30 * day))
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

// registry100 returns a registry of 100 objectives — 80 ratio, 20 latency —
// with 30 days of traffic, or none.
func registry100(b *testing.B, traffic bool) *slo.Registry {
	clock := ninestest.NewClock(t0.Add(30 * day))
	reg := &slo.Registry{}
	for i := range 100 {
		var src sli.Source
		if i%5 == 0 {
			l, err := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
			if err != nil {
				b.Fatal(err)
			}
			for m := range 60 {
				if traffic {
					l.RecordAt(clock.Now().Add(-time.Duration(m)*time.Minute), time.Duration(m*7%300)*time.Millisecond)
				}
			}
			src = l
		} else {
			r := ratio(b, clock)
			if traffic {
				steady(r, clock, 720, 6, 0)
			}
			src = r
		}
		if err := reg.Add(objective(b, slo.Config{Name: fmt.Sprintf("objective-%03d", i), SLI: src, Target: 0.999}, clock)); err != nil {
			b.Fatal(err)
		}
	}
	return reg
}

// BenchmarkSnapshot100 snapshots a registry of 100 objectives; the bytes
// metric is the snapshot's size.
func BenchmarkSnapshot100(b *testing.B) {
	reg := registry100(b, true)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := reg.Snapshot(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes")
}

// BenchmarkRestore100 restores that snapshot into a fresh registry.
func BenchmarkRestore100(b *testing.B) {
	reg := registry100(b, true)
	var buf bytes.Buffer
	if err := reg.Snapshot(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		fresh := registry100(b, false)
		b.StartTimer()
		if _, err := fresh.Restore(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "bytes")
}

// BenchmarkRegistryAdd adds an objective to a registry that holds n, for
// n of 100 and 10,000: what the first request to a new route costs the
// middleware, which registers the route's objectives then. It must not
// grow with n (it did: each Add checked every snapshot key the registry
// had, so 10,000 routes took minutes to register).
func BenchmarkRegistryAdd(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("objectives=%d", n), func(b *testing.B) {
			reg := &slo.Registry{}
			newObjective := func(i int) *slo.Objective {
				r, _ := sli.NewRatio()
				o, err := slo.New(slo.Config{Name: fmt.Sprintf("objective %d", i), SLI: r, Target: 0.999})
				if err != nil {
					b.Fatal(err)
				}
				return o
			}
			for i := range n {
				if err := reg.Add(newObjective(i)); err != nil {
					b.Fatal(err)
				}
			}
			i := n
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer() // Add alone is measured
				o := newObjective(i)
				i++
				b.StartTimer()
				if err := reg.Add(o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
