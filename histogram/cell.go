package histogram

import (
	"encoding/binary"
	"slices"
	"sync"
	"sync/atomic"
)

// acc is a histogram being summed: one count per bucket of a layout, the
// range of buckets that may be non-zero, and the values outside the
// buckets. It is the accumulator of a Recorder's window.Store.
//
// It also lists the buckets it made non-zero, while they are few, so that
// walking, encoding and emptying it cost in proportion to the buckets it
// holds, not to the span between its lowest and highest: a restored cell
// holding the layout's first and last buckets costs two, not the layout.
type acc struct {
	counts                       []uint64
	lo, hi                       int     // counts outside [lo, hi] are zero; hi < lo when all are
	nz                           []int32 // buckets made non-zero, in the order reached (see many)
	many                         bool    // nz stopped: more than len(counts)/16 buckets were reached
	underflow, overflow, invalid uint64
	pool                         *sync.Pool // where release puts it back
}

// listed reports whether a's buckets are better walked through nz than
// through the range lo..hi: when nz is complete and much shorter.
func (a *acc) listed() bool { return !a.many && 4*len(a.nz) < a.hi-a.lo+1 }

func (a *acc) reset() {
	switch {
	case a.listed():
		for _, i := range a.nz {
			a.counts[i] = 0
		}
	case a.hi >= a.lo:
		clear(a.counts[a.lo : a.hi+1])
	}
	a.lo, a.hi = len(a.counts), -1
	a.nz, a.many = a.nz[:0], false
	a.underflow, a.overflow, a.invalid = 0, 0, 0
}

func (a *acc) isZero() bool { return a.hi < a.lo && a.underflow|a.overflow|a.invalid == 0 }

// touch notes that bucket i, which held zero, is about to hold a count.
func (a *acc) touch(i int) {
	a.lo, a.hi = min(a.lo, i), max(a.hi, i)
	if a.many {
		return
	}
	if len(a.nz) < len(a.counts)/16 {
		a.nz = append(a.nz, int32(i))
		return
	}
	// Past this many, lo..hi spans at most 16 times the buckets reached:
	// walking it costs in proportion to them.
	a.many = true
}

// addAt adds n values at bucket i.
func (a *acc) addAt(i int, n uint64) {
	if n == 0 {
		return
	}
	if a.counts[i] == 0 {
		a.touch(i)
	}
	a.counts[i] += n
}

// each calls f with every non-zero bucket of a in increasing order.
func (a *acc) each(f func(i int, n uint64)) {
	if a.listed() {
		slices.Sort(a.nz)
		prev := int32(-1)
		for _, i := range a.nz {
			if n := a.counts[i]; i != prev && n != 0 { // a count that wrapped to zero was listed twice
				f(int(i), n)
			}
			prev = i
		}
		return
	}
	for i := a.lo; i <= a.hi; i++ {
		if n := a.counts[i]; n != 0 {
			f(i, n)
		}
	}
}

// accPools lends accumulators by bucket count, shared by every recorder of
// one layout, so that a recorder keeps no dense histogram of its own.
var accPools sync.Map // int → *sync.Pool

// borrowAcc returns an empty accumulator of n buckets; release gives it
// back.
func borrowAcc(n int) *acc {
	p, ok := accPools.Load(n)
	if !ok {
		var pool *sync.Pool
		pool = &sync.Pool{New: func() any {
			return &acc{counts: make([]uint64, n), lo: n, hi: -1, pool: pool}
		}}
		p, _ = accPools.LoadOrStore(n, pool)
	}
	return p.(*sync.Pool).Get().(*acc)
}

// release empties a and puts it back in its pool.
func (a *acc) release() {
	a.reset()
	a.pool.Put(a)
}

// cellCodec keeps a closed cell compactly: its length as a uvarint, then,
// unless the cell is empty, a flags byte and the buckets. Flags bit 0: the
// counts outside the buckets follow, as three uvarints (under, over,
// invalid). Bit 1 chooses the form of the buckets, whichever is shorter:
//
//   - sparse (0): the non-zero buckets in increasing order, each as the gap
//     since the previous one and its count, in one byte for gaps to 7 and
//     counts to 16 (0gggcccc), two bytes for gaps to 3 and counts to 4096
//     (10ggcccc cccccccc), or 0xc0 and two uvarints (gap, count − 1);
//   - dense (1): the first bucket as a uvarint, then every count from it
//     to the last non-zero one as a uvarint, zeros included; with bit 2,
//     each count as the zigzag varint of its difference from the count
//     before it (modulo 2^64), which neighbouring buckets of a busy cell
//     keep small.
//
// The sparse form suits a short cell, whose buckets hold a value or two
// each; the dense form the body of a long one, and its differences a cell
// of thousands of values a bucket. A cell costs in proportion
// to the buckets it occupies, never to the layout.
type cellCodec struct {
	n    int    // buckets in the layout
	body []byte // scratch, used under the store's lock
}

const (
	flagExtras = 1
	flagDense  = 2
	flagDelta  = 4 // with flagDense
)

func (c *cellCodec) Reset(a *acc)       { a.reset() }
func (c *cellCodec) Get() *acc          { return borrowAcc(c.n) }
func (c *cellCodec) Put(a *acc)         { a.release() }
func (c *cellCodec) IsZero(a *acc) bool { return a.isZero() }

func (c *cellCodec) Append(dst []byte, a *acc) []byte {
	if a.isZero() {
		return append(dst, 0)
	}
	b := append(c.body[:0], 0)
	if a.underflow|a.overflow|a.invalid != 0 {
		b[0] |= flagExtras
		b = binary.AppendUvarint(b, a.underflow)
		b = binary.AppendUvarint(b, a.overflow)
		b = binary.AppendUvarint(b, a.invalid)
	}
	head := len(b)
	prev := -1
	a.each(func(i int, n uint64) {
		gap := uint64(i - prev - 1)
		prev = i
		switch {
		case gap < 8 && n <= 16:
			b = append(b, byte(gap<<4|(n-1)))
		case gap < 4 && n <= 4096:
			m := n - 1
			b = append(b, byte(0x80|gap<<4|m>>8), byte(m))
		default:
			b = append(b, 0xc0)
			b = binary.AppendUvarint(b, gap)
			b = binary.AppendUvarint(b, n-1)
		}
	})
	// The dense form, if shorter. It takes at least a byte per bucket of
	// lo..hi, so it is sized only when that range is shorter than the
	// sparse form: the cost stays in proportion to what is written. It starts and
	// ends on non-zero buckets, as cellCount requires, though lo and hi may
	// sit on counts that wrapped to zero (restored counts summing to 2^64).
	if a.hi >= a.lo && a.hi-a.lo+1 < len(b)-head {
		lo, hi := a.lo, a.hi
		for lo <= hi && a.counts[lo] == 0 {
			lo++
		}
		for hi >= lo && a.counts[hi] == 0 {
			hi--
		}
		plain, delta := 0, 0
		prev := uint64(0)
		for _, n := range a.counts[lo : hi+1] {
			plain += uvarintLen(n)
			delta += uvarintLen(zigzag(int64(n - prev)))
			prev = n
		}
		if size := uvarintLen(uint64(lo)) + min(plain, delta); hi >= lo && size < len(b)-head {
			b = binary.AppendUvarint(b[:head], uint64(lo))
			b[0] |= flagDense
			if delta < plain {
				b[0] |= flagDelta
				prev = 0
				for _, n := range a.counts[lo : hi+1] {
					b = binary.AppendUvarint(b, zigzag(int64(n-prev)))
					prev = n
				}
			} else {
				for _, n := range a.counts[lo : hi+1] {
					b = binary.AppendUvarint(b, n)
				}
			}
		}
	}
	c.body = b
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func (c *cellCodec) Len(enc []byte) int {
	n, k := binary.Uvarint(enc)
	return k + int(n)
}

func (c *cellCodec) LenN(enc []byte, k int) int {
	off := 0
	for range k {
		off += c.Len(enc[off:])
	}
	return off
}

// Add adds a cell into a. Cells reach it only from this package's Append
// or from a State that [DecodeState] has checked, so it trusts them.
func (c *cellCodec) Add(a *acc, enc []byte) int {
	n, k := binary.Uvarint(enc)
	body := enc[k : k+int(n)]
	if len(body) == 0 {
		return k
	}
	p := 1
	if body[0]&flagExtras != 0 {
		u, m := binary.Uvarint(body[p:])
		p += m
		o, m := binary.Uvarint(body[p:])
		p += m
		v, m := binary.Uvarint(body[p:])
		p += m
		a.underflow += u
		a.overflow += o
		a.invalid += v
	}
	counts := a.counts
	if body[0]&flagDense != 0 {
		first, m := binary.Uvarint(body[p:])
		p += m
		delta := body[0]&flagDelta != 0
		prev := uint64(0)
		for i := int(first); p < len(body); i++ {
			v := uint64(body[p])
			if v < 0x80 { // most counts of a dense cell
				p++
			} else {
				v, m = binary.Uvarint(body[p:])
				p += m
			}
			if delta {
				v = prev + uint64(unzigzag(v))
				prev = v
			}
			if v != 0 {
				if counts[i] == 0 {
					a.touch(i)
				}
				counts[i] += v
			}
		}
		return k + int(n)
	}
	for i := -1; p < len(body); {
		x := body[p]
		var v uint64
		switch {
		case x < 0x80:
			i += int(x>>4) + 1
			v = uint64(x&15) + 1
			p++
		case x < 0xc0:
			i += int(x>>4&3) + 1
			v = (uint64(x&15)<<8 | uint64(body[p+1])) + 1
			p += 2
		default:
			g, m := binary.Uvarint(body[p+1:])
			c, m2 := binary.Uvarint(body[p+1+m:])
			i += int(g) + 1
			v = c + 1
			p += 1 + m + m2
		}
		if counts[i] == 0 {
			a.touch(i)
		}
		counts[i] += v
	}
	return k + int(n)
}

// cellCount returns the number of values in the buckets of an encoded cell
// (clamped ones included, invalid ones not), and false if the cell is not
// well formed for a layout of n buckets: how [DecodeState] checks the cells
// that come from outside. It reads the cell once and allocates nothing.
func cellCount(enc []byte, n int) (uint64, bool) {
	ln, k := binary.Uvarint(enc)
	if k <= 0 || ln > uint64(len(enc)-k) || uint64(k)+ln != uint64(len(enc)) {
		return 0, false
	}
	body := enc[k:]
	if len(body) == 0 {
		return 0, true
	}
	p := 1
	if f := body[0]; f&^(flagExtras|flagDense|flagDelta) != 0 || f&flagDelta != 0 && f&flagDense == 0 {
		return 0, false
	}
	if body[0]&flagExtras != 0 {
		for range 3 {
			_, m := binary.Uvarint(body[p:])
			if m <= 0 {
				return 0, false
			}
			p += m
		}
	}
	var total uint64
	add := func(v uint64) bool {
		total += v
		return total >= v
	}
	if body[0]&flagDense != 0 {
		first, m := binary.Uvarint(body[p:])
		if m <= 0 || first >= uint64(n) {
			return 0, false
		}
		p += m
		delta := body[0]&flagDelta != 0
		var v uint64
		for i := int(first); p < len(body); i++ {
			d, m := binary.Uvarint(body[p:])
			if delta {
				d = v + uint64(unzigzag(d))
			}
			v = d
			if m <= 0 || i >= n || !add(v) || i == int(first) && v == 0 {
				return 0, false
			}
			p += m
		}
		if v == 0 { // no counts, or a last one of zero: not what Append writes
			return 0, false
		}
		return total, true
	}
	i := -1
	for p < len(body) {
		x := body[p]
		var gap, cnt uint64
		switch {
		case x < 0x80:
			gap, cnt = uint64(x>>4), uint64(x&15)+1
			p++
		case x < 0xc0:
			if p+1 >= len(body) {
				return 0, false
			}
			gap, cnt = uint64(x>>4&3), (uint64(x&15)<<8|uint64(body[p+1]))+1
			p += 2
		case x == 0xc0:
			g, m := binary.Uvarint(body[p+1:])
			if m <= 0 {
				return 0, false
			}
			v, m2 := binary.Uvarint(body[p+1+m:])
			if m2 <= 0 || v == 1<<64-1 {
				return 0, false
			}
			gap, cnt = g, v+1
			p += 1 + m + m2
		default:
			return 0, false
		}
		if gap >= uint64(n) || i+int(gap)+1 >= n || !add(cnt) {
			return 0, false
		}
		i += int(gap) + 1
	}
	return total, true
}

// pageSize is the number of hot counters allocated together.
const pageSize = 32

type page [pageSize]atomic.Uint32

// hotPages holds the histograms of the current tick, one a slot (a core,
// or cores that share one), allocated a page of counters at a time as
// values reach them, so that they cost what the distribution occupies, not
// the layout. A slot's counters are the layout's buckets followed by
// hotExtra counters — values under the range, over it, and invalid — so
// that recording any value is one atomic add. The slots' page tables are
// one array, so that a record loads the recorder, the page's pointer and
// the counter, and no slot's own header.
type hotPages struct {
	pages   []atomic.Pointer[page] // slot k's are [k·perSlot, (k+1)·perSlot)
	perSlot uint
}

func newHotPages(slots, counters int) hotPages {
	per := (counters + pageSize - 1) / pageSize
	return hotPages{pages: make([]atomic.Pointer[page], slots*per), perSlot: uint(per)}
}

// counter returns counter i of slot k, allocating its page on first use.
func (h *hotPages) counter(k, i uint) *atomic.Uint32 {
	pp := &h.pages[k*h.perSlot+i/pageSize]
	p := pp.Load()
	if p == nil {
		p = newPage(pp)
	}
	return &p[i%pageSize]
}

// newPage allocates the page at pp, or returns the one another recorder
// put there first.
func newPage(pp *atomic.Pointer[page]) *page {
	p := new(page)
	if !pp.CompareAndSwap(nil, p) {
		p = pp.Load()
	}
	return p
}

// The counters past a hot slot's buckets, by offset from the last bucket.
const (
	hotUnderflow = iota
	hotOverflow
	hotInvalid
	hotExtra
)

// read adds what every slot of h holds to a, and empties h if take. A
// value under or over the range is counted at the lowest or highest bucket
// too, as Record documents.
func (h *hotPages) read(lay *layout, a *acc, take bool) {
	for g := range h.pages {
		p := h.pages[g].Load()
		if p == nil {
			continue
		}
		for j := range p {
			c := &p[j]
			if c.Load() == 0 {
				continue
			}
			var n uint64
			if take {
				n = uint64(c.Swap(0))
			} else {
				n = uint64(c.Load())
			}
			x := g%int(h.perSlot)*pageSize + j
			switch x - lay.countsLen {
			case hotUnderflow:
				a.underflow += n
				x = lay.index(lay.lowest)
			case hotOverflow:
				a.overflow += n
				x = lay.index(lay.highest)
			case hotInvalid:
				a.invalid += n
				continue
			}
			a.addAt(x, n)
		}
	}
}
