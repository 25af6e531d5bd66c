package mono

import "os"

// kernelUsesTSC reports whether the kernel keeps time with the TSC.
func kernelUsesTSC() bool {
	b, err := os.ReadFile("/sys/devices/system/clocksource/clocksource0/current_clocksource")
	return err == nil && isTSC(string(b))
}
