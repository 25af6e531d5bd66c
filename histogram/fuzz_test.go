package histogram_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/nines-slo/nines/histogram"
)

// FuzzDecode feeds arbitrary bytes to Decode. It must never panic; what it
// accepts must survive a round trip unchanged: decode(encode(s)) has the
// same layout and buckets as s, and encoding is deterministic. The seed
// corpus in testdata/fuzz/FuzzDecode holds encodings from nines and from
// hdrhistogram-go, base64 forms, and damaged variants.
func FuzzDecode(f *testing.F) {
	f.Add(snapshotOf(f, histogram.Config{}).Encode())
	f.Add(snapshotOf(f, histogram.Config{}, bimodal()[:200]...).Encode())
	f.Add(hdrEncodingBits(1000, int64(time.Hour), 3, 1, append(varint(-1000), varint(5)...))) // the JavaScript port's ratio
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := histogram.Decode(data)
		if err != nil {
			if s != nil {
				t.Fatalf("Decode returned a snapshot with error %v", err)
			}
			return
		}
		enc := s.Encode()
		again, err := histogram.Decode(enc)
		if err != nil {
			t.Fatalf("re-decoding an encoding of an accepted histogram: %v", err)
		}
		if again.Lowest() != s.Lowest() || again.Highest() != s.Highest() || again.Digits() != s.Digits() ||
			again.Count() != s.Count() || !slices.Equal(bucketsOf(again), bucketsOf(s)) {
			t.Fatal("round trip changed the histogram")
		}
		if !bytes.Equal(again.Encode(), enc) {
			t.Fatal("encoding is not deterministic")
		}
		if s.Count() > 0 {
			if _, err := s.Quantile(0.99); err != nil {
				t.Fatalf("Quantile on an accepted histogram: %v", err)
			}
		}
	})
}

// FuzzDecodeState feeds arbitrary bytes to DecodeState: it must never panic
// or allocate beyond its input's worth, must refuse with ErrCorrupt, and
// what it accepts must encode back to the same bytes and add to a recorder
// of its layout.
func FuzzDecodeState(f *testing.F) {
	r, _ := newRecorder(f, histogram.Config{})
	for _, v := range bimodal()[:300] {
		r.Record(v)
	}
	f.Add(r.State().Encode())
	// A busy cell, kept as differences of neighbouring counts.
	busy, _ := newRecorder(f, histogram.Config{Digits: 1})
	for i := range 5000 {
		busy.Record(time.Duration(1000+i%64*10) * time.Microsecond)
	}
	f.Add(busy.State().Encode())
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := histogram.DecodeState(data)
		if err != nil {
			if !errors.Is(err, histogram.ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		enc := s.Encode()
		again, err := histogram.DecodeState(enc)
		if err != nil || !bytes.Equal(again.Encode(), enc) {
			t.Fatalf("round trip: %v", err)
		}
		c := s.Config()
		if c.Digits >= 1 && c.Digits <= 3 {
			if fresh, err := histogram.NewRecorder(histogram.Config{Lowest: c.Lowest, Highest: c.Highest, Digits: c.Digits}); err == nil {
				fresh.Add(s)
			}
		}
	})
}
