package histogram

import (
	"math"
	"testing"
)

// TestCellForms encodes cells that suit each form of cellCodec, checks the
// form chosen, and decodes them back bucket for bucket.
func TestCellForms(t *testing.T) {
	lay, err := newLayout(1000, 3600e9, 2)
	if err != nil {
		t.Fatal(err)
	}
	codec := &cellCodec{n: lay.countsLen}
	for _, tt := range []struct {
		name   string
		fill   func(a *acc)
		flags  byte
		extras bool
	}{
		{"a few values: sparse", func(a *acc) { a.addAt(10, 1); a.addAt(14, 3); a.addAt(900, 1) }, 0, false},
		{"scattered values: sparse", func(a *acc) {
			for i := range 50 {
				a.addAt(i*40, uint64(1+i%3))
			}
		}, 0, false},
		{"one bucket, far out: dense", func(a *acc) { a.addAt(lay.countsLen-1, 1<<40) }, flagDense, false},
		{"a run of small counts: dense", func(a *acc) {
			for i := range 200 {
				a.addAt(300+i, uint64(20+i%7*15))
			}
		}, flagDense, false},
		{"a busy run: differences", func(a *acc) {
			for i := range 200 {
				a.addAt(300+i, uint64(40000+i*3+i%5))
			}
			a.overflow = 7
		}, flagDense | flagDelta | flagExtras, true},
		{"counts near 2^56", func(a *acc) {
			for i := range 100 {
				a.addAt(300+i, 1<<56-uint64(i%3))
			}
		}, flagDense | flagDelta, false},
	} {
		a := codec.Get()
		tt.fill(a)
		enc := codec.Append(nil, a)
		_, k := uvarint(enc)
		if got := enc[k]; got != tt.flags {
			t.Errorf("%s: flags %03b, want %03b", tt.name, got, tt.flags)
		}
		var want uint64
		a.each(func(_ int, n uint64) { want = addSaturating(want, n) })
		if n, ok := cellCount(enc, lay.countsLen); !ok || n != want {
			t.Errorf("%s: cellCount %d, %v; want %d, true", tt.name, n, ok, want)
		}
		b := codec.Get()
		if n := codec.Add(b, enc); n != len(enc) {
			t.Errorf("%s: Add read %d of %d bytes", tt.name, n, len(enc))
		}
		for i := range a.counts {
			if a.counts[i] != b.counts[i] {
				t.Fatalf("%s: bucket %d decodes to %d, want %d", tt.name, i, b.counts[i], a.counts[i])
			}
		}
		if b.overflow != a.overflow || b.lo != a.lo || b.hi != a.hi {
			t.Errorf("%s: decoded overflow %d, range %d..%d; want %d, %d..%d", tt.name, b.overflow, b.lo, b.hi, a.overflow, a.lo, a.hi)
		}
		codec.Put(a)
		codec.Put(b)
	}
}

// TestCellCountRefuses: cells no Append writes are refused.
func TestCellCountRefuses(t *testing.T) {
	n := 100
	for name, body := range map[string][]byte{
		"differences without dense":      {flagDelta, 1, 2},
		"an unknown flag":                {8, 1, 2},
		"differences ending at zero":     {flagDense | flagDelta, 5, 4, 3}, // 2, then 2 − 2 = 0
		"differences starting at zero":   {flagDense | flagDelta, 5, 0, 2},
		"differences past the layout":    {flagDense | flagDelta, 99, 2, 2},
		"differences overflowing totals": append([]byte{flagDense | flagDelta, 5}, append(varintBytes(zigzag(-2)), varintBytes(zigzag(1))...)...),
	} {
		enc := append(varintBytes(uint64(len(body))), body...)
		if _, ok := cellCount(enc, n); ok {
			t.Errorf("%s: % x accepted", name, enc)
		}
	}
}

func varintBytes(v uint64) []byte {
	var b []byte
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func uvarint(b []byte) (uint64, int) {
	var v uint64
	for i, c := range b {
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

func addSaturating(a, b uint64) uint64 {
	if a+b < a {
		return math.MaxUint64
	}
	return a + b
}

// TestCellWrappedEnds: restored counts that sum to 2^64 wrap a bucket to
// zero; a cell whose range ends on such a bucket still encodes as a cell
// that cellCount accepts.
func TestCellWrappedEnds(t *testing.T) {
	lay, _ := newLayout(1000, 3600e9, 2)
	codec := &cellCodec{n: lay.countsLen}
	a := codec.Get()
	defer codec.Put(a)
	for i := range 20 {
		a.addAt(100+i, 5000) // a busy run: the dense form
	}
	a.addAt(100, math.MaxUint64-4999) // 5000 + (2^64 − 5000): zero
	a.addAt(119, math.MaxUint64-4999)
	enc := codec.Append(nil, a)
	if _, k := uvarint(enc); enc[k]&flagDense == 0 {
		t.Fatalf("flags %03b: not the dense form this test is about", enc[k])
	}
	if n, ok := cellCount(enc, lay.countsLen); !ok || n != 18*5000 {
		t.Errorf("cellCount = %d, %v; want %d, true", n, ok, 18*5000)
	}
}
