package budget

import (
	"math"
	"strconv"
)

// percent formats a ratio as a percentage with at most four decimals and no
// trailing zeros: 0.999 → "99.9%", 39980.0/40000 → "99.95%".
func percent(r float64) string {
	p := math.Round(r*100*1e4) / 1e4
	if p == 0 {
		p = 0 // no "-0%"
	}
	return strconv.FormatFloat(p, 'f', -1, 64) + "%"
}

// events formats an event count, with at most two decimals.
func events(n float64) string {
	return strconv.FormatFloat(math.Round(n*100)/100, 'f', -1, 64)
}
