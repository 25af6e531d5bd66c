package histogram

import (
	"fmt"
	"math/bits"
)

// layout is the bucket geometry of an HdrHistogram: values from 0 to highest
// in buckets whose width doubles every octave, each octave split into
// 2^halfMag sub-buckets, so that every value is held to a relative precision
// of the requested significant decimal digits. Indices are those of
// HdrHistogram's counts array, which is what makes the standard encoding and
// exact merges possible.
type layout struct {
	lowest    int64 // lowest discernible value
	highest   int64 // highest trackable value
	digits    int32 // significant decimal digits
	unitMag   uint  // floor(log2(lowest))
	halfMag   uint  // log2 of half the sub-bucket count
	halfCount int64 // 1 << halfMag
	mask      int64 // (2·halfCount − 1) << unitMag
	countsLen int
}

// maxCountsLen bounds every layout, so that no configuration or decoded
// header can make this package allocate more than 32 MiB for one snapshot.
const maxCountsLen = 1 << 22

func newLayout(lowest, highest int64, digits int32) (layout, error) {
	if digits < 0 || digits > 5 {
		return layout{}, fmt.Errorf("significant digits %d not in [0, 5]", digits)
	}
	if lowest < 1 {
		return layout{}, fmt.Errorf("lowest value %d below 1", lowest)
	}
	if highest < 2*lowest {
		return layout{}, fmt.Errorf("highest value %d below twice the lowest %d", highest, lowest)
	}
	// One unit of resolution is kept up to 2·10^digits, rounded up to a
	// power of two: that is the sub-bucket count.
	single := int64(2)
	for range digits {
		single *= 10
	}
	subMag := uint(bits.Len64(uint64(single - 1))) // ceil(log2(single))
	halfMag := max(subMag, 1) - 1
	unitMag := uint(bits.Len64(uint64(lowest))) - 1
	if unitMag+halfMag > 61 {
		return layout{}, fmt.Errorf("lowest value %d too large for %d digits", lowest, digits)
	}
	l := layout{
		lowest:    lowest,
		highest:   highest,
		digits:    digits,
		unitMag:   unitMag,
		halfMag:   halfMag,
		halfCount: 1 << halfMag,
		mask:      (1<<(halfMag+1) - 1) << unitMag,
	}
	// Octaves needed until the first untrackable value exceeds highest.
	buckets := 1
	for untrackable := int64(1) << (halfMag + 1 + unitMag); untrackable <= highest; {
		if untrackable > (1<<63-1)/2 {
			buckets++ // the next doubling would overflow: this is the last octave
			break
		}
		untrackable <<= 1
		buckets++
	}
	n := int64(buckets+1) * l.halfCount
	if n > maxCountsLen {
		return layout{}, fmt.Errorf("range %d–%d at %d digits needs %d buckets, more than %d", lowest, highest, digits, n, maxCountsLen)
	}
	l.countsLen = int(n)
	return l, nil
}

// index returns the counts index of v, which must be in [0, highest].
func (l *layout) index(v int64) int {
	bucket := uint(64-bits.LeadingZeros64(uint64(v|l.mask))) - l.unitMag - l.halfMag - 1
	sub := v >> (bucket + l.unitMag)
	return int(int64(bucket+1)<<l.halfMag + sub - l.halfCount)
}

// bucketOf returns the octave and sub-bucket of a counts index.
func (l *layout) bucketOf(i int) (bucket uint, sub int64) {
	b := int64(i>>l.halfMag) - 1
	sub = int64(i)&(l.halfCount-1) + l.halfCount
	if b < 0 {
		return 0, sub - l.halfCount
	}
	return uint(b), sub
}

// lowestAt returns the lowest value counted at index i.
func (l *layout) lowestAt(i int) int64 {
	b, sub := l.bucketOf(i)
	return sub << (b + l.unitMag)
}

// widthAt returns how many values share index i.
func (l *layout) widthAt(i int) int64 {
	b, _ := l.bucketOf(i)
	return 1 << (b + l.unitMag)
}
