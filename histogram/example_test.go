package histogram_test

import (
	"fmt"
	"time"

	"github.com/nines-slo/nines/histogram"
)

func ExampleRecorder() {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	r, err := histogram.NewRecorder(histogram.Config{}, histogram.WithClock(func() time.Time { return now }))
	if err != nil {
		panic(err)
	}
	// 1000 requests: 1 ms, 2 ms, … 1000 ms.
	for ms := 1; ms <= 1000; ms++ {
		r.Record(time.Duration(ms) * time.Millisecond)
	}
	s, _ := r.Snapshot(time.Minute)
	p50, _ := s.P50()
	p99, _ := s.P99()
	// Quantiles are exact to the bucket (within 0.78%): round for display.
	fmt.Printf("%d values, p50 %v, p99 %v\n", s.Count(), p50.Round(10*time.Millisecond), p99.Round(10*time.Millisecond))
	// Output:
	// 1000 values, p50 500ms, p99 990ms
}

func ExampleMerge() {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	replica := func(values ...time.Duration) *histogram.Snapshot {
		r, _ := histogram.NewRecorder(histogram.Config{}, histogram.WithClock(func() time.Time { return now }))
		for _, v := range values {
			r.Record(v)
		}
		s, _ := r.Snapshot(time.Hour)
		return s
	}
	fast := make([]time.Duration, 98)
	for i := range fast {
		fast[i] = 10 * time.Millisecond
	}
	a := replica(fast...)                      // a healthy replica
	b := replica(2*time.Second, 2*time.Second) // a slow one
	fleet, _ := histogram.Merge(a, b)
	pa, _ := a.P99()
	pb, _ := b.P99()
	pf, _ := fleet.P99()
	fmt.Printf("p99: replica a %.2fs, replica b %.2fs, fleet %.2fs\n", pa.Seconds(), pb.Seconds(), pf.Seconds())
	// Output:
	// p99: replica a 0.01s, replica b 2.00s, fleet 2.00s
}

func ExampleDecode() {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	r, _ := histogram.NewRecorder(histogram.Config{}, histogram.WithClock(func() time.Time { return now }))
	for ms := 1; ms <= 100; ms++ {
		r.Record(time.Duration(ms) * time.Millisecond)
	}
	s, _ := r.Snapshot(time.Minute)
	wire := s.Encode() // HdrHistogram V2 compressed: any HdrHistogram library reads it
	back, err := histogram.Decode(wire)
	if err != nil {
		panic(err)
	}
	p95, _ := back.P95()
	fmt.Printf("%d values, p95 %v\n", back.Count(), p95.Round(time.Millisecond))
	// Output:
	// 100 values, p95 95ms
}
