// Package middleware records HTTP requests into SLIs and objectives per
// route: wrap a handler and every request's outcome (good, bad or not
// valid) and latency are counted, with the four golden signals, and no
// other code.
//
//	m, err := middleware.New(middleware.Config{
//		Service:      "shop",
//		Registry:     registry,        // per-route objectives go here
//		Availability: 0.999,           // 99.9% of requests succeed
//		Latency:      0.9,             // 90% within …
//		Threshold:    100 * time.Millisecond,
//		NotValid:     []int{400, 429}, // the client's fault: left out
//	})
//	…
//	http.ListenAndServe(addr, m.Handler(mux)) // or m.Handle(mux, pattern, h) per route
//
// # Routes
//
// A request's route is the ServeMux pattern that matched it, the name a
// router adapter or a handler gave it with [SetRoute] or [SetPattern], or
// what [WithRoute] returns — never the raw URL path, whose values a client
// controls. The route reaches [Middleware.Handler] through the request's
// context, so middlewares in between may copy the request (r.WithContext,
// http.StripPrefix, http.TimeoutHandler); a ServeMux behind such a copy
// names its patterns when its handlers are registered with
// [Middleware.Handle] (or the same Handler wraps it too), and
// [Middleware.Err] says so when requests lose their route on the way.
//
// Routers other than ServeMux have adapters, each a module of its own that
// names routes by the router's pattern: github.com/nines-slo/nines/contrib/chi,
// contrib/gorilla, contrib/echo and contrib/gin; contrib/grpc records gRPC
// calls into the same routes, through [Middleware.Route], [Route.Begin]
// and [Route.End]. [Middleware.Route] also declares a route, objectives
// and all, before its first request.
//
// Routes are capped (100 by default); requests beyond the cap share one
// overflow route and are counted, so random paths cannot grow memory; its
// objectives join the registry with its first request. A route name with
// invalid UTF-8 or a control character (a raw path from [WithRoute], a
// gRPC method a client made up) is escaped as Go escapes it ("/a\xff"), so
// that its objectives export like any other; a declared route or a
// Service with one is refused. A route's memory
// follows its traffic: after an hour at 100 requests a second, with
// availability and latency objectives and the default histogram (windows
// of 5 minutes and an hour), about 61 KiB at GOMAXPROCS 2 and 79 KiB at 8;
// at 10,000 requests a second about 97 KiB at 2 and 117 KiB at 8
// (BenchmarkRouteMemory). An idle route takes about 6 KiB.
//
// # Golden signals
//
// With [Config.HTTPMetrics] each route also counts its requests by method,
// status code and scheme in the buckets OpenTelemetry's HTTP semantic
// conventions advise ([Route.HTTPRequests]), which package
// github.com/nines-slo/nines/exporter/producer exports as
// http.server.request.duration and http.server.active_requests.
//
// Per route: latency, for successful and failed requests apart; traffic,
// valid requests per second; errors, the failed share; saturation, the
// requests in flight. [Route.Signals] returns them for a window.
//
// # Cost
//
// A request costs the wrapped handler two clock reads, one allocation (the
// status-capturing ResponseWriter: 48 bytes through Wrap and Handle alone;
// 384 through Handler, with the context and the copy of the request that
// carry the route) and a few adds on per-processor counters (one atomic,
// in the latency histogram): about 130 ns through Wrap and 250 to 300 ns
// through Handler serially on a 2-core VM, against about 1 µs for promhttp
// and 4 µs for otelhttp (BenchmarkMiddlewareOverhead in bench/). Latency
// is measured on the runtime's monotonic clock, the one under time.Now's
// monotonic reading, which does not jump with the wall clock.
//
// # Concurrency
//
// A Middleware and its Routes are safe for concurrent use; it starts no
// goroutine.
package middleware
