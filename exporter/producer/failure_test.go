package producer_test

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/exporter/internal/names"
	"github.com/nines-slo/nines/exporter/producer"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// stuckBackend is an OpenTelemetry exporter whose backend hangs: Export
// blocks until released, then fails.
type stuckBackend struct {
	defaults
	entered chan struct{} // closed when the first Export starts
	release chan struct{}
	calls   atomic.Int64
}

// defaults gives a test backend the SDK's default selectors and no-op
// ForceFlush and Shutdown.
type defaults struct{}

func (defaults) Temporality(k sdkmetric.InstrumentKind) metricdata.Temporality {
	return sdkmetric.DefaultTemporalitySelector(k)
}

func (defaults) Aggregation(k sdkmetric.InstrumentKind) sdkmetric.Aggregation {
	return sdkmetric.DefaultAggregationSelector(k)
}

func (defaults) ForceFlush(context.Context) error { return nil }
func (defaults) Shutdown(context.Context) error   { return nil }

func (b *stuckBackend) Export(ctx context.Context, _ *metricdata.ResourceMetrics) error {
	if b.calls.Add(1) == 1 {
		close(b.entered)
	}
	select {
	case <-b.release:
	case <-ctx.Done():
	}
	return errors.New("backend unavailable")
}

// TestStuckBackendDoesNotBlockRecording records on the wall clock, through
// the real recording path, while a periodic reader's export hangs on a
// backend that does not answer, and then shuts everything down: recording
// completes, and no goroutine is left behind.
func TestStuckBackendDoesNotBlockRecording(t *testing.T) {
	before := runtime.NumGoroutine()
	ratio, _ := sli.NewRatio()
	lat, _ := sli.NewLatency(100 * time.Millisecond)
	o1, _ := slo.New(slo.Config{Name: "availability", SLI: ratio, Target: 0.999})
	o2, _ := slo.New(slo.Config{Name: "latency", SLI: lat, Target: 0.99})
	reg, _ := slo.NewRegistry(o1, o2)

	backend := &stuckBackend{entered: make(chan struct{}), release: make(chan struct{})}
	exp, err := producer.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	reader := sdkmetric.NewPeriodicReader(backend, sdkmetric.WithInterval(time.Millisecond), sdkmetric.WithTimeout(time.Hour),
		sdkmetric.WithProducer(exp))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	select {
	case <-backend.entered:
	case <-time.After(time.Minute):
		t.Fatal("the periodic reader never exported")
	}

	const n = 200_000
	done := make(chan struct{})
	go func() {
		defer close(done)
		for k := range n {
			ratio.Record(sli.Good)
			lat.Record(time.Duration(k%200) * time.Millisecond)
		}
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("recording blocked while the backend hangs")
	}
	if got := ratio.Recorded().Valid; got != n {
		t.Errorf("recorded %v events, want %d", got, n)
	}
	// A collection while the backend still hangs sees every event.
	var rm metricdata.ResourceMetrics
	manual := sdkmetric.NewManualReader(sdkmetric.WithProducer(exp))
	mp2 := sdkmetric.NewMeterProvider(sdkmetric.WithReader(manual))
	if err := manual.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	if got := flatten(rm)[names.ValidEvents+"{nines.slo.name=availability}"]; got != n {
		t.Errorf("collected %v valid events while the backend hangs, want %d", got, n)
	}

	close(backend.release)
	if err := mp.Shutdown(context.Background()); err == nil {
		t.Log("shutdown flushed to a backend that failed without an error")
	}
	if err := mp2.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Goroutines exit asynchronously after Shutdown returns: wait for them,
	// without moving any clock.
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Shutdown, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
