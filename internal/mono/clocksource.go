package mono

import "strings"

// isTSC reports whether a Linux current_clocksource file names the TSC.
func isTSC(clocksource string) bool { return strings.TrimSpace(clocksource) == "tsc" }
