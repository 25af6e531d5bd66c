// Package ninesgrpc records the calls of a [gRPC] server with nines: each
// call's availability and latency per full method name
// ("/shop.Cart/AddItem"), into the routes, objectives and golden signals
// of a [middleware.Middleware], unary and streaming alike.
//
//	m, _ := middleware.New(middleware.Config{Service: "cart", Registry: reg, Availability: 0.999, Latency: 0.99})
//	srv := grpc.NewServer(
//		grpc.ChainUnaryInterceptor(ninesgrpc.UnaryServerInterceptor(m)),
//		grpc.ChainStreamInterceptor(ninesgrpc.StreamServerInterceptor(m)),
//	)
//
// # What a call counts as
//
// By its status code, unless [WithClassifier] says otherwise:
//
//	OK                                                  good
//	Canceled, InvalidArgument, NotFound, AlreadyExists,  not valid: the client's
//	PermissionDenied, Unauthenticated,                   doing (Canceled: it went
//	FailedPrecondition, OutOfRange                       away)
//	Unknown, DeadlineExceeded, ResourceExhausted,        bad: the server's
//	Aborted, Unimplemented, Internal, Unavailable,
//	DataLoss
//
// A call to a method the server does not have, which
// grpc.UnknownServiceHandler serves, is [middleware.UnmatchedRoute]: its
// name is the client's to choose. A handler that panics is bad, and the
// panic goes on. An error that is
// not a gRPC status is Canceled or DeadlineExceeded if it is a context's,
// else Unknown, as grpc-go sends it. A call whose deadline passed is
// DeadlineExceeded even if its handler returned OK (the client got
// DeadlineExceeded), as is one canceled within 10 ms of its deadline (the
// client's deadline passing may reach the server as a cancel); a call the
// client canceled is Canceled even if its handler returned OK. A streaming call is
// recorded when its handler returns: its latency is the whole stream's.
// The middleware's Config.NotValid (HTTP statuses) does not apply.
//
// [gRPC]: https://grpc.io
package ninesgrpc

import (
	"context"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo/middleware"
)

// Option configures the interceptors.
type Option interface{ apply(*options) }

type options struct {
	classify func(codes.Code) sli.Outcome
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithClassifier replaces the table of the package documentation: classify
// maps each call's status code to its outcome. Panics are bad whatever it
// says. Nil keeps the table.
func WithClassifier(classify func(codes.Code) sli.Outcome) Option {
	return optionFunc(func(o *options) { o.classify = classify })
}

// Classify is the table of the package documentation.
func Classify(c codes.Code) sli.Outcome {
	switch c {
	case codes.OK:
		return sli.Good
	case codes.Canceled, codes.InvalidArgument, codes.NotFound, codes.AlreadyExists,
		codes.PermissionDenied, codes.Unauthenticated, codes.FailedPrecondition, codes.OutOfRange:
		return sli.Invalid
	}
	return sli.Bad
}

// code returns the status code of a call that ended with err: the code
// grpc-go sends (a status error's, Canceled or DeadlineExceeded for a
// context's error, else Unknown), except as the call's context ended:
// past its deadline, the client got DeadlineExceeded whatever the handler
// returned (OK or Canceled); canceled within deadlineSlack of the deadline,
// it is the deadline too (the client's deadline passing reaches the server
// as a cancel when its reset arrives before the server's own timer fires);
// canceled otherwise, the client went away before an OK reached it.
func code(ctx context.Context, err error) codes.Code {
	s, ok := status.FromError(err)
	if !ok {
		s = status.FromContextError(err)
	}
	c := s.Code()
	if c != codes.OK && c != codes.Canceled {
		return c
	}
	switch ctx.Err() {
	case context.DeadlineExceeded:
		return codes.DeadlineExceeded
	case context.Canceled:
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < deadlineSlack {
			return codes.DeadlineExceeded
		}
		return codes.Canceled
	}
	return c
}

// deadlineSlack is how close to its deadline a canceled call is taken for
// one whose deadline passed.
const deadlineSlack = 10 * time.Millisecond

func newOptions(opts []Option) options {
	o := options{classify: Classify}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	if o.classify == nil {
		o.classify = Classify
	}
	return o
}

// UnaryServerInterceptor returns an interceptor that records every unary
// call into m, under its full method name.
func UnaryServerInterceptor(m *middleware.Middleware, opts ...Option) grpc.UnaryServerInterceptor {
	o := newOptions(opts)
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		rt := m.Route(info.FullMethod)
		start := rt.Begin()
		outcome := sli.Bad // if the handler panics
		defer func() { rt.EndContext(ctx, start, outcome) }()
		resp, err = handler(ctx, req)
		outcome = o.classify(code(ctx, err))
		return resp, err
	}
}

// StreamServerInterceptor returns an interceptor that records every
// streaming call into m, under its full method name, when it ends.
func StreamServerInterceptor(m *middleware.Middleware, opts ...Option) grpc.StreamServerInterceptor {
	o := newOptions(opts)
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		name := info.FullMethod
		if srv == nil {
			// grpc.UnknownServiceHandler's call: its method name is the
			// client's to choose, not a route.
			name = middleware.UnmatchedRoute
		}
		rt := m.Route(name)
		start := rt.Begin()
		outcome := sli.Bad // if the handler panics
		defer func() { rt.EndContext(ss.Context(), start, outcome) }()
		err = handler(srv, ss)
		outcome = o.classify(code(ss.Context(), err))
		return err
	}
}
