package ninesgrpc_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/nines-slo/nines/contrib/grpc"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo/middleware"
)

// health answers by the service asked for: what each case of the test
// needs the handler to do.
type health struct {
	healthpb.UnimplementedHealthServer
	entered chan struct{} // "cancel" has begun
}

func (h *health) Check(ctx context.Context, req *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	switch req.Service {
	case "ok":
		return &healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_SERVING}, nil
	case "invalid":
		return nil, status.Error(codes.InvalidArgument, "no such thing")
	case "internal":
		return nil, status.Error(codes.Internal, "broken")
	case "plain":
		return nil, errors.New("not a status") // grpc-go sends Unknown
	case "panic":
		panic("boom")
	case "cancel", "deadline":
		if req.Service == "cancel" {
			close(h.entered)
		}
		<-ctx.Done()
		return nil, ctx.Err()
	case "overrun":
		<-ctx.Done() // the deadline passes; the handler answers OK regardless, late
		time.Sleep(30 * time.Millisecond)
		return &healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_SERVING}, nil
	}
	return nil, status.Error(codes.NotFound, req.Service)
}

func (h *health) Watch(req *healthpb.HealthCheckRequest, stream healthpb.Health_WatchServer) error {
	for range 3 {
		if err := stream.Send(&healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_SERVING}); err != nil {
			return err
		}
	}
	if req.Service == "fail" {
		return status.Error(codes.Unavailable, "going away")
	}
	return nil
}

// dial serves srv on loopback for the test's length and returns a client
// connection to it.
func dial(t *testing.T, srv *grpc.Server) *grpc.ClientConn {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// recovery turns a panic into Internal, outside nines' interceptor, as a
// server's recovery interceptor does.
func recovery(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = status.Error(codes.Internal, fmt.Sprint(v))
		}
	}()
	return handler(ctx, req)
}

// TestCalls serves unary and streaming calls on a real gRPC server and
// client over loopback and checks what each is recorded as, per method.
func TestCalls(t *testing.T) {
	m, err := middleware.New(middleware.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(recovery, ninesgrpc.UnaryServerInterceptor(m)),
		grpc.ChainStreamInterceptor(ninesgrpc.StreamServerInterceptor(m)),
	)
	h := &health{entered: make(chan struct{})}
	healthpb.RegisterHealthServer(srv, h)
	client := healthpb.NewHealthClient(dial(t, srv))
	ctx := context.Background()

	for _, c := range []struct {
		service string
		want    codes.Code
	}{
		{"ok", codes.OK}, {"ok", codes.OK}, {"invalid", codes.InvalidArgument}, {"unknown", codes.NotFound},
		{"internal", codes.Internal}, {"plain", codes.Unknown}, {"panic", codes.Internal},
	} {
		_, err := client.Check(ctx, &healthpb.HealthCheckRequest{Service: c.service})
		if got := status.Code(err); got != c.want {
			t.Errorf("Check(%q): %v, want %v", c.service, got, c.want)
		}
	}
	// The client's deadline passes: bad. The client goes away: not valid.
	for _, service := range []string{"deadline", "overrun"} {
		dctx, cancelD := context.WithTimeout(ctx, 20*time.Millisecond)
		_, err = client.Check(dctx, &healthpb.HealthCheckRequest{Service: service})
		cancelD()
		if status.Code(err) != codes.DeadlineExceeded {
			t.Errorf("Check(%s): %v", service, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() {
		_, err := client.Check(cctx, &healthpb.HealthCheckRequest{Service: "cancel"})
		done <- err
	}()
	<-h.entered
	cancel()
	if err := <-done; status.Code(err) != codes.Canceled {
		t.Errorf("Check(cancel): %v", err)
	}
	for _, service := range []string{"", "", "fail"} {
		stream, err := client.Watch(ctx, &healthpb.HealthCheckRequest{Service: service})
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, err = stream.Recv(); err != nil {
				break
			}
		}
	}

	check := m.Route("/grpc.health.v1.Health/Check")
	watch := m.Route("/grpc.health.v1.Health/Watch")
	for deadline := time.Now().Add(10 * time.Second); (check.InFlight() > 0 || watch.InFlight() > 0) && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond) // the server ends the canceled and deadline calls on its own time
	}
	for _, c := range []struct {
		rt                 *middleware.Route
		good, bad, invalid uint64
	}{
		// ok ×2; internal, plain, panic, deadline, overrun; invalid, unknown, cancel.
		{check, 2, 5, 3},
		// two streams, one ending Unavailable.
		{watch, 2, 1, 0},
	} {
		tot := c.rt.Availability().Totals()
		if tot.Good != c.good || tot.Bad != c.bad || tot.Invalid != c.invalid {
			t.Errorf("%s: %d good, %d bad, %d not valid; want %d, %d, %d", c.rt.Name(), tot.Good, tot.Bad, tot.Invalid, c.good, c.bad, c.invalid)
		}
		if n := c.rt.InFlight(); n != 0 {
			t.Errorf("%s: %d in flight after the calls", c.rt.Name(), n)
		}
	}
}

// TestWithClassifier: a classifier replaces the table.
func TestWithClassifier(t *testing.T) {
	m, _ := middleware.New(middleware.Config{})
	icpt := ninesgrpc.UnaryServerInterceptor(m, ninesgrpc.WithClassifier(func(c codes.Code) sli.Outcome {
		if c == codes.NotFound {
			return sli.Bad
		}
		return ninesgrpc.Classify(c)
	}))
	info := &grpc.UnaryServerInfo{FullMethod: "/x.Y/Z"}
	icpt(context.Background(), nil, info, func(context.Context, any) (any, error) {
		return nil, status.Error(codes.NotFound, "gone")
	})
	if tot := m.Route("/x.Y/Z").Availability().Totals(); tot.Bad != 1 {
		t.Errorf("totals %+v, want NotFound bad", tot)
	}
}

// TestUnknownMethods: calls that grpc.UnknownServiceHandler serves, whose
// method names clients choose, share the unmatched route.
func TestUnknownMethods(t *testing.T) {
	m, _ := middleware.New(middleware.Config{})
	conn := dial(t, grpc.NewServer(
		grpc.ChainStreamInterceptor(ninesgrpc.StreamServerInterceptor(m)),
		grpc.UnknownServiceHandler(func(any, grpc.ServerStream) error { return status.Error(codes.Unimplemented, "no") }),
	))
	for _, method := range []string{"/evil.X/1", "/evil.X/2", "/evil.Y/3"} {
		err := conn.Invoke(context.Background(), method, &healthpb.HealthCheckRequest{}, &healthpb.HealthCheckResponse{})
		if status.Code(err) != codes.Unimplemented {
			t.Errorf("%s: %v", method, err)
		}
	}
	for _, rt := range m.Routes() {
		if tot := rt.Availability().Totals(); tot.Good+tot.Bad+tot.Invalid > 0 && rt.Name() != middleware.UnmatchedRoute {
			t.Errorf("a client's method name made route %q", rt.Name())
		}
	}
	if tot := m.Route(middleware.UnmatchedRoute).Availability().Totals(); tot.Bad != 3 {
		t.Errorf("unmatched route: %+v, want the 3 calls", tot)
	}
}

// TestUnaryAllocations: the unary interceptor allocates at most once per
// call (it allocates nothing today), on a method's route made already.
func TestUnaryAllocations(t *testing.T) {
	m, _ := middleware.New(middleware.Config{})
	unary := ninesgrpc.UnaryServerInterceptor(m)
	info := &grpc.UnaryServerInfo{FullMethod: "/shop.Cart/AddItem"}
	handler := func(context.Context, any) (any, error) { return nil, nil }
	ctx := context.Background()
	unary(ctx, nil, info, handler)
	if n := testing.AllocsPerRun(200, func() { unary(ctx, nil, info, handler) }); n > 1 {
		t.Errorf("%v allocations per call, want at most 1", n)
	}
}

// A failed call whose context holds a sampled span (as otelgrpc's stats
// handler puts it there) is an exemplar of its route, with its trace.
func TestFailedCallsAreExemplars(t *testing.T) {
	m, err := middleware.New(middleware.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tid := trace.TraceID{0xca, 0x11}
	traced := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled})
		return handler(trace.ContextWithSpanContext(ctx, sc), req)
	}
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(traced, ninesgrpc.UnaryServerInterceptor(m)))
	healthpb.RegisterHealthServer(srv, &health{})
	client := healthpb.NewHealthClient(dial(t, srv))
	for _, service := range []string{"ok", "internal"} {
		client.Check(context.Background(), &healthpb.HealthCheckRequest{Service: service})
	}
	check := m.Route("/grpc.health.v1.Health/Check")
	if got := check.Availability().Exemplars(); len(got) != 1 || got[0].TraceID != tid {
		t.Errorf("exemplars %+v, want the failed call's trace %v", got, tid)
	}
}
