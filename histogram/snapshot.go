package histogram

import (
	"fmt"
	"math"
	"time"
)

// Snapshot is an immutable histogram of durations: the values a Recorder
// saw over a window, a decoded HdrHistogram, or a merge of several.
//
// Quantiles, Min, Max and Mean are exact to the bucket: with the default two
// significant digits a bucket is at most 1/128 (0.78%) of its values wide,
// so every statistic is within 0.78% of the true one (within 512 ns below
// 65 µs). Quantile interpolates within the bucket that holds the rank, which
// for smooth distributions is far closer than that bound.
//
// A Snapshot is safe for concurrent use; nothing changes it after it is made.
type Snapshot struct {
	lay    layout
	counts []uint64 // trailing zero buckets trimmed
	total  uint64
	first  int // index of the first non-zero bucket; -1 when empty

	underflow, overflow, invalid, saturated uint64
}

// newSnapshot trims counts and computes the totals. It keeps counts.
func newSnapshot(lay layout, counts []uint64) *Snapshot {
	s := &Snapshot{lay: lay, first: -1}
	last := -1
	for i, c := range counts {
		if c == 0 {
			continue
		}
		if s.first < 0 {
			s.first = i
		}
		last = i
		if s.total += c; s.total < c {
			s.total = math.MaxUint64 // only absurd decoded counts get here
		}
	}
	s.counts = counts[:last+1]
	return s
}

// Count returns the number of values in the histogram, clamped ones
// included.
func (s *Snapshot) Count() uint64 { return s.total }

// Underflow returns how many values were below the lowest trackable value
// and were counted at it instead.
func (s *Snapshot) Underflow() uint64 { return s.underflow }

// Overflow returns how many values were above the highest trackable value
// and were counted at it instead.
func (s *Snapshot) Overflow() uint64 { return s.overflow }

// Invalid returns how many negative durations were offered; they are not in
// the histogram.
func (s *Snapshot) Invalid() uint64 { return s.invalid }

// Saturated returns how many values could not be counted because their
// bucket in a recorder's window slot held the maximum count, 2^32 − 1.
func (s *Snapshot) Saturated() uint64 { return s.saturated }

// Lowest returns the lowest value the histogram tracks at full precision.
func (s *Snapshot) Lowest() time.Duration { return time.Duration(s.lay.lowest) }

// Highest returns the highest value the histogram tracks.
func (s *Snapshot) Highest() time.Duration { return time.Duration(s.lay.highest) }

// Digits returns the histogram's precision in significant decimal digits.
func (s *Snapshot) Digits() int { return int(s.lay.digits) }

// Min returns the lowest value recorded, to the bucket (the lowest value of
// the first non-empty bucket).
func (s *Snapshot) Min() (time.Duration, error) {
	if s.total == 0 {
		return 0, ErrNoData
	}
	return time.Duration(s.lay.lowestAt(s.first)), nil
}

// Max returns the highest value recorded, to the bucket (the highest value of
// the last non-empty bucket).
func (s *Snapshot) Max() (time.Duration, error) {
	if s.total == 0 {
		return 0, ErrNoData
	}
	last := len(s.counts) - 1
	return time.Duration(s.lay.lowestAt(last) + s.lay.widthAt(last) - 1), nil
}

// Mean returns the mean of the values, each taken at the middle of its
// bucket.
func (s *Snapshot) Mean() (time.Duration, error) {
	if s.total == 0 {
		return 0, ErrNoData
	}
	var sum float64
	for i := s.first; i < len(s.counts); i++ {
		if c := s.counts[i]; c != 0 {
			sum += float64(c) * (float64(s.lay.lowestAt(i)) + float64(s.lay.widthAt(i))/2)
		}
	}
	return time.Duration(math.Round(sum / float64(s.total))), nil
}

// Quantile returns the value below which a fraction q of the values lie, for
// q in [0, 1]: 0.5 is the median, 0.99 the 99th percentile. Within the
// bucket that holds the rank it interpolates linearly; HdrHistogram's own
// tools report that bucket's highest value instead, up to one bucket higher.
// It fails with ErrInvalidQuantile for q outside [0, 1] and ErrNoData for an
// empty histogram.
func (s *Snapshot) Quantile(q float64) (time.Duration, error) {
	if !(q >= 0 && q <= 1) {
		return 0, fmt.Errorf("%w: got %v", ErrInvalidQuantile, q)
	}
	if s.total == 0 {
		return 0, ErrNoData
	}
	rank := q * float64(s.total)
	var before uint64
	for i := s.first; i < len(s.counts); i++ {
		c := s.counts[i]
		if c == 0 {
			continue
		}
		if float64(before+c) >= rank || i == len(s.counts)-1 {
			f := min(max((rank-float64(before))/float64(c), 0), 1)
			lo, w := s.lay.lowestAt(i), s.lay.widthAt(i)
			v := float64(lo) + f*float64(w)
			return time.Duration(min(int64(math.Round(v)), lo+w-1)), nil
		}
		before += c
	}
	panic("unreachable: counts sum to total")
}

// P50 returns the median; see Quantile.
func (s *Snapshot) P50() (time.Duration, error) { return s.Quantile(0.5) }

// P95 returns the 95th percentile; see Quantile.
func (s *Snapshot) P95() (time.Duration, error) { return s.Quantile(0.95) }

// P99 returns the 99th percentile; see Quantile.
func (s *Snapshot) P99() (time.Duration, error) { return s.Quantile(0.99) }

// P999 returns the 99.9th percentile; see Quantile.
func (s *Snapshot) P999() (time.Duration, error) { return s.Quantile(0.999) }

// Merge returns the histogram of all the values in snaps: counts add bucket
// by bucket, so the merge is exact, and percentiles of the merge are those
// of the combined values (unlike averages of percentiles). All snapshots must
// share a layout (range and precision), else it fails with
// ErrLayoutMismatch. A merge of nothing is an empty-handed error too.
func Merge(snaps ...*Snapshot) (*Snapshot, error) {
	if len(snaps) == 0 || snaps[0] == nil {
		return nil, fmt.Errorf("%w: nothing to merge", ErrLayoutMismatch)
	}
	lay := snaps[0].lay
	n := 0
	for i, s := range snaps {
		if s == nil {
			return nil, fmt.Errorf("%w: snapshot %d is nil", ErrLayoutMismatch, i)
		}
		if s.lay != lay {
			return nil, fmt.Errorf("%w: snapshot %d has range %v–%v at %d digits, snapshot 0 %v–%v at %d",
				ErrLayoutMismatch, i, s.Lowest(), s.Highest(), s.lay.digits, snaps[0].Lowest(), snaps[0].Highest(), lay.digits)
		}
		n = max(n, len(s.counts))
	}
	counts := make([]uint64, n)
	var extra Snapshot
	for _, s := range snaps {
		for i, c := range s.counts {
			// Recorded counts never come near 2^64; decoded ones can.
			if counts[i] += c; counts[i] < c {
				counts[i] = math.MaxUint64
				extra.saturated++
			}
		}
		extra.underflow += s.underflow
		extra.overflow += s.overflow
		extra.invalid += s.invalid
		extra.saturated += s.saturated
	}
	m := newSnapshot(lay, counts)
	m.underflow, m.overflow, m.invalid, m.saturated = extra.underflow, extra.overflow, extra.invalid, extra.saturated
	return m, nil
}

// Counts calls f for every non-empty bucket, in increasing order, with the
// bucket's lowest and highest value and its count. It is how a snapshot is
// exported to other histogram formats.
func (s *Snapshot) Counts(f func(lo, hi time.Duration, count uint64)) {
	for i := max(s.first, 0); i < len(s.counts); i++ {
		if c := s.counts[i]; c != 0 {
			lo := s.lay.lowestAt(i)
			f(time.Duration(lo), time.Duration(lo+s.lay.widthAt(i)-1), c)
		}
	}
}
