package histogram_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"slices"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/nines-slo/nines/histogram"
)

func TestEncodeRoundTrip(t *testing.T) {
	for name, s := range map[string]*histogram.Snapshot{
		"empty":     snapshotOf(t, histogram.Config{}),
		"one":       snapshotOf(t, histogram.Config{}, time.Millisecond),
		"bimodal":   snapshotOf(t, histogram.Config{}, bimodal()[:50000]...),
		"3 digits":  snapshotOf(t, histogram.Config{Digits: 3}, lognormal()[:50000]...),
		"clamped":   snapshotOf(t, histogram.Config{Lowest: time.Millisecond, Highest: time.Second}, 0, time.Hour),
		"1 digit":   snapshotOf(t, histogram.Config{Digits: 1, Lowest: time.Nanosecond}, 3, 300, 3000),
		"long tail": snapshotOf(t, histogram.Config{}, time.Microsecond, 59*time.Minute),
	} {
		t.Run(name, func(t *testing.T) {
			enc := s.Encode()
			got, err := histogram.Decode(enc)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(bucketsOf(got), bucketsOf(s)) || got.Count() != s.Count() {
				t.Error("decoded buckets differ from the encoded ones")
			}
			if got.Lowest() != s.Lowest() || got.Highest() != s.Highest() || got.Digits() != s.Digits() {
				t.Errorf("layout %v–%v/%d decoded as %v–%v/%d", s.Lowest(), s.Highest(), s.Digits(), got.Lowest(), got.Highest(), got.Digits())
			}
			// The base64 form of histogram logs decodes too.
			if b64, err := histogram.Decode([]byte(base64.StdEncoding.EncodeToString(enc) + "\n")); err != nil || b64.Count() != s.Count() {
				t.Errorf("base64 form: %v", err)
			}
		})
	}
}

// TestHdrHistogramReadsWhatNinesWrites decodes nines' encoding with
// hdrhistogram-go and compares every bucket.
func TestHdrHistogramReadsWhatNinesWrites(t *testing.T) {
	values := lognormal()[:100000]
	s := snapshotOf(t, histogram.Config{}, values...)
	theirs, err := hdr.Decode([]byte(base64.StdEncoding.EncodeToString(s.Encode())))
	if err != nil {
		t.Fatalf("hdrhistogram-go cannot decode nines' encoding: %v", err)
	}
	if theirs.TotalCount() != int64(s.Count()) {
		t.Errorf("hdrhistogram-go counts %d values, nines %d", theirs.TotalCount(), s.Count())
	}
	var fromTheirs []bucket
	for _, b := range theirs.Distribution() {
		if b.Count > 0 {
			fromTheirs = append(fromTheirs, bucket{time.Duration(b.From), time.Duration(b.To), uint64(b.Count)})
		}
	}
	if !slices.Equal(fromTheirs, bucketsOf(s)) {
		t.Error("hdrhistogram-go's buckets differ from nines'")
	}
	// Their quantile is the highest value of the bucket that holds it: ours
	// is in the same bucket.
	for _, q := range []float64{0.5, 0.99, 0.999} {
		ours, _ := s.Quantile(q)
		if !theirs.ValuesAreEquivalent(int64(ours), theirs.ValueAtQuantile(q*100)) {
			t.Errorf("q=%v: nines %v and hdrhistogram-go %v are in different buckets", q, ours, time.Duration(theirs.ValueAtQuantile(q*100)))
		}
	}
}

// TestNinesReadsWhatHdrHistogramWrites decodes hdrhistogram-go's encoding,
// in its own layout (1 ns – 1 h at 3 digits).
func TestNinesReadsWhatHdrHistogramWrites(t *testing.T) {
	theirs := hdr.New(1, int64(time.Hour), 3)
	for _, v := range bimodal()[:100000] {
		if err := theirs.RecordValue(int64(v)); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := theirs.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		t.Fatal(err)
	}
	s, err := histogram.Decode(enc)
	if err != nil {
		t.Fatalf("nines cannot decode hdrhistogram-go's encoding: %v", err)
	}
	if s.Count() != uint64(theirs.TotalCount()) || s.Digits() != 3 || s.Highest() != time.Hour {
		t.Errorf("decoded %d values at %d digits up to %v; want %d at 3 digits up to 1h", s.Count(), s.Digits(), s.Highest(), theirs.TotalCount())
	}
	for _, q := range []float64{0.5, 0.95, 0.99, 0.999} {
		ours, _ := s.Quantile(q)
		if !theirs.ValuesAreEquivalent(int64(ours), theirs.ValueAtQuantile(q*100)) {
			t.Errorf("q=%v: nines %v and hdrhistogram-go %v are in different buckets", q, ours, time.Duration(theirs.ValueAtQuantile(q*100)))
		}
	}
}

// TestDecodeRejectsCorruption damages a valid encoding in every way a
// transport or a disk can, and checks each is refused.
func TestDecodeRejectsCorruption(t *testing.T) {
	good := snapshotOf(t, histogram.Config{}, bimodal()[:1000]...).Encode()
	cases := map[string][]byte{
		"empty":           {},
		"garbage":         []byte("not a histogram"),
		"cookie only":     good[:4],
		"header only":     good[:8],
		"truncated":       good[:len(good)/2],
		"last byte gone":  good[:len(good)-1],
		"length too long": withUint32(good, 4, uint32(len(good))),
		"length negative": withUint32(good, 4, 0x80000000),
		"foreign cookie":  withUint32(good, 0, 0x1c849301),
		"flipped body":    flip(good, len(good)/2),
		"flipped adler":   flip(good, len(good)-1),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if s, err := histogram.Decode(data); !errors.Is(err, histogram.ErrCorrupt) {
				t.Errorf("Decode() = %v, %v; want ErrCorrupt", s, err)
			}
		})
	}
}

func withUint32(b []byte, at int, v uint32) []byte {
	c := bytes.Clone(b)
	c[at], c[at+1], c[at+2], c[at+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	return c
}

func flip(b []byte, at int) []byte {
	c := bytes.Clone(b)
	c[at] ^= 0x55
	return c
}
