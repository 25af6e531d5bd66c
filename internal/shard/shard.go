// Package shard picks a shard for the calling goroutine without a shared
// write, so that counters split into shards are updated by different cores
// on different cache lines.
//
// The shard comes from the address of the caller's stack: every goroutine
// has its own stack, so concurrent goroutines usually land on different
// shards, and a goroutine keeps landing on the same one (its cache line stays
// in its core's cache). It is a hint, never a correctness condition: two
// goroutines that share a shard are still correct, only slower, and a stack
// that moves simply changes shard.
package shard

import (
	"runtime"
	"unsafe"
)

// CacheLine is the size, in bytes, that shards are padded to so that two
// shards never share a cache line (128 covers the adjacent-line prefetch of
// x86 and the 128-byte lines of some arm64 cores).
const CacheLine = 128

// Count returns the number of shards to use on this machine: a power of two,
// four per processor available to the runtime, at least 4 and at most 64.
func Count() int {
	n := 4 * runtime.GOMAXPROCS(0)
	c := 4
	for c < n && c < 64 {
		c <<= 1
	}
	return c
}

// Index returns a shard index in [0, mask] for the calling goroutine. mask
// must be a power of two minus one.
func Index(mask uint32) uint32 {
	var marker byte
	p := uint64(uintptr(unsafe.Pointer(&marker)))
	// Fibonacci hashing of the stack address above the page offset: the
	// top bits of the product mix all of the address's bits.
	return uint32((p>>10)*0x9E3779B97F4A7C15>>32) & mask
}
