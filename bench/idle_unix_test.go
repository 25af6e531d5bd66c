//go:build unix

package bench

import (
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the CPU time the process has used, user and system, on
// all its threads.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// idleWindow is how long BenchmarkIdle watches an idle process: long
// enough to hold every timer nines arms, whose periods divide it — the
// SLIs' 10-second cells and the objectives' 30-second evaluations.
const idleWindow = 30 * time.Second

// BenchmarkIdle measures the CPU an idle process spends on n middleware
// routes (an availability and a latency objective each, one request
// recorded), for n of 0, 1,000 and 10,000: nothing records, so what runs
// is the rotation timers that close cells at their boundaries and the
// objectives' alert evaluations. Each iteration watches the process for
// 30 seconds; the benchmark reports the CPU time of every window it
// watched for that n, in this run and the calls before it (the testing
// package calls a benchmark once with b.N = 1 before it measures), as a
// share of one core, "%cpu". routes=0 is the Go runtime alone. It is
// slow by nature: run it with -benchtime 1x.
func BenchmarkIdle(b *testing.B) {
	for _, n := range []int{0, 1000, 10000} {
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			routes := NewMiddlewareRoutes(n)
			for k := range n {
				routes.Record(k, true, 0)
			}
			runtime.GC()
			w := idleWatched[n]
			for b.Loop() {
				start, cpu := time.Now(), cpuTime(b)
				time.Sleep(idleWindow)
				w.spent += cpuTime(b) - cpu
				w.watched += time.Since(start)
			}
			idleWatched[n] = w
			runtime.KeepAlive(routes)
			b.ReportMetric(100*float64(w.spent)/float64(w.watched), "%cpu")
		})
	}
}

// idleWatched is what BenchmarkIdle has watched in this process, by the
// number of routes: the CPU time spent and the wall time it was spent in.
var idleWatched = map[int]struct{ spent, watched time.Duration }{}
