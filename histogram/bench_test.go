package histogram_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/nines-slo/nines/histogram"
	"github.com/nines-slo/nines/internal/heap"
)

// latencies is a fixed table of realistic values to record, so the
// benchmarks touch many buckets as a service would.
var latencies = func() []time.Duration {
	v := lognormal()[:4096]
	return v
}()

func BenchmarkRecord(b *testing.B) {
	r, err := histogram.NewRecorder(histogram.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			r.Record(latencies[i&4095])
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				r.Record(latencies[i&4095])
				i++
			}
		})
	})
}

func BenchmarkSnapshot(b *testing.B) {
	r, clock := newRecorder(b, histogram.Config{})
	for i := range 3600 {
		r.Record(latencies[i&4095])
		clock.Advance(time.Second)
	}
	for _, w := range []time.Duration{time.Minute, time.Hour} {
		b.Run(w.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := r.Snapshot(w)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.P99(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncodeDecode(b *testing.B) {
	s := snapshotOf(b, histogram.Config{}, lognormal()[:100000]...)
	enc := s.Encode()
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.Encode()
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := histogram.Decode(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestRecorderMemory reports and bounds the memory of a recorder with the
// default configuration, at 64 Ps (the most current histograms it keeps).
func TestRecorderMemory(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(64))
	per, r, err := heap.PerValue(20, func() (*histogram.Recorder, error) { return histogram.NewRecorder(histogram.Config{}) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one recorder with the default config (%d windows): %d bytes (%.1f KiB)", len(r.Windows()), per, float64(per)/1024)
	if per > 480<<10 {
		t.Errorf("one recorder takes %d bytes, want ≤ 480 KiB", per)
	}
}
