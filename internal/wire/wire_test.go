package wire

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

func TestReader(t *testing.T) {
	b := []byte{7}
	b = binary.AppendUvarint(b, 300)
	b = binary.AppendVarint(b, -5)
	b = binary.AppendUvarint(b, 2)
	b = append(b, 'h', 'i')
	r := NewReader(b)
	if r.Byte() != 7 || r.Uvarint() != 300 || r.Varint() != -5 || string(r.Bytes()) != "hi" || !r.OK() || r.Len() != 0 {
		t.Fatal("reading back what was written failed")
	}
	if r.Byte(); r.OK() {
		t.Error("reading past the end succeeded")
	}
	// A count larger than the input can hold fails at once.
	big := NewReader(binary.AppendUvarint(nil, 1<<40))
	if big.Count(1); big.OK() {
		t.Error("a count beyond the input succeeded")
	}
	trunc := NewReader([]byte{0x80})
	if trunc.Uvarint(); trunc.OK() {
		t.Error("a truncated varint succeeded")
	}
}

func TestSkipUvarints(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for range 2000 {
		var b []byte
		var ends []int
		for range rng.IntN(40) {
			v := rng.Uint64() >> rng.IntN(64)
			b = binary.AppendUvarint(b, v)
			ends = append(ends, len(b))
		}
		b = append(b, 0x80, 0x80, 0x01) // a varint that follows, not counted
		for n, want := range append([]int{0}, ends...) {
			if got := SkipUvarints(b, n); got != want {
				t.Fatalf("SkipUvarints(% x, %d) = %d, want %d", b, n, got, want)
			}
		}
	}
}

func BenchmarkSkipUvarints(b *testing.B) {
	var buf []byte
	for i := range 1000 {
		buf = binary.AppendUvarint(buf, uint64(i*i))
	}
	b.Run("swar", func(b *testing.B) {
		for b.Loop() {
			SkipUvarints(buf, 1000)
		}
	})
	b.Run("uvarint", func(b *testing.B) {
		for b.Loop() {
			p := 0
			for range 1000 {
				_, m := binary.Uvarint(buf[p:])
				p += m
			}
		}
	})
}

func TestSumPairs(t *testing.T) {
	var b []byte
	for _, v := range []uint64{1, 200, 3, 1 << 40, 127, 128} {
		b = binary.AppendUvarint(b, v)
	}
	b = append(b, 9)
	r := NewReader(b)
	x, y := uint64(10), uint64(20)
	if r.SumPairs(3, &x, &y); !r.OK() || x != 10+1+3+127 || y != 20+200+(1<<40)+128 || r.Byte() != 9 {
		t.Errorf("sums %d, %d, ok %v", x, y, r.OK())
	}
	r = NewReader(b[:len(b)-3]) // the last pair cut
	if r.SumPairs(3, &x, &y); r.OK() {
		t.Error("a cut pair read as whole")
	}
	over := binary.AppendUvarint(binary.AppendUvarint(nil, 1<<63), 0)
	over = append(over, over...)
	r = NewReader(over)
	x, y = 0, 0
	if r.SumPairs(2, &x, &y); r.OK() {
		t.Error("an overflowing sum read as whole")
	}
}

// TestLongVarints: a varint in more bytes than its value needs fails, in
// every read, so that equal values are equal bytes.
func TestLongVarints(t *testing.T) {
	for _, b := range [][]byte{{0x80, 0}, {0x81, 0}, {0xff, 0x80, 0}, {0x80, 0x80, 0x80, 0}} {
		if r := NewReader(b); r.Uvarint() != 0 || r.OK() {
			t.Errorf("Uvarint(% x) succeeded", b)
		}
		if r := NewReader(b); r.Varint() != 0 || r.OK() {
			t.Errorf("Varint(% x) succeeded", b)
		}
		for _, pair := range [][]byte{append(append([]byte(nil), b...), 0), append([]byte{0}, b...)} {
			var x, y uint64
			r := NewReader(pair)
			if r.SumPairs(1, &x, &y); r.OK() {
				t.Errorf("SumPairs(% x) succeeded", pair)
			}
		}
	}
	// The shortest forms, 0 and the largest values included, read.
	for _, v := range []uint64{0, 1, 127, 128, 1 << 63, 1<<64 - 1} {
		b := binary.AppendUvarint(nil, v)
		if r := NewReader(b); r.Uvarint() != v || !r.OK() {
			t.Errorf("Uvarint(% x) failed", b)
		}
		b = binary.AppendVarint(nil, int64(v))
		if r := NewReader(b); r.Varint() != int64(v) || !r.OK() {
			t.Errorf("Varint(% x) failed", b)
		}
		var x, y uint64
		b = binary.AppendUvarint(binary.AppendUvarint(nil, v), v)
		r := NewReader(b)
		if r.SumPairs(1, &x, &y); !r.OK() || x != v || y != v {
			t.Errorf("SumPairs(% x) = %d, %d, %v", b, x, y, r.OK())
		}
	}
}
