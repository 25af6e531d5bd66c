// Package heap measures what values cost on the heap, for the tests that
// report and bound the memory of SLIs and recorders.
package heap

import "runtime"

// PerValue builds n values with build, keeping them all alive, and returns
// the heap bytes each takes on average: the growth of the live heap across
// garbage collections, divided by n.
func PerValue[T any](n int, build func() (T, error)) (uint64, T, error) {
	keep := make([]T, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range keep {
		v, err := build()
		if err != nil {
			var zero T
			return 0, zero, err
		}
		keep[i] = v
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	if after.HeapAlloc < before.HeapAlloc {
		return 0, keep[0], nil
	}
	return (after.HeapAlloc - before.HeapAlloc) / uint64(n), keep[0], nil
}

// InUse returns the live heap in bytes, after two collections (the second
// takes the pools' victims): what a test compares with something held and
// then without it, so that garbage and what the process allocates once are
// not counted.
func InUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
