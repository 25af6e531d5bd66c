package middleware

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/nines-slo/nines/internal/heap"
	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// routeMemory fills routes with availability and latency objectives, each
// with an hour of traffic at rate requests a second on a fake clock —
// lognormal latencies with a median of 50 ms and sigma 1, one request in a
// thousand failing — and returns the heap bytes a route holds, on average.
func routeMemory(tb testing.TB, routes, rate int) uint64 {
	// What a process allocates once, on its first route (pools, the
	// runtime's own), is not a route's: fill one first.
	warm.Do(func() { measureRoutes(tb, 1, 1) })
	return measureRoutes(tb, routes, rate)
}

func measureRoutes(tb testing.TB, routes, rate int) uint64 {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	clock := ninestest.NewClock(t0)
	reg, err := slo.NewRegistry()
	if err != nil {
		tb.Fatal(err)
	}
	m, err := New(Config{Registry: reg, Availability: 0.999, Latency: 0.9}, WithClock(clock.Now))
	if err != nil {
		tb.Fatal(err)
	}
	// Each second's requests are served by GOMAXPROCS goroutines, so that
	// they reach every processor's counters, as a server's do.
	g := runtime.GOMAXPROCS(0)
	for k := range routes {
		clock.Set(t0)
		rt := m.route(fmt.Sprintf("GET /users/%d", k))
		for sec := range 3600 {
			clock.Set(t0.Add(time.Duration(sec) * time.Second))
			var wg sync.WaitGroup
			for w := range g {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(uint64(k), uint64(sec*g+w)))
					for i := w; i < rate; i += g {
						d := time.Duration(float64(50*time.Millisecond) * math.Exp(rng.NormFloat64()))
						o := sli.Good
						if rng.IntN(1000) == 0 {
							o = sli.Bad
						}
						rt.started.Add(1)
						rt.record(context.Background(), o, d)
					}
				})
			}
			wg.Wait()
		}
	}
	// What the routes hold: the heap with them less the heap once they
	// are gone, so that garbage and what the process allocates once are
	// not counted.
	with := heap.InUse()
	runtime.KeepAlive(m)
	runtime.KeepAlive(reg)
	m, reg = nil, nil
	without := heap.InUse()
	if with < without {
		return 0
	}
	return (with - without) / uint64(routes)
}

var warm sync.Once

// BenchmarkRouteMemory reports what one route costs after an hour of
// traffic, in B/route (ns/op is the time to fill it). Run it with
// -benchtime=1x at GOMAXPROCS 2 and 8:
//
//	go test ./slo/middleware -run '^$' -bench RouteMemory -benchtime 1x -cpu 2,8
func BenchmarkRouteMemory(b *testing.B) {
	for _, tt := range []struct{ routes, rate int }{{16, 100}, {2, 10000}} {
		b.Run(fmt.Sprintf("%dreq/s", tt.rate), func(b *testing.B) {
			var n uint64
			for b.Loop() {
				n = routeMemory(b, tt.routes, tt.rate)
			}
			b.ReportMetric(float64(n), "B/route")
		})
	}
}

// TestRouteMemory holds a route after an hour at 100 requests a second to
// 64 KiB at GOMAXPROCS up to 2 and 96 KiB above.
func TestRouteMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("fills an hour of traffic")
	}
	// The smaller of two fills: a first one may count what the process
	// allocates once.
	n := min(routeMemory(t, 16, 100), routeMemory(t, 16, 100))
	limit := uint64(64 << 10)
	if runtime.GOMAXPROCS(0) > 2 {
		limit = 96 << 10
	}
	t.Logf("a route after an hour at 100 req/s: %d bytes (%.1f KiB) at GOMAXPROCS %d", n, float64(n)/1024, runtime.GOMAXPROCS(0))
	if n > limit {
		t.Errorf("a route takes %d bytes, want at most %d", n, limit)
	}
}
