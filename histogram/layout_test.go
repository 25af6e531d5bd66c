package histogram

import (
	"math/rand/v2"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// TestLayoutMatchesHdrHistogram checks the geometry against hdrhistogram-go:
// the same number of buckets, and every value in the same bucket, which is
// what makes the standard encoding and exact merges possible.
func TestLayoutMatchesHdrHistogram(t *testing.T) {
	layouts := []struct {
		lowest, highest int64
		digits          int32
	}{
		{1000, 3_600_000_000_000, 2}, // the default: 1 µs – 1 h, 2 digits
		{1000, 3_600_000_000_000, 3},
		{1, 3_600_000_000_000, 2},
		{1, 1000, 1},
		{1, 2, 1},
		{1024, 1 << 40, 3},
		{1, 1<<62 + 12345, 2},
		{7, 1 << 20, 1},
		{1, 1_000_000, 5},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, l := range layouts {
		ours, err := newLayout(l.lowest, l.highest, l.digits)
		if err != nil {
			t.Errorf("newLayout(%d, %d, %d): %v", l.lowest, l.highest, l.digits, err)
			continue
		}
		theirs := hdr.New(l.lowest, l.highest, int(l.digits))
		if got, want := ours.countsLen, len(theirs.Export().Counts); got != want {
			t.Errorf("layout %+v: %d buckets, hdrhistogram-go has %d", l, got, want)
			continue
		}
		values := []int64{0, 1, l.lowest, l.highest, l.highest / 2, l.highest - 1}
		for range 200 {
			values = append(values, rng.Int64N(l.highest+1), int64(float64(l.highest)*rng.Float64()*rng.Float64()*rng.Float64()))
		}
		for _, v := range values {
			probe := hdr.New(l.lowest, l.highest, int(l.digits))
			if err := probe.RecordValue(v); err != nil {
				t.Fatalf("hdrhistogram-go RecordValue(%d): %v", v, err)
			}
			counts := probe.Export().Counts
			i := ours.index(v)
			if counts[i] != 1 {
				t.Errorf("layout %+v: value %d at our index %d, not where hdrhistogram-go puts it", l, v, i)
				break
			}
			lo, w := ours.lowestAt(i), ours.widthAt(i)
			same := theirs.ValuesAreEquivalent
			if v < lo || v >= lo+w || !same(v, lo) || !same(v, lo+w-1) || (lo > 0 && same(v, lo-1)) || (lo+w <= l.highest && same(v, lo+w)) {
				t.Errorf("layout %+v: value %d in our bucket [%d, %d), which hdrhistogram-go's equivalence disagrees with", l, v, lo, lo+w)
				break
			}
		}
	}
}

func TestNewLayoutRejects(t *testing.T) {
	for _, l := range []struct {
		lowest, highest int64
		digits          int32
	}{
		{0, 100, 2}, {-1, 100, 2}, {10, 19, 2}, {1, 100, -1}, {1, 100, 6},
		{1 << 60, 1<<62 + 1, 3}, // unit and precision beyond 61 bits
		{1, 1 << 62, 5},         // more buckets than the cap
	} {
		if _, err := newLayout(l.lowest, l.highest, l.digits); err == nil {
			t.Errorf("newLayout(%d, %d, %d) succeeded, want an error", l.lowest, l.highest, l.digits)
		}
	}
}
