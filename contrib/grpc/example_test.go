package ninesgrpc_test

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nines-slo/nines/contrib/grpc"
	"github.com/nines-slo/nines/slo/middleware"
)

func Example() {
	m, _ := middleware.New(middleware.Config{})
	unary := ninesgrpc.UnaryServerInterceptor(m)
	// grpc.NewServer(grpc.ChainUnaryInterceptor(unary), …) calls it so:
	info := &grpc.UnaryServerInfo{FullMethod: "/shop.Cart/AddItem"}
	for _, err := range []error{nil, nil, status.Error(codes.Unavailable, "down"), status.Error(codes.InvalidArgument, "no item")} {
		unary(context.Background(), nil, info, func(context.Context, any) (any, error) { return nil, err })
	}
	t := m.Route("/shop.Cart/AddItem").Availability().Totals()
	fmt.Printf("good %d, bad %d, not valid %d\n", t.Good, t.Bad, t.Invalid)
	// Output:
	// good 2, bad 1, not valid 1
}
