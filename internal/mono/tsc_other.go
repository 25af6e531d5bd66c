//go:build !amd64

package mono

// haveTSC reports whether rdtsc reads the CPU's time-stamp counter.
const haveTSC = false

// rdtsc is never called where haveTSC is false.
func rdtsc() int64 { return 0 }
