package bench

import (
	"context"
	"net"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/trace/noop"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/stats"

	ninesgrpc "github.com/nines-slo/nines/contrib/grpc"
	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

// grpcHealth serves gRPC's health service on loopback with opts, and
// returns a client of it and a function that stops both.
func grpcHealth(b *testing.B, opts ...grpc.ServerOption) (healthpb.HealthClient, func()) {
	b.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := grpc.NewServer(opts...)
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go srv.Serve(lis)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	return healthpb.NewHealthClient(conn), func() { conn.Close(); srv.Stop() }
}

// BenchmarkGRPCOverhead measures each gRPC instrumentation's overhead per
// unary call over real loopback connections, interleaved as
// BenchmarkMiddlewareOverhead is: every iteration makes a chunk of calls
// to each server in turn (bare; nines' interceptors; otelgrpc's stats
// handler with the SDK's MeterProvider and no tracing, as otelhttp is set
// up here), and reports each one's time less bare's and nines' ratio to
// otelgrpc's. A loopback call costs tens of microseconds, so the
// overheads are differences of large numbers: quote medians of rounds.
func BenchmarkGRPCOverhead(b *testing.B) {
	reg, _ := slo.NewRegistry()
	m, _ := middleware.New(middleware.Config{Registry: reg, Availability: 0.999, Latency: 0.99})
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer mp.Shutdown(context.Background())
	names := []string{"bare", "nines", "otelgrpc"}
	var clients []healthpb.HealthClient
	for _, opts := range [][]grpc.ServerOption{
		nil,
		{grpc.ChainUnaryInterceptor(ninesgrpc.UnaryServerInterceptor(m))},
		{grpc.StatsHandler(otelgrpc.NewServerHandler(otelgrpc.WithMeterProvider(mp), otelgrpc.WithTracerProvider(noop.NewTracerProvider())))},
	} {
		c, stop := grpcHealth(b, opts...)
		defer stop()
		clients = append(clients, c)
	}
	ctx := context.Background()
	req := &healthpb.HealthCheckRequest{}
	for _, c := range clients { // connections up before the clock runs
		if _, err := c.Check(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	const chunk = 64
	spent := make([]time.Duration, len(names))
	rounds := 0
	for b.Loop() {
		for k := range names {
			i := (k + rounds) % len(names) // rotate who goes first
			start := time.Now()
			for range chunk {
				if _, err := clients[i].Check(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
			spent[i] += time.Since(start)
		}
		rounds++
	}
	per := func(i int) float64 { return float64(spent[i]) / float64(rounds*chunk) }
	nines, otel := per(1)-per(0), per(2)-per(0)
	b.ReportMetric(per(0), "bare-ns/call")
	b.ReportMetric(nines, "nines-ns/call")
	b.ReportMetric(otel, "otelgrpc-ns/call")
	b.ReportMetric(nines/otel, "nines/otelgrpc")
}

// BenchmarkGRPCInterceptorOverhead measures the same overheads in process,
// without the network's noise (a loopback call's 50 µs swing by more than
// the instrumentations cost): every iteration makes a chunk of calls each
// way in turn, interleaved as BenchmarkMiddlewareOverhead is. Bare calls
// the handler; nines goes through its unary interceptor; otelgrpc's stats
// handler gets what a gRPC server gives it for a unary call (the tag, then
// Begin, InHeader, InPayload, OutHeader, OutPayload, OutTrailer and End,
// each allocated as the server allocates them only when a stats handler is
// installed), with the SDK's MeterProvider and no tracing.
func BenchmarkGRPCInterceptorOverhead(b *testing.B) {
	reg, _ := slo.NewRegistry()
	m, _ := middleware.New(middleware.Config{Registry: reg, Availability: 0.999, Latency: 0.99})
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer mp.Shutdown(context.Background())
	sh := otelgrpc.NewServerHandler(otelgrpc.WithMeterProvider(mp), otelgrpc.WithTracerProvider(noop.NewTracerProvider()))
	const method = "/grpc.health.v1.Health/Check"
	info := &grpc.UnaryServerInfo{FullMethod: method}
	resp := &healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_SERVING}
	handler := func(ctx context.Context, req any) (any, error) { return resp, nil }
	unary := ninesgrpc.UnaryServerInterceptor(m)
	req := &healthpb.HealthCheckRequest{}
	ctx := context.Background()
	calls := []func(){
		func() { handler(ctx, req) },
		func() { unary(ctx, req, info, handler) },
		func() {
			begin := time.Now()
			c := sh.TagRPC(ctx, &stats.RPCTagInfo{FullMethodName: method})
			sh.HandleRPC(c, &stats.Begin{BeginTime: begin})
			sh.HandleRPC(c, &stats.InHeader{FullMethod: method, WireLength: 60})
			sh.HandleRPC(c, &stats.InPayload{Payload: req, Length: 0, WireLength: 5, RecvTime: begin})
			out, err := handler(c, req)
			sh.HandleRPC(c, &stats.OutHeader{FullMethod: method})
			sh.HandleRPC(c, &stats.OutPayload{Payload: out, Length: 2, WireLength: 7, SentTime: time.Now()})
			sh.HandleRPC(c, &stats.OutTrailer{})
			sh.HandleRPC(c, &stats.End{BeginTime: begin, EndTime: time.Now(), Error: err})
		},
	}
	const chunk = 512
	spent := make([]time.Duration, len(calls))
	rounds := 0
	for b.Loop() {
		for k := range calls {
			i := (k + rounds) % len(calls) // rotate who goes first
			start := time.Now()
			for range chunk {
				calls[i]()
			}
			spent[i] += time.Since(start)
		}
		rounds++
	}
	per := func(i int) float64 { return float64(spent[i]) / float64(rounds*chunk) }
	nines, otel := per(1)-per(0), per(2)-per(0)
	b.ReportMetric(nines, "nines-ns/call")
	b.ReportMetric(otel, "otelgrpc-ns/call")
	b.ReportMetric(nines/otel, "nines/otelgrpc")
}
