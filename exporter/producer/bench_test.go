package producer_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/exporter/internal/fixture"
	"github.com/nines-slo/nines/exporter/producer"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// registry100 returns 100 objectives on the wall clock, 20 of them latency
// objectives, each with an hour of events.
func registry100(b *testing.B) (*slo.Registry, []*sli.Ratio, []*sli.Latency) {
	b.Helper()
	reg, _ := slo.NewRegistry()
	var ratios []*sli.Ratio
	var lats []*sli.Latency
	now := time.Now()
	for i := range 100 {
		var src sli.Source
		if i%5 == 0 {
			l, _ := sli.NewLatency(100 * time.Millisecond)
			for k := range 3600 {
				l.RecordAt(now.Add(-time.Duration(k)*time.Second), time.Duration(k%300)*time.Millisecond)
			}
			lats = append(lats, l)
			src = l
		} else {
			r, _ := sli.NewRatio()
			for k := range 3600 {
				r.RecordAt(now.Add(-time.Duration(k)*time.Second), fixture.Outcome(k%100 != 0))
			}
			ratios = append(ratios, r)
			src = r
		}
		o, err := slo.New(slo.Config{Name: fmt.Sprintf("objective-%03d", i), SLI: src, Target: 0.99,
			Metadata: slo.Metadata{Service: "bench"}, Alerts: []slo.AlertRule{}})
		if err != nil {
			b.Fatal(err)
		}
		if err := reg.Add(o); err != nil {
			b.Fatal(err)
		}
	}
	return reg, ratios, lats
}

// BenchmarkCollect100 collects 100 objectives (20 with latency histograms)
// through a ManualReader: one reader's collection, end to end.
func BenchmarkCollect100(b *testing.B) { benchmarkCollect100(b) }

// BenchmarkCollect100Exponential is BenchmarkCollect100 with the latency
// histograms exported as exponential ones (WithExponentialBuckets).
func BenchmarkCollect100Exponential(b *testing.B) {
	benchmarkCollect100(b, producer.WithExponentialBuckets(0))
}

func benchmarkCollect100(b *testing.B, opts ...producer.Option) {
	reg, _, _ := registry100(b)
	exp, _ := producer.New(reg, opts...)
	reader := sdkmetric.NewManualReader(sdkmetric.WithProducer(exp))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())
	var rm metricdata.ResourceMetrics
	b.ReportAllocs()
	for b.Loop() {
		if err := reader.Collect(context.Background(), &rm); err != nil {
			b.Fatal(err)
		}
	}
}

// discard is a backend that takes everything and keeps nothing.
type discard struct{ *stuckBackend }

func (discard) Export(context.Context, *metricdata.ResourceMetrics) error { return nil }

// BenchmarkRecordExported records a request outcome and its latency with
// with no exporter, with one attached (a periodic reader collecting every
// second, 60 times the SDK's default rate), and with one whose backend
// hangs: the recording path is the same, so the three must not differ.
func BenchmarkRecordExported(b *testing.B) {
	for _, name := range []string{"bare", "exported", "stuck"} {
		b.Run(name, func(b *testing.B) {
			reg, ratios, lats := registry100(b)
			r, l := ratios[0], lats[0]
			if name != "bare" {
				exp, _ := producer.New(reg)
				var backend sdkmetric.Exporter = discard{&stuckBackend{}}
				stuck := &stuckBackend{entered: make(chan struct{}), release: make(chan struct{})}
				if name == "stuck" { // a backend that never answers
					backend = stuck
				}
				reader := sdkmetric.NewPeriodicReader(backend, sdkmetric.WithInterval(time.Second), sdkmetric.WithProducer(exp))
				mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
				defer mp.Shutdown(context.Background())
				defer close(stuck.release) // before the shutdown, which waits for the export
			}
			b.Run("serial", func(b *testing.B) {
				b.ReportAllocs()
				var k int
				for b.Loop() {
					r.Record(sli.Good)
					l.Record(time.Duration(k&1023) * time.Millisecond)
					k++
				}
			})
			b.Run("parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					var k int
					for pb.Next() {
						r.Record(sli.Good)
						l.Record(time.Duration(k&1023) * time.Millisecond)
						k++
					}
				})
			})
		})
	}
}
