//go:build !linux

package mono

// kernelUsesTSC reports whether the kernel keeps time with the TSC: not
// known here, so no.
func kernelUsesTSC() bool { return false }
