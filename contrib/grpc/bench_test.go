package ninesgrpc_test

import (
	"context"
	"testing"

	"google.golang.org/grpc"

	"github.com/nines-slo/nines/contrib/grpc"
	"github.com/nines-slo/nines/slo/middleware"
)

// BenchmarkUnaryInterceptor is the interceptor's own cost per call: the
// route found by the method's name, the call counted in flight, its
// outcome and latency recorded, around a handler that does nothing.
func BenchmarkUnaryInterceptor(b *testing.B) {
	m, _ := middleware.New(middleware.Config{})
	unary := ninesgrpc.UnaryServerInterceptor(m)
	info := &grpc.UnaryServerInfo{FullMethod: "/shop.Cart/AddItem"}
	handler := func(context.Context, any) (any, error) { return nil, nil }
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			unary(ctx, nil, info, handler)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				unary(ctx, nil, info, handler)
			}
		})
	})
}
