// Package mono reads a monotonic clock cheaply, for measuring durations on
// hot paths: time.Now reads the wall clock as well, which costs about as
// much again, and time.Since needs a time.Now to start from.
//
// Now returns a reading in the clock's own unit and Elapsed turns the
// difference of two readings into a duration. The clock is one of two:
//
//   - the CPU's time-stamp counter (TSC), read with one RDTSC instruction,
//     on amd64 Linux when the kernel itself keeps time with the TSC (its
//     clocksource is "tsc", which it chooses only for a TSC that is
//     invariant and synchronized across cores) and when reading it is
//     cheaper than the runtime's clock, as it is unless a hypervisor traps
//     it. On a VM whose runtime clock costs 48 ns a read, RDTSC costs 24.
//   - otherwise the runtime's monotonic clock (nanotime, the clock under
//     time.Now's monotonic reading), reached with go:linkname; the runtime
//     keeps it available to packages outside the standard library
//     (go.dev/issue/67401).
//
// The TSC's rate is measured against the runtime's clock: over 1 ms when
// the clock is first read, then again over doubling intervals up to one
// minute, and every minute after that, each time over the last interval
// only, so that the rate follows a host whose TSC rate changes (after a
// live migration, say). A measurement more than 0.5% away from the current
// rate (one spanning a suspend, say) is taken only when the next one
// confirms it. A minute's measurement is good to about one part in 10^9;
// the first millisecond's to about one in 10^4. RDTSC is not serializing: a
// reading can move by the CPU's out-of-order window, tens of nanoseconds,
// against the instructions around it.
//
// The clock is chosen once per process. A kernel that later stops trusting
// the TSC (its clocksource watchdog switching away from it, which it logs)
// leaves this package reading it: the rate stays measured, but readings on
// different cores may then disagree.
package mono

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
	_ "unsafe" // for go:linkname
)

//go:linkname nanotime runtime.nanotime
func nanotime() int64

var (
	setup sync.Once
	tsc   bool // readings are TSC ticks; set once, by setup
	cal   = &calibrator{ticks: rdtsc, nanos: nanotime}
)

// choose picks the clock, the first time a reading is taken.
func choose() {
	if !haveTSC || !kernelUsesTSC() || !cheaper(rdtsc, nanotime) {
		return
	}
	cal.start(time.Millisecond)
	tsc = true
}

// Now returns a reading of the monotonic clock, in the clock's own unit:
// only the difference of two readings, through Elapsed, means anything.
// The first call in a process chooses the clock, and may take a
// millisecond to measure the TSC's rate.
func Now() int64 {
	setup.Do(choose)
	if tsc {
		return rdtsc()
	}
	return nanotime()
}

// Elapsed returns the time from reading from to reading to, both taken by
// Now; zero if to is before from (TSCs of different cores may differ by a
// few ticks).
func Elapsed(from, to int64) time.Duration {
	setup.Do(choose)
	if tsc {
		return cal.elapsed(from, to)
	}
	return time.Duration(max(to-from, 0))
}

// Source names the clock Now reads: "tsc" or "nanotime".
func Source() string {
	setup.Do(choose)
	if tsc {
		return "tsc"
	}
	return "nanotime"
}

// cheaper reports whether reading ticks costs at most 4/5 of reading
// nanos, each timed by nanos over the best of several rounds.
func cheaper(ticks, nanos func() int64) bool {
	const reads, rounds = 64, 8
	cost := func(read func() int64) int64 {
		best := int64(math.MaxInt64)
		for range rounds {
			start := nanos()
			for range reads {
				read()
			}
			best = min(best, nanos()-start)
		}
		return best
	}
	return 5*cost(ticks) <= 4*cost(nanos)
}

// maxStep is the longest interval between two measurements of the TSC's
// rate.
const maxStep = int64(time.Minute)

// calibrator converts differences of TSC readings to nanoseconds at a rate
// measured against a nanosecond clock, and measures it again from time to
// time (see the package documentation). elapsed is safe for concurrent use
// once start has returned.
type calibrator struct {
	ticks, nanos func() int64 // the TSC and the reference clock

	perTick atomic.Uint64 // float64 bits: nanoseconds per tick
	next    atomic.Int64  // the TSC reading from which to measure again

	mu      sync.Mutex
	t0, n0  int64   // the readings the next measurement starts from
	step    int64   // ns from the last measurement to the next
	suspect float64 // a rate measured too far from the current one, awaiting confirmation; 0 if none
}

// maxJump is the largest relative change of rate that one measurement may
// make. A measurement beyond it — over a suspend, during which the TSC may
// run while the monotonic clock stops — changes the rate only when the
// next measurement agrees with it.
const maxJump = 0.005

// start measures the rate over spin, busy-waiting.
func (c *calibrator) start(spin time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t0, c.n0 = c.pair()
	c.step = int64(spin)
	for c.nanos()-c.n0 < int64(spin) {
	}
	c.measureLocked()
}

// elapsed returns the nanoseconds between two TSC readings, measuring the
// rate again first if it is due.
func (c *calibrator) elapsed(from, to int64) time.Duration {
	if to >= c.next.Load() && c.mu.TryLock() {
		c.measureLocked()
		c.mu.Unlock()
	}
	if to <= from {
		return 0
	}
	return time.Duration(float64(to-from) * math.Float64frombits(c.perTick.Load()))
}

// measureLocked measures the rate since the last measurement and schedules
// the next one. A measurement over less than half the interval (a caller
// passed a reading from the future) or whose clocks did not both advance
// keeps the old rate, and the readings it started from.
func (c *calibrator) measureLocked() {
	t, n := c.pair()
	if n-c.n0 >= c.step/2 {
		if t > c.t0 && n > c.n0 {
			c.accept(float64(n-c.n0) / float64(t-c.t0))
		}
		c.t0, c.n0 = t, n
		c.step = min(2*c.step, maxStep)
	}
	rate := math.Float64frombits(c.perTick.Load())
	if rate <= 0 {
		rate = 1 // no rate yet: measure again after step ticks
	}
	c.next.Store(t + int64(float64(c.step)/rate))
}

// accept makes a measured rate the current one, unless it is more than
// maxJump away from it and does not confirm the measurement before.
func (c *calibrator) accept(rate float64) {
	near := func(a, b float64) bool { return math.Abs(a-b) <= maxJump*b }
	if old := math.Float64frombits(c.perTick.Load()); old > 0 && !near(rate, old) && !near(rate, c.suspect) {
		c.suspect = rate
		return
	}
	c.suspect = 0
	c.perTick.Store(math.Float64bits(rate))
}

// pair reads both clocks at one moment: the reference between two TSC
// readings, the TSC at their midpoint, keeping the tightest of a few
// tries so that an interruption between the reads does not skew it.
func (c *calibrator) pair() (ticks, nanos int64) {
	best := int64(math.MaxInt64)
	for range 5 {
		a := c.ticks()
		n := c.nanos()
		b := c.ticks()
		if b-a >= 0 && b-a < best {
			best, ticks, nanos = b-a, a+(b-a)/2, n
		}
	}
	if best == math.MaxInt64 { // the TSC ran backwards every time
		return c.ticks(), c.nanos()
	}
	return ticks, nanos
}
