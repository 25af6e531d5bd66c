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

// Forward returns the bucket a record at bucket i, not before the current
// bucket cur, should be counted in: i itself, unless i is after the bucket
// of now — a time stamped in the future — in which case the later of now's
// bucket and cur, and future is true. Recorders never move their current
// bucket past the present, so that one bad timestamp cannot hide the records
// after it from every window ending now.
func Forward(i, cur int64, now time.Time, width int64) (to int64, future bool) {
	if n, ok := Index(now, width); ok && i > n {
		return max(n, cur), true
	}
	return i, false
}

// Present returns the end of the windows a recorder's now-forms read: now,
// or the start of the current bucket cur if now is earlier (a wall clock
// that stepped back after a rotation), so that the current bucket is always
// in them.
func Present(now time.Time, cur, width int64) time.Time {
	if start := time.Unix(0, cur*width); now.Before(start) {
		return start
	}
	return now
}
