package window

import (
	"encoding/binary"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// sum is the accumulator of the test codec: a count of events.
type sum struct{ n uint64 }

type codec struct{}

func (codec) Reset(a *sum)                     { a.n = 0 }
func (codec) IsZero(a *sum) bool               { return a.n == 0 }
func (codec) Append(dst []byte, a *sum) []byte { return binary.AppendUvarint(dst, a.n) }
func (codec) Add(a *sum, enc []byte) int {
	v, n := binary.Uvarint(enc)
	a.n += v
	return n
}
func (codec) Len(enc []byte) int { _, n := binary.Uvarint(enc); return n }
func (codec) LenN(enc []byte, k int) int {
	off := 0
	for range k {
		off += codec{}.Len(enc[off:])
	}
	return off
}
func (codec) Get() *sum  { a := pool.Get().(*sum); a.n = 0; return a }
func (codec) Put(a *sum) { pool.Put(a) }

// packing is the test codec as a Packer: a block as its first count and
// the zigzag differences of the others, as varints.
type packing struct{ codec }

func (packing) Pack(dst, cells []byte, k int) []byte {
	var prev uint64
	for range k {
		v, n := binary.Uvarint(cells)
		cells = cells[n:]
		d := v - prev
		dst = binary.AppendUvarint(dst, d<<1^uint64(int64(d)>>63))
		prev = v
	}
	return dst
}

func (packing) Unpack(dst, p []byte, k int) []byte {
	var v uint64
	for range k {
		z, n := binary.Uvarint(p)
		p = p[n:]
		v += z>>1 ^ -(z & 1)
		dst = binary.AppendUvarint(dst, v)
	}
	return dst
}

// packedBlocks counts the blocks of s kept packed.
func packedBlocks(s *Store[sum]) int {
	n := 0
	for _, l := range s.levels {
		for _, b := range l.blocks {
			if b.packed {
				n++
			}
		}
	}
	return n
}

var codecs = []struct {
	name  string
	codec Codec[sum]
}{{"plain", codec{}}, {"packed", packing{}}}

type hot struct{ n atomic.Uint64 }

func (h *hot) Take(a *sum) { a.n += h.n.Swap(0) }
func (h *hot) Peek(a *sum) { a.n += h.n.Load() }

var pool = sync.Pool{New: func() any { return new(sum) }}

const tick = 10 * time.Second

var levels = []Level{
	{Width: tick, Span: 25 * time.Minute, Block: 30},
	{Width: time.Minute, Span: 6*time.Hour + 30*time.Minute, Block: 60},
	{Width: 15 * time.Minute, Span: 35 * 24 * time.Hour, Block: 96},
}

func enc(n uint64) []byte { return binary.AppendUvarint(nil, n) }

// event is what the model remembers of an added event.
type event struct{ t int64 }

// model places events by the rules of the package documentation,
// independently of the implementation, and sums windows.
type model struct {
	events []event
	hotIdx int64
}

func (m *model) frontier(k int) int64 {
	l := levels[k]
	hs := m.hotIdx * int64(tick)
	w := int64(l.Width)
	f := hs - int64(l.Span)
	q := f / w
	if f%w != 0 && f < 0 {
		q--
	}
	return q * w
}

// cell returns the cell that holds an event at t now, and false when it
// has expired.
func (m *model) cell(t int64) (start, end int64, ok bool) {
	hs := m.hotIdx * int64(tick)
	if t >= hs {
		return hs, hs + int64(tick), true
	}
	for k := range levels {
		if t >= m.frontier(k) {
			w := int64(levels[k].Width)
			start = t / w * w
			bound := hs
			if k > 0 {
				bound = m.frontier(k - 1)
			}
			return start, min(start+w, bound), true
		}
	}
	return 0, 0, false
}

func (m *model) sum(a, b int64) uint64 {
	var n uint64
	for _, e := range m.events {
		st, end, ok := m.cell(e.t)
		if ok && st <= b && (end > b || st+(end-st)/2 > a) {
			n++
		}
	}
	return n
}

// TestStoreMatchesModel adds events at random times — most at the present,
// some in the past — while rotating through 40 days, and checks windows
// against the model and conservation against the count of events.
func TestStoreMatchesModel(t *testing.T) {
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) { storeMatchesModel(t, c.codec) })
	}
}

func storeMatchesModel(t *testing.T, c Codec[sum]) {
	rng := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	h := &hot{}
	s := New[sum](c, h, levels, t0/int64(tick))
	var expired uint64
	s.OnExpire = func(e []byte) { var a sum; codec{}.Add(&a, e); expired += a.n }
	m := &model{hotIdx: t0 / int64(tick)}
	now := t0
	total := 0
	check := func() {
		t.Helper()
		for _, w := range []time.Duration{time.Minute, 5 * time.Minute, 25 * time.Minute, time.Hour, 6 * time.Hour, 7 * time.Hour, 24 * time.Hour, 30 * 24 * time.Hour} {
			for _, back := range []time.Duration{0, 7 * time.Minute, 5 * time.Hour} {
				b := now - int64(back)
				a := b - int64(w)
				var got sum
				s.Mu.Lock()
				s.SumLocked(a, b, &got)
				if s.IncludesHot(a, b) {
					h.Peek(&got)
				}
				s.Mu.Unlock()
				if want := m.sum(a, b); got.n != want {
					t.Fatalf("at %v, window %v ending %v back: %d events, model %d", time.Duration(now-t0), w, back, got.n, want)
				}
			}
		}
		// All the windows at once, as SumsLocked sums them.
		ws := []time.Duration{time.Minute, 5 * time.Minute, 25 * time.Minute, time.Hour, time.Hour, 6 * time.Hour, 7 * time.Hour, 24 * time.Hour, 30 * 24 * time.Hour}
		for _, back := range []time.Duration{0, 7 * time.Minute, 5 * time.Hour} {
			b := now - int64(back)
			as := make([]int64, len(ws))
			accs := make([]sum, len(ws))
			for j, w := range ws {
				as[j] = b - int64(w)
			}
			s.Mu.Lock()
			s.SumsLocked(as, b, accs)
			var hotN sum
			h.Peek(&hotN)
			var got uint64
			for j := range ws {
				got += accs[j].n
				n := got
				if s.IncludesHot(as[j], b) {
					n += hotN.n
				}
				if want := m.sum(as[j], b); n != want {
					s.Mu.Unlock()
					t.Fatalf("at %v, window %v ending %v back, summed with the others: %d events, model %d", time.Duration(now-t0), ws[j], back, n, want)
				}
			}
			s.Mu.Unlock()
		}
		// The cells that start in a range, as RangeLocked visits them.
		for _, r := range [][2]time.Duration{{time.Hour, 0}, {26 * time.Hour, 25 * time.Hour}, {31 * 24 * time.Hour, 5 * time.Minute}, {7 * time.Minute, 3 * time.Minute}} {
			a, b := now-int64(r[0]), now-int64(r[1])
			var got uint64
			last := int64(-1 << 63)
			s.Mu.Lock()
			s.RangeLocked(a, b, nil, func(st, _ int64, e []byte) {
				if st < a || st >= b || st < last {
					t.Errorf("cell at %d visited for [%d, %d) after %d", st, a, b, last)
				}
				last = st
				var x sum
				codec{}.Add(&x, e)
				got += x.n
			})
			s.Mu.Unlock()
			var want uint64
			for _, e := range m.events {
				if st, _, ok := m.cell(e.t); ok && st >= a && st < b && st < m.hotIdx*int64(tick) {
					want++
				}
			}
			if got != want {
				t.Fatalf("at %v, cells starting in [now-%v, now-%v): %d events, model %d", time.Duration(now-t0), r[0], r[1], got, want)
			}
		}
		var cells uint64
		s.Mu.Lock()
		s.CellsLocked(func(_, _ int64, e []byte) { var a sum; codec{}.Add(&a, e); cells += a.n })
		cells += h.n.Load()
		s.Mu.Unlock()
		if cells+expired != uint64(total) {
			t.Fatalf("cells hold %d and %d expired, %d added", cells, expired, total)
		}
	}
	for step := range 6000 {
		now += rng.Int64N(int64(20*time.Minute)) + 1
		s.Mu.Lock()
		s.RotateLocked(now / int64(tick))
		s.Mu.Unlock()
		m.hotIdx = now / int64(tick)
		for range rng.IntN(5) {
			h.n.Add(1)
			m.events = append(m.events, event{now})
			total++
		}
		if rng.IntN(3) == 0 {
			at := now - int64(rng.Int64N(int64(40*24*time.Hour)))
			s.Mu.Lock()
			ok := s.AddLocked(at, enc(1))
			s.Mu.Unlock()
			if ok {
				m.events = append(m.events, event{at})
				total++
			}
		}
		if step%500 == 0 {
			check()
		}
	}
	check()
	if _, ok := c.(Packer); ok && packedBlocks(s) == 0 {
		t.Error("no block was packed")
	}
}

// TestRestoreIsExact copies a store's cells into a new store at the same
// time: every window sums the same.
func TestRestoreIsExact(t *testing.T) {
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) { restoreIsExact(t, c.codec) })
	}
}

func restoreIsExact(t *testing.T, c Codec[sum]) {
	rng := rand.New(rand.NewPCG(5, 6))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	h := &hot{}
	src := New[sum](c, h, levels, t0/int64(tick))
	now := t0
	for range 20000 {
		now += rng.Int64N(int64(3 * time.Minute))
		src.RotateLocked(now / int64(tick))
		h.n.Add(uint64(rng.IntN(100)))
	}
	dst := New[sum](c, &hot{}, levels, now/int64(tick))
	src.CellsLocked(func(start, _ int64, e []byte) {
		if !dst.AddLocked(start, e) {
			t.Fatal("a cell of the source does not fit")
		}
	})
	var hs sum
	h.Peek(&hs)
	dst.AddLocked(src.HotStart(), enc(hs.n))
	// The same cells appended in runs of consecutive cells, as a restore
	// into a fresh store does.
	runs := New[sum](c, &hot{}, levels, now/int64(tick))
	var run []byte
	var runStart, runWidth int64
	k := 0
	flush := func() {
		if k > 0 && !runs.AppendRunLocked(runStart, runWidth, k, run) {
			t.Fatalf("a run of %d cells from %v does not append", k, time.Unix(0, runStart))
		}
		run, k = nil, 0
	}
	var newest int64 // the newest cell of the first level
	src.CellsLocked(func(start, width int64, e []byte) {
		if width == int64(tick) {
			newest = start
		}
		if k == 0 || width != runWidth || start != runStart+int64(k)*runWidth {
			flush()
			runStart, runWidth = start, width
		}
		run = append(run, e...)
		k++
	})
	flush()
	runs.AddLocked(src.HotStart(), enc(hs.n))
	if runs.AppendRunLocked(newest, int64(tick), 1, enc(1)) {
		t.Error("a run at the newest cell appended")
	}
	if _, ok := c.(Packer); ok && packedBlocks(src) == 0 {
		t.Error("no block of the source was packed")
	}
	// Runs read packed blocks as their cells.
	var fromRuns, fromCells uint64
	src.RunsLocked(func(_, _ int64, k int, cells []byte) {
		for range k {
			var a sum
			cells = cells[codec{}.Add(&a, cells):]
			fromRuns += a.n
		}
		if len(cells) != 0 {
			t.Fatalf("a run of %d cells has %d bytes more", k, len(cells))
		}
	})
	src.CellsLocked(func(_, _ int64, e []byte) { var a sum; codec{}.Add(&a, e); fromCells += a.n })
	if fromRuns != fromCells {
		t.Errorf("runs hold %d events, cells %d", fromRuns, fromCells)
	}
	for w := time.Minute; w < 35*24*time.Hour; w = w * 13 / 10 {
		a := now - int64(w)
		var x, y sum
		src.SumLocked(a, now, &x)
		if src.IncludesHot(a, now) {
			h.Peek(&x)
		}
		dst.SumLocked(a, now, &y)
		if x != y {
			t.Errorf("window %v: source %d, restored %d", w, x.n, y.n)
		}
		var z sum
		runs.SumLocked(a, now, &z)
		if x != z {
			t.Errorf("window %v: source %d, restored in runs %d", w, x.n, z.n)
		}
	}
}

func TestNewPanicsOnBadLadder(t *testing.T) {
	for _, ls := range [][]Level{
		nil,
		{{Width: 0, Span: time.Hour, Block: 1}},
		{{Width: time.Second, Span: time.Hour, Block: 1}, {Width: 1500 * time.Millisecond, Span: 2 * time.Hour, Block: 1}},
		{{Width: time.Second, Span: time.Hour, Block: 1}, {Width: 2 * time.Second, Span: time.Hour, Block: 1}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%v) did not panic", ls)
				}
			}()
			New[sum](codec{}, &hot{}, ls, 0)
		}()
	}
}

// TestPackingGoesOn: blocks appended at once, as a restore appends them,
// get packed one a rotation, past a block of one cell and a block that
// packs no smaller, which stay plain.
func TestPackingGoesOn(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	cur := t0 / int64(tick)
	s := New[sum](packing{}, &hot{}, levels, cur)
	w := int64(15 * time.Minute)
	day := 96 * w
	first := (t0/day - 22) * day
	for d := range int64(20) {
		var cells []byte
		k := 96
		switch d {
		case 5: // one cell
			k, cells = 1, enc(7)
		case 10: // differences as wide as the counts
			for i := range 96 {
				cells = append(cells, enc(uint64(i%2)*100)...)
			}
		default:
			for range 96 {
				cells = append(cells, enc(500)...)
			}
		}
		if !s.AppendRunLocked(first+d*day, w, k, cells) {
			t.Fatalf("day %d does not append", d)
		}
	}
	if n := packedBlocks(s); n != 0 {
		t.Fatalf("%d blocks packed by the appends, want none", n)
	}
	for i := range 40 {
		s.RotateLocked(cur + int64(i) + 1)
	}
	// All but the newest and the two that do not pack.
	if n := packedBlocks(s); n != 17 {
		t.Errorf("%d of %d blocks packed, want 17", n, len(s.levels[2].blocks))
	}
}
