// Package shard picks a shard for the calling goroutine so that counters
// split into shards are written by different cores on different cache lines.
//
// The shard is the index of the processor (the runtime's P) the goroutine
// runs on. Each P runs one goroutine at a time, so with at least as many
// shards as Ps no two cores write the same shard, however many goroutines
// there are or how long they live. A goroutine that migrates between
// reading its shard and writing to it merely shares a shard for that write:
// shards are a performance hint, never a correctness condition.
//
// The P's index comes from the runtime's procPin and procUnpin, reached
// with go:linkname. The runtime keeps them available to packages outside
// the standard library (they are used by widely deployed libraries, see
// go.dev/issue/67401); a stack-address hash, the portable alternative, puts
// two long-lived goroutines on one shard one time in eight, which doubles or
// triples the cost of every record they make.
package shard

import (
	"runtime"
	"sync/atomic"
	"unsafe" // for go:linkname, and a word's size
)

// CacheLine is the size, in bytes, that shards are padded to so that two
// shards never share a cache line (128 covers the adjacent-line prefetch of
// x86 and the 128-byte lines of some arm64 cores).
const CacheLine = 128

// Count returns the number of shards to use on this machine: the smallest
// power of two at least GOMAXPROCS, between 2 and 64.
func Count() int {
	n := runtime.GOMAXPROCS(0)
	c := 2
	for c < n && c < 64 {
		c <<= 1
	}
	return c
}

// Proc returns the number of the processor (P) the calling goroutine runs
// on, for a caller that picks shards in several sets of counters for one
// event and reads it once: Proc() & mask is Index(mask).
func Proc() uint32 {
	p := procPin()
	procUnpin()
	return uint32(p)
}

// Index returns the shard of the calling goroutine, in [0, mask]. mask must
// be a power of two minus one.
func Index(mask uint32) uint32 {
	p := procPin()
	procUnpin()
	return uint32(p) & mask
}

// Pin pins the calling goroutine to the processor it runs on and returns
// the processor's number, until Unpin. While pinned the goroutine is not
// preempted and no other goroutine runs on that processor, so data that
// only processor p writes (counters indexed by p) can be written with
// plain loads and stores instead of atomic read-modify-writes, as the
// runtime's sync.Pool does: a reader on another processor that loads such
// a word atomically sees its old value or its new one, never a torn one,
// as long as the word is no larger than a uintptr. A number at or past the
// data's length (GOMAXPROCS was raised after it was sized) must take a
// path safe for sharing. Keep the pinned section to a few instructions: no
// call that can block, allocate or take a lock.
func Pin() int { return procPin() }

// Unpin ends what Pin began.
func Unpin() { procUnpin() }

//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()

// Counter is a counter split into per-processor shards, for values that
// every request moves, such as requests in flight. Each processor adds to
// its own shard with a plain add while pinned (see Pin), so an Add costs
// no atomic instruction; a processor past the shards (GOMAXPROCS raised
// since the counter was made, or past 64) adds atomically to a shared one. The zero
// value is not usable; build one with NewCounter. It is safe for
// concurrent use.
//
// The shards are machine words: the value is exact modulo the word size,
// so it is exact on every platform while it stays within ±2³¹, and a
// difference of two counts (Since) is exact while it does.
type Counter struct {
	shards []paddedWord // one per processor, then the shared one
}

type paddedWord struct {
	n uintptr
	_ [CacheLine - unsafe.Sizeof(uintptr(0))]byte
}

// NewCounter returns a counter at zero.
func NewCounter() *Counter {
	return &Counter{shards: make([]paddedWord, min(runtime.GOMAXPROCS(0), 64)+1)}
}

// Add adds d (which may be negative) on the caller's shard.
func (c *Counter) Add(d int64) {
	p := procPin()
	ok := c.addPinned(p, uintptr(d))
	procUnpin()
	if !ok {
		atomic.AddUintptr(&c.shards[len(c.shards)-1].n, uintptr(d))
	}
}

// addPinned adds d to processor p's shard, which only p writes (the caller
// is pinned to it), and reports whether p has one. A reader loads the word
// atomically, seeing it before or after the add, never torn; the race
// detector cannot see that, so it is told not to look.
//
//go:norace
func (c *Counter) addPinned(p int, d uintptr) bool {
	if uint(p) >= uint(len(c.shards)-1) {
		return false
	}
	c.shards[p].n += d
	return true
}

// Load returns the sum of the shards: exact when no Add is in progress.
func (c *Counter) Load() int64 { return int64(int(c.sum())) }

// Since returns the counter's value less v, computed modulo the word size:
// exact while the difference stays within ±2³¹, however far both have
// grown (a count of starts less a count of ends, on a 32-bit platform).
func (c *Counter) Since(v uint64) int64 { return int64(int(c.sum() - uintptr(v))) }

func (c *Counter) sum() uintptr {
	var s uintptr
	for i := range c.shards {
		s += atomic.LoadUintptr(&c.shards[i].n)
	}
	return s
}
