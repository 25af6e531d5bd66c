// Package mono reads the monotonic clock alone, for measuring durations on
// hot paths: time.Now reads the wall clock too, which costs about as much
// again, and time.Since needs a time.Now to start from.
//
// It reaches the runtime's nanotime with go:linkname; the runtime keeps it
// available to packages outside the standard library (go.dev/issue/67401).
package mono

import _ "unsafe" // for go:linkname

// Now returns the monotonic clock in nanoseconds since an arbitrary point:
// only differences between two readings mean anything.
func Now() int64 { return nanotime() }

//go:linkname nanotime runtime.nanotime
func nanotime() int64
