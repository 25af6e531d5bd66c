package main

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/nines-slo/nines/exporter/producer"
	"github.com/nines-slo/nines/sli"
)

// otlpScenario exports through OpenTelemetry's OTLP exporter to a backend
// that accepts connections and never answers, and to one that is not
// there, while the service records: recording goes on at full speed,
// every failed export is reported to OpenTelemetry's error handler, and
// shutting down returns within its deadline and leaves no goroutine.
func otlpScenario(s *suite) ([]figure, []string) {
	var broken []string
	var figures []figure
	var handled atomic.Int64
	before := otel.GetErrorHandler()
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) { handled.Add(1) }))
	defer otel.SetErrorHandler(before)

	// The slow backend: accepts, reads, never answers.
	slow, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, []string{err.Error()}
	}
	defer slow.Close()
	go func() {
		for {
			c, err := slow.Accept()
			if err != nil {
				return
			}
			go func() {
				buf := make([]byte, 4096)
				for {
					if _, err := c.Read(buf); err != nil {
						c.Close()
						return
					}
				}
			}()
		}
	}()
	// The dead backend: a port nobody listens on.
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, []string{err.Error()}
	}
	deadAddr := dead.Addr().String()
	dead.Close()

	goroutines := runtime.NumGoroutine()
	for _, backend := range []struct{ name, addr string }{{"slow", slow.Addr().String()}, {"dead", deadAddr}} {
		handled.Store(0)
		svc := mustService()
		avail, lat := svc.avail, svc.lat
		p, err := producer.New(svc.reg)
		if err != nil {
			return nil, []string{err.Error()}
		}
		ctx := context.Background()
		exp, err := otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(backend.addr), otlpmetricgrpc.WithInsecure(),
			otlpmetricgrpc.WithTimeout(300*time.Millisecond), otlpmetricgrpc.WithRetry(otlpmetricgrpc.RetryConfig{Enabled: false}))
		if err != nil {
			return nil, []string{err.Error()}
		}
		reader := sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(100*time.Millisecond), sdkmetric.WithProducer(p))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
		span := max(time.Duration(float64(3*time.Second)*s.scale), time.Second)
		var n int
		start := time.Now()
		for time.Since(start) < span {
			for range 1000 {
				avail.Record(sli.Good)
				lat.Record(time.Millisecond)
			}
			n += 1000
		}
		perRecord := time.Since(start) / time.Duration(n)
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		shutdownStart := time.Now()
		mp.Shutdown(sctx) // fails: the last export cannot reach the backend
		took := time.Since(shutdownStart)
		cancel()
		if took > 5500*time.Millisecond {
			broken = append(broken, fmt.Sprintf("%s backend: Shutdown took %v, past its 5 s deadline", backend.name, took))
		}
		if avail.Totals().Good != uint64(n) {
			broken = append(broken, fmt.Sprintf("%s backend: %d events recorded, %d counted", backend.name, n, avail.Totals().Good))
		}
		if handled.Load() == 0 {
			broken = append(broken, backend.name+" backend: no failed export reached the error handler")
		}
		figures = append(figures, fig(backend.name+": records", "%d at %v each", 2*n, perRecord/2),
			fig("failed exports", "%d", handled.Load()), fig("shutdown", "%v", took.Round(time.Millisecond)))
	}
	// Connections and timers wind down asynchronously: give them a moment.
	left := 0
	for wait := time.Now(); time.Since(wait) < 5*time.Second; time.Sleep(50 * time.Millisecond) {
		runtime.GC()
		if left = runtime.NumGoroutine() - goroutines; left <= 0 {
			break
		}
	}
	if left > 0 {
		broken = append(broken, fmt.Sprintf("%d goroutines left after shutdown", left))
	}
	return figures, broken
}
