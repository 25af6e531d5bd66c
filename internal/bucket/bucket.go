// Package bucket is the arithmetic of time buckets: which bucket of a given
// width, counted from the Unix epoch, holds an instant, and where a bucket
// sits in a ring.
package bucket

import "time"

// Unix nanoseconds are defined for these seconds only (years 1678–2262).
const minUnix, maxUnix = -9_223_372_036, 9_223_372_035

// Index returns the bucket of width ns that holds t: ⌊t / width⌋ in Unix
// nanoseconds. It returns false when t is outside the years 1678–2262, where
// Unix nanoseconds are undefined.
func Index(t time.Time, width int64) (int64, bool) {
	if u := t.Unix(); u < minUnix || u > maxUnix {
		return 0, false
	}
	return FloorDiv(t.UnixNano(), width), true
}

// FloorDiv returns ⌊a / b⌋ for b > 0, rounding toward negative infinity.
func FloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// Slot returns the position of absolute bucket i in a ring of n: i mod n in
// [0, n).
func Slot(i, n int64) int64 {
	m := i % n
	if m < 0 {
		m += n
	}
	return m
}
