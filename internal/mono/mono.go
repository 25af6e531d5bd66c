// Package mono reads the runtime's monotonic clock, for measuring durations
// on hot paths: time.Now reads the wall clock as well, which costs about as
// much again, and time.Since needs a time.Now to start from.
//
// Now is the clock under time.Now's monotonic reading (the runtime's
// nanotime, reached with go:linkname; the runtime keeps it available to
// packages outside the standard library, go.dev/issue/67401), in
// nanoseconds from an arbitrary start, and Elapsed the duration between
// two readings. It never goes back, and it does not jump with the wall
// clock.
package mono

import (
	"time"
	_ "unsafe" // for go:linkname
)

//go:linkname nanotime runtime.nanotime
func nanotime() int64

// Now returns a reading of the monotonic clock: only the difference of two
// readings, through Elapsed, means anything.
func Now() int64 { return nanotime() }

// Elapsed returns the time from reading from to reading to, both taken by
// Now; zero if to is before from.
func Elapsed(from, to int64) time.Duration { return time.Duration(max(to-from, 0)) }
