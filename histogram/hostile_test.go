package histogram_test

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"runtime"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/nines-slo/nines/histogram"
)

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// hdrEncoding builds a V2 compressed histogram by hand.
func hdrEncoding(lowest, highest int64, digits int32, ratio float64, payload []byte) []byte {
	return hdrEncodingBits(lowest, highest, digits, math.Float64bits(ratio), payload)
}

// hdrEncodingBits is hdrEncoding with the conversion ratio's 64 bits as
// written.
func hdrEncodingBits(lowest, highest int64, digits int32, ratio uint64, payload []byte) []byte {
	inner := make([]byte, 40)
	binary.BigEndian.PutUint32(inner[0:], 0x1c849313)
	binary.BigEndian.PutUint32(inner[4:], uint32(len(payload)))
	binary.BigEndian.PutUint32(inner[12:], uint32(digits))
	binary.BigEndian.PutUint64(inner[16:], uint64(lowest))
	binary.BigEndian.PutUint64(inner[24:], uint64(highest))
	binary.BigEndian.PutUint64(inner[32:], ratio)
	inner = append(inner, payload...)
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(inner)
	w.Close()
	out := binary.BigEndian.AppendUint32(nil, 0x1c849314)
	out = binary.BigEndian.AppendUint32(out, uint32(z.Len()))
	return append(out, z.Bytes()...)
}

// zigzag LEB128 of v.
func varint(v int64) []byte { return binary.AppendUvarint(nil, uint64(v<<1)^uint64(v>>63)) }

func TestDecodeHostile(t *testing.T) {
	// A run of a million empty buckets, then one count: a few bytes that
	// would make a dense decoder allocate its whole layout.
	far := append(varint(-(1<<20 - 2)), varint(1)...)
	huge := hdrEncoding(1, math.MaxInt64/2, 5, 1, far)
	if _, err := histogram.Decode(huge); !errors.Is(err, histogram.ErrCorrupt) {
		t.Errorf("5-digit full-range layout: %v, want ErrCorrupt", err)
	}
	if n := allocated(func() { histogram.Decode(huge) }); n > 1<<20 {
		t.Errorf("refusing %d bytes allocated %d", len(huge), n)
	}
	double := hdrEncoding(1, 1<<20, 2, 1e-6, varint(1))
	if _, err := histogram.Decode(double); !errors.Is(err, histogram.ErrCorrupt) {
		t.Errorf("a DoubleHistogram encoding: %v, want ErrCorrupt", err)
	}
	if _, err := histogram.Decode(hdrEncoding(1, 1<<20, 2, 1, varint(3))); err != nil {
		t.Errorf("a hand-built valid encoding: %v", err)
	}
}

// TestDecodeJavaScriptPort reads what the HdrHistogram JavaScript port
// writes: the integer-to-double conversion ratio as the integer 1, not the
// double 1.0, over a 1 µs to 1 h layout at 3 digits.
func TestDecodeJavaScriptPort(t *testing.T) {
	payload := append(varint(-1000), varint(5)...) // 1000 empty buckets, then 5 values
	payload = append(payload, varint(0)...)
	payload = append(payload, varint(2)...)
	js := hdrEncodingBits(1000, int64(time.Hour), 3, 1, payload)
	s, err := histogram.Decode(js)
	if err != nil {
		t.Fatalf("the JavaScript port's encoding: %v", err)
	}
	if s.Count() != 7 || s.Digits() != 3 || s.Lowest() != time.Microsecond {
		t.Errorf("decoded %d values at %d digits from %v, want 7 at 3 from 1µs", s.Count(), s.Digits(), s.Lowest())
	}
	// What nines writes back, hdrhistogram-go reads, bucket for bucket.
	theirs, err := hdr.Decode([]byte(base64.StdEncoding.EncodeToString(s.Encode())))
	if err != nil || theirs.TotalCount() != 7 {
		t.Fatalf("hdrhistogram-go reads %v values: %v", theirs, err)
	}
	// A ratio that is neither 1 nor 1.0 is still a DoubleHistogram.
	if _, err := histogram.Decode(hdrEncodingBits(1000, int64(time.Hour), 3, 2, payload)); !errors.Is(err, histogram.ErrCorrupt) {
		t.Errorf("ratio bits 2: %v, want ErrCorrupt", err)
	}
}

// TestDecodeStateAllocatesByInput: a state naming its highest bucket costs
// memory for what it holds, not for its layout.
func TestDecodeStateAllocatesByInput(t *testing.T) {
	r, _ := newRecorder(t, histogram.Config{Digits: 3, Lowest: time.Nanosecond})
	r.Record(time.Hour)
	data := r.State().Encode()
	if n := allocated(func() {
		if _, err := histogram.DecodeState(data); err != nil {
			t.Fatal(err)
		}
	}); n > 64<<10 {
		t.Errorf("decoding a %d-byte state allocated %d bytes", len(data), n)
	}
}

// TestAddAcrossWindows restores a state into a recorder with different
// windows: a window the state lacks is filled from the next longer one.
func TestAddAcrossWindows(t *testing.T) {
	r, clock := newRecorder(t, histogram.Config{})
	for range 100 {
		r.Record(time.Millisecond)
	}
	clock.Advance(3 * time.Minute)
	r.Record(time.Millisecond)
	other, otherClock := newRecorder(t, histogram.Config{Windows: []time.Duration{time.Minute, 15 * time.Minute, time.Hour}})
	otherClock.Set(clock.Now())
	if err := other.Add(r.State()); err != nil {
		t.Fatal(err)
	}
	if got := count(t, other, 15*time.Minute); got != 101 {
		t.Errorf("15m window (not in the state) holds %d values, want 101", got)
	}
	if got := count(t, other, time.Hour); got != 101 {
		t.Errorf("1h window holds %d values, want 101", got)
	}
}

func TestMergeSaturates(t *testing.T) {
	big := hdrEncoding(1, 1<<20, 2, 1, varint(math.MaxInt64))
	a, err := histogram.Decode(big)
	if err != nil {
		t.Fatal(err)
	}
	m, err := histogram.Merge(a, a, a)
	if err != nil {
		t.Fatal(err)
	}
	if m.Count() != math.MaxUint64 || m.Saturated() == 0 {
		t.Errorf("merging three 2^63 counts: Count %d, Saturated %d; want saturation", m.Count(), m.Saturated())
	}
}

// TestRestoreCostsByBucketsHeld: restoring a state whose cells each hold
// the first and the last bucket of a wide layout costs about what cells of
// two neighbouring buckets cost, not the 55,000 buckets between them. It
// compares the two in one run, so that the machine's speed cancels out.
func TestRestoreCostsByBucketsHeld(t *testing.T) {
	c := histogram.Config{Lowest: time.Nanosecond, Highest: math.MaxInt64, Digits: 3}
	stateOf := func(a, b time.Duration) []byte {
		r, clock := newRecorder(t, c)
		for range 600 { // an hour of 6 s ticks
			r.Record(a)
			r.Record(b)
			clock.Advance(6 * time.Second)
		}
		return r.State().Encode()
	}
	restore := func(data []byte) func(*testing.B) {
		return func(b *testing.B) {
			for range b.N {
				s, err := histogram.DecodeState(data)
				if err != nil {
					b.Fatal(err)
				}
				r, _ := newRecorder(b, c)
				r.Add(s)
				r.Add(s) // onto cells it already holds
			}
		}
	}
	wide := testing.Benchmark(restore(stateOf(time.Nanosecond, math.MaxInt64)))
	near := testing.Benchmark(restore(stateOf(time.Nanosecond, 2*time.Nanosecond)))
	ratio := float64(wide.NsPerOp()) / float64(near.NsPerOp())
	t.Logf("wide %v, near %v: %.2f×", time.Duration(wide.NsPerOp()), time.Duration(near.NsPerOp()), ratio)
	if ratio > 3 {
		t.Errorf("restoring cells of the layout's two ends takes %v, of two neighbouring buckets %v: %.0f×, want ≤ 3×",
			time.Duration(wide.NsPerOp()), time.Duration(near.NsPerOp()), ratio)
	}
}

// samePlaceState encodes a state of n cells that all start at one time,
// each of another width and each holding one value in a far bucket of a
// wide layout: cells that no merge combines, all bound for one cell of a
// recorder.
func samePlaceState(n int, at time.Time) []byte {
	b := []byte{2}
	b = binary.AppendUvarint(b, 1)             // lowest
	b = binary.AppendUvarint(b, math.MaxInt64) // highest
	b = binary.AppendUvarint(b, 3)             // digits
	b = binary.AppendUvarint(b, 1)             // one window
	b = binary.AppendUvarint(b, uint64(time.Hour))
	b = binary.AppendVarint(b, at.UnixNano())
	b = binary.AppendUvarint(b, uint64(n))
	for i := range n {
		b = binary.AppendVarint(b, at.Add(-time.Minute).UnixNano())
		b = binary.AppendUvarint(b, uint64(i+1)) // width
		body := []byte{0, 0xc0}
		body = binary.AppendUvarint(body, uint64(1000+i*2)) // gap: a bucket of its own
		body = binary.AppendUvarint(body, 0)                // count − 1
		b = binary.AppendUvarint(b, uint64(len(body)))
		b = append(b, body...)
	}
	return b
}

// TestRestoreManyCellsToOnePlace: a state sending many cells to one cell
// of the recorder restores in time linear in its size (it was quadratic:
// 16 s for 630 KB), measured as the growth from n to 8n cells in one run.
func TestRestoreManyCellsToOnePlace(t *testing.T) {
	c := histogram.Config{Lowest: time.Nanosecond, Highest: math.MaxInt64, Digits: 3, Windows: []time.Duration{time.Hour}}
	cost := func(n int) time.Duration {
		r, clock := newRecorder(t, c)
		data := samePlaceState(n, clock.Now())
		s, err := histogram.DecodeState(data)
		if err != nil {
			t.Fatal(err)
		}
		res := testing.Benchmark(func(b *testing.B) {
			for b.Loop() {
				r.Add(s)
			}
		})
		snap, _ := r.Snapshot(time.Hour)
		if snap.Count() == 0 || snap.Count()%uint64(n) != 0 {
			t.Fatalf("%d cells restored %d values", n, snap.Count())
		}
		return time.Duration(res.NsPerOp())
	}
	small, large := cost(1000), cost(8000)
	t.Logf("1,000 cells: %v; 8,000: %v", small, large)
	if large > 20*small {
		t.Errorf("8 times the cells took %.1f times as long, want at most 20 (linear: 8, quadratic: 64)", float64(large)/float64(small))
	}
}
