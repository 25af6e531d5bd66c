package ninesopenslo

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

const day = 24 * time.Hour

// shorthand is an OpenSLO duration shorthand: a positive whole number and
// one of m, h, d, w (fixed lengths) or M, Q, Y (calendar periods).
type shorthand struct {
	n    int64
	unit byte
}

// parseShorthand reads a duration shorthand, "5m", "30d", "1M".
func parseShorthand(s string) (shorthand, error) {
	if len(s) < 2 || s[0] < '1' || s[0] > '9' {
		return shorthand{}, fmt.Errorf("duration %q is not a positive number and one of m, h, d, w, M, Q, Y", s)
	}
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	unit := s[len(s)-1]
	switch {
	case err != nil:
		return shorthand{}, fmt.Errorf("duration %q is not a positive number and one of m, h, d, w, M, Q, Y", s)
	case unit == 'M' || unit == 'Q' || unit == 'Y':
		return shorthand{n, unit}, nil
	}
	per, ok := fixedUnits[unit]
	if !ok {
		return shorthand{}, fmt.Errorf("duration %q is not a positive number and one of m, h, d, w, M, Q, Y", s)
	}
	if n > math.MaxInt64/int64(per) {
		return shorthand{}, fmt.Errorf("duration %q is too long", s)
	}
	return shorthand{n, unit}, nil
}

var fixedUnits = map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': day, 'w': 7 * day}

// fixed returns the length of a shorthand in m, h, d or w, and false for
// a calendar one.
func (s shorthand) fixed() (time.Duration, bool) {
	per, ok := fixedUnits[s.unit]
	return time.Duration(s.n) * per, ok
}

// formatShorthand writes d in the largest of d, h and m that divides it,
// and fails when d is not whole minutes.
func formatShorthand(d time.Duration) (string, error) {
	for _, u := range []struct {
		d    time.Duration
		unit string
	}{{day, "d"}, {time.Hour, "h"}, {time.Minute, "m"}} {
		if d > 0 && d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + u.unit, nil
		}
	}
	return "", fmt.Errorf("%v is not a whole number of minutes, which OpenSLO durations need", d)
}

// sliceWindow reads a timeSliceWindow: a duration shorthand in m, h or d,
// or a number of minutes, whole seconds either way.
func sliceWindow(v any) (time.Duration, error) {
	var minutes float64
	switch v := v.(type) {
	case string:
		return fixedDuration(v)
	case int:
		minutes = float64(v)
	case float64:
		minutes = v
	default:
		return 0, fmt.Errorf("time slice %v is neither a duration nor a number of minutes", v)
	}
	if !(minutes > 0 && minutes <= float64(day/time.Minute)) {
		return 0, fmt.Errorf("time slice of %v minutes is not in (0, 1440]", minutes)
	}
	d := time.Duration(math.Round(minutes*60)) * time.Second
	if d <= 0 {
		return 0, fmt.Errorf("time slice of %v minutes is under a second", minutes)
	}
	return d, nil
}

// formatSliceWindow writes a slice as a shorthand when it is whole
// minutes, else as the number of minutes (30 s is 0.5).
func formatSliceWindow(d time.Duration) any {
	if s, err := formatShorthand(d); err == nil {
		return s
	}
	return d.Minutes()
}

// fixedDuration reads a shorthand of minutes, hours, days or weeks.
func fixedDuration(s string) (time.Duration, error) {
	sh, err := parseShorthand(s)
	if err != nil {
		return 0, err
	}
	d, ok := sh.fixed()
	if !ok {
		return 0, fmt.Errorf("duration %q is a calendar period", s)
	}
	return d, nil
}
