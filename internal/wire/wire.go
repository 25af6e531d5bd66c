// Package wire reads the varint-based binary forms that the histogram and
// sli states and the slo snapshots are written in. A Reader remembers its
// first failure, so a decoder reads field after field and checks once; a
// count or length read from the input can never make it loop or allocate
// beyond what the input holds. It reads a varint only in its shortest
// form, the one encoding/binary writes, so that equal values read from
// the input are equal bytes there: a decoder that keeps the input's bytes
// (cells a store compares with an empty one's, say) keeps one form of
// each.
package wire

import (
	"encoding/binary"
	"math/bits"
)

// Reader reads from a byte slice. The zero value reads nothing.
type Reader struct {
	b   []byte
	bad bool
}

// NewReader returns a reader of b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// OK reports whether every read so far succeeded.
func (r *Reader) OK() bool { return !r.bad }

// Len returns the bytes left to read.
func (r *Reader) Len() int { return len(r.b) }

func (r *Reader) fail() {
	r.bad, r.b = true, nil
}

// Byte reads one byte.
func (r *Reader) Byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// uvarint reads the unsigned varint at the start of b as binary.Uvarint
// does, except that one longer than its value needs (its last byte 0,
// after others) fails too: n ≤ 0 then.
func uvarint(b []byte) (uint64, int) {
	v, n := binary.Uvarint(b)
	if n > 1 && b[n-1] == 0 {
		return 0, 0
	}
	return v, n
}

// Uvarint reads an unsigned varint.
func (r *Reader) Uvarint() uint64 {
	v, n := uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Varint reads a signed varint.
func (r *Reader) Varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 || n > 1 && r.b[n-1] == 0 { // longer than it needs, as uvarint
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Count reads a number of items that take at least min bytes each, failing
// if what is left cannot hold them.
func (r *Reader) Count(min int) int {
	n := r.Uvarint()
	if r.bad || n > uint64(r.Len()/min) {
		r.fail()
		return 0
	}
	return int(n)
}

// Bytes reads a length-prefixed run of bytes, which aliases the input.
func (r *Reader) Bytes() []byte {
	n := r.Count(1)
	if r.bad {
		return nil
	}
	c := r.b[:n]
	r.b = r.b[n:]
	return c
}

// Prefixed reads a length-prefixed run of bytes and returns it with its
// prefix, aliasing the input.
func (r *Reader) Prefixed() []byte {
	whole := r.b
	n := r.Count(1)
	if r.bad {
		return nil
	}
	k := len(whole) - len(r.b) // the prefix's length
	c := whole[:k+n]
	r.b = r.b[n:]
	return c
}

// SkipUvarints returns the length of the n unsigned varints at the start
// of b, which must hold them (it trusts b: use it on bytes already
// checked). It counts their last bytes (those under 0x80) eight at a
// time.
func SkipUvarints(b []byte, n int) int {
	const high = 0x8080808080808080
	p := 0
	for p+8 <= len(b) {
		// Every byte's high bit, clear in the last byte of a varint. The
		// eight bytes end at most n−1 varints: none is cut.
		ends := bits.OnesCount64(^binary.LittleEndian.Uint64(b[p:]) & high)
		if ends >= n {
			break
		}
		n -= ends
		p += 8
	}
	for ; n > 0; p++ {
		if b[p] < 0x80 {
			n--
		}
	}
	return p
}

// SumPairs reads k pairs of unsigned varints, adding the first of each
// pair to *x and the second to *y; it fails as Uvarint does, or if a sum
// overflows. It reads one-byte varints without a call, as most of the
// cells it reads are.
func (r *Reader) SumPairs(k int, x, y *uint64) {
	b, p := r.b, 0
	next := func() (uint64, bool) {
		if p < len(b) && b[p] < 0x80 {
			p++
			return uint64(b[p-1]), true
		}
		v, m := uvarint(b[p:])
		p += max(m, 0)
		return v, m > 0
	}
	sx, sy := *x, *y
	for range k {
		u, ok1 := next()
		v, ok2 := next()
		if !ok1 || !ok2 || sx+u < sx || sy+v < sy {
			r.fail()
			return
		}
		sx, sy = sx+u, sy+v
	}
	*x, *y = sx, sy
	r.b = b[p:]
}
