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
	hist
	underflow, overflow, invalid, saturated uint64
}

// hist is the counts of a histogram from its first non-zero bucket to its
// last, and their sum: what Snapshot and [Recorder.QuantilesAt] compute on.
type hist struct {
	lay    *layout
	counts []uint64 // buckets base … base+len−1; empty when the histogram is
	base   int
	total  uint64
}

// newSnapshot trims counts (whose first bucket is base) of their leading
// and trailing zeros and computes the total. It keeps counts.
func newSnapshot(lay layout, counts []uint64, base int) *Snapshot {
	s := &Snapshot{hist: hist{lay: &lay}}
	first, last := -1, -1
	for i, c := range counts {
		if c == 0 {
			continue
		}
		if first < 0 {
			first = i
		}
		last = i
		if s.total += c; s.total < c {
			s.total = math.MaxUint64 // only absurd decoded counts get here
		}
	}
	if first >= 0 {
		s.counts, s.base = counts[first:last+1], base+first
	}
	return s
}

// snapshotOf copies what a holds into a new snapshot.
func snapshotOf(lay layout, a *acc) *Snapshot {
	var counts []uint64
	if a.hi >= a.lo {
		counts = append([]uint64(nil), a.counts[a.lo:a.hi+1]...)
	}
	s := newSnapshot(lay, counts, max(a.lo, 0))
	s.underflow, s.overflow, s.invalid = a.underflow, a.overflow, a.invalid
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

// Saturated returns how many counts of a merge exceeded 2^64 − 1 and were
// held at it: only decoded histograms with absurd counts get there.
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
	return time.Duration(s.lay.lowestAt(s.base)), nil
}

// Max returns the highest value recorded, to the bucket (the highest value of
// the last non-empty bucket).
func (s *Snapshot) Max() (time.Duration, error) {
	if s.total == 0 {
		return 0, ErrNoData
	}
	last := s.base + len(s.counts) - 1
	return time.Duration(s.lay.lowestAt(last) + s.lay.widthAt(last) - 1), nil
}

// Mean returns the mean of the values, each taken at the middle of its
// bucket.
func (s *Snapshot) Mean() (time.Duration, error) {
	if s.total == 0 {
		return 0, ErrNoData
	}
	var sum float64
	for k, c := range s.counts {
		if c != 0 {
			i := s.base + k
			sum += float64(c) * (float64(s.lay.lowestAt(i)) + float64(s.lay.widthAt(i))/2)
		}
	}
	return time.Duration(math.Round(sum / float64(s.total))), nil
}

// Quantile returns the value below which a fraction q of the values lie, for
// q in [0, 1]: 0.5 is the median, 0.99 the 99th percentile. Within the
// bucket that holds the rank it interpolates linearly; HdrHistogram's own
// tools report that bucket's highest value instead, up to one bucket higher.
// It fails with [ErrInvalidQuantile] for q outside [0, 1] and [ErrNoData] for an
// empty histogram.
func (s *Snapshot) Quantile(q float64) (time.Duration, error) {
	if !(q >= 0 && q <= 1) {
		return 0, fmt.Errorf("%w: got %v", ErrInvalidQuantile, q)
	}
	if s.total == 0 {
		return 0, ErrNoData
	}
	return s.quantile(q), nil
}

// quantiles sets out[i] to the quantile qs[i], for valid qs and a
// histogram with values, in one pass over the buckets when qs ascend.
func (h *hist) quantiles(qs []float64, out []time.Duration) {
	k, before := 0, uint64(0)
	for i, q := range qs {
		if i > 0 && q < qs[i-1] {
			k, before = 0, 0 // not ascending: start over
		}
		rank := q * float64(h.total)
		for ; k < len(h.counts); k++ {
			c := h.counts[k]
			if c == 0 {
				continue
			}
			if float64(before+c) >= rank || k == len(h.counts)-1 {
				out[i] = h.at(k, rank, before)
				break
			}
			before += c
		}
	}
}

// at returns the value of rank within bucket k, before values ahead of it.
func (h *hist) at(k int, rank float64, before uint64) time.Duration {
	c := h.counts[k]
	i := h.base + k
	f := min(max((rank-float64(before))/float64(c), 0), 1)
	lo, w := h.lay.lowestAt(i), h.lay.widthAt(i)
	v := float64(lo) + f*float64(w)
	return time.Duration(min(int64(math.Round(v)), lo+w-1))
}

// quantile is Quantile for a valid q and a histogram with values.
func (h *hist) quantile(q float64) time.Duration {
	rank := q * float64(h.total)
	var before uint64
	for k, c := range h.counts {
		if c == 0 {
			continue
		}
		if float64(before+c) >= rank || k == len(h.counts)-1 {
			return h.at(k, rank, before)
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
// [ErrLayoutMismatch]. A merge of nothing is an empty-handed error too.
func Merge(snaps ...*Snapshot) (*Snapshot, error) {
	if len(snaps) == 0 || snaps[0] == nil {
		return nil, fmt.Errorf("%w: nothing to merge", ErrLayoutMismatch)
	}
	lay := *snaps[0].lay
	lo, hi := math.MaxInt, -1
	for i, s := range snaps {
		if s == nil {
			return nil, fmt.Errorf("%w: snapshot %d is nil", ErrLayoutMismatch, i)
		}
		if *s.lay != lay {
			return nil, fmt.Errorf("%w: snapshot %d has range %v–%v at %d digits, snapshot 0 %v–%v at %d",
				ErrLayoutMismatch, i, s.Lowest(), s.Highest(), s.lay.digits, snaps[0].Lowest(), snaps[0].Highest(), lay.digits)
		}
		if len(s.counts) > 0 {
			lo, hi = min(lo, s.base), max(hi, s.base+len(s.counts)-1)
		}
	}
	var counts []uint64
	if hi >= 0 {
		counts = make([]uint64, hi-lo+1)
	} else {
		lo = 0
	}
	var extra Snapshot
	for _, s := range snaps {
		for k, c := range s.counts {
			// Recorded counts never come near 2^64; decoded ones can.
			i := s.base + k - lo
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
	m := newSnapshot(lay, counts, lo)
	m.underflow, m.overflow, m.invalid, m.saturated = extra.underflow, extra.overflow, extra.invalid, extra.saturated
	return m, nil
}

// Counts calls f for every non-empty bucket, in increasing order, with the
// bucket's lowest and highest value and its count. It is how a snapshot is
// exported to other histogram formats.
func (s *Snapshot) Counts(f func(lo, hi time.Duration, count uint64)) {
	for k, c := range s.counts {
		if c != 0 {
			i := s.base + k
			lo := s.lay.lowestAt(i)
			f(time.Duration(lo), time.Duration(lo+s.lay.widthAt(i)-1), c)
		}
	}
}
