package mono

// haveTSC reports whether rdtsc reads the CPU's time-stamp counter.
const haveTSC = true

// rdtsc returns the time-stamp counter (tsc_amd64.s).
func rdtsc() int64
