// Package window is the windowed store that both sli's good and bad counts
// and histogram's latency histograms are built on: values per time cell,
// counted per processor while a cell is current, kept compact once it is
// closed, and summed over any window in one pass.
//
// # Cells and levels
//
// Time is cut into cells aligned on the Unix epoch. The current cell (the
// hot cell) belongs to the owner, which counts into per-processor counters
// and hands what they gained over at each rotation (Hot). Closed
// cells are kept encoded by a Codec in a ladder of levels: cells of the
// first level are one tick wide; as they age past a level's span they are
// merged into the cell of the next, wider level that holds them, and past
// the last level's span they expire. Every level's width is a multiple of
// the previous one's, so a cell always lies inside one cell of the next.
//
// # Windows
//
// A window (a, b] is summed from the cells that overlap it: every cell that
// starts at or before b and reaches past a by more than half of its span.
// The edge at a is thus rounded to the nearest cell boundary, never more
// than half a cell off, and a boundary that is a cell boundary (a calendar
// period's start on a 15-minute grid, say) is exact.
//
// # Concurrency
//
// A Store is guarded by Mu, which its owner holds around every method whose
// name ends in Locked; HotIndex alone is read without it, on the record
// path.
package window

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/nines-slo/nines/internal/bucket"
)

// Codec is how a Store keeps one kind of cell: A is the owner's decoded
// form (an accumulator), and a closed cell is A's encoding.
type Codec[A any] interface {
	// Reset empties a.
	Reset(a *A)
	// IsZero reports whether a holds nothing.
	IsZero(a *A) bool
	// Append appends a's encoding to dst.
	Append(dst []byte, a *A) []byte
	// Add adds the cell encoded at the start of enc into a and returns
	// the length of its encoding.
	Add(a *A, enc []byte) int
	// Len returns the length of the cell encoded at the start of enc.
	Len(enc []byte) int
	// LenN returns the length of the k cells encoded at the start of enc,
	// as k calls of Len would (faster, where the codec can).
	LenN(enc []byte, k int) int
	// Get lends an empty accumulator, and Put takes it back (not yet
	// reset), so that summing costs no allocation.
	Get() *A
	Put(a *A)
}

// Packer is a Codec that can keep a block of cells that no longer changes
// in a denser form than its cells one after another (their differences,
// say). A Store whose Codec is a Packer packs the blocks of its last level
// but the newest, one a rotation, and unpacks a block before it changes
// it.
type Packer interface {
	// Pack appends to dst the dense form of the k cells encoded one
	// after another in cells.
	Pack(dst, cells []byte, k int) []byte
	// Unpack appends to dst the k cells that p, made by Pack, holds,
	// encoded one after another.
	Unpack(dst, p []byte, k int) []byte
}

// Hot is the owner's current cell: per-processor counters.
type Hot[A any] interface {
	// Take adds what the hot counters hold for the hot cell into a, and
	// empties the hot cell (zeroes the counters, or marks what they hold
	// taken).
	Take(a *A)
	// Peek adds what the hot counters hold for the hot cell into a,
	// leaving it.
	Peek(a *A)
}

// Level describes one level of the ladder.
type Level struct {
	// Width is the width of the level's cells: the tick for the first
	// level, a multiple of the previous level's Width for the others.
	Width time.Duration
	// Span is how far back the level reaches: it keeps the cells that
	// start no earlier than Span before the hot cell's start (rounded
	// down to Width). Spans grow from level to level.
	Span time.Duration
	// Block is how many cells are kept together with their sum, so that a
	// long window adds one sum instead of every cell; 1 keeps no sums.
	Block int
}

// Store is a ladder of closed cells and the index of the hot cell. The
// zero value is not usable; build one with New.
type Store[A any] struct {
	// Mu guards everything but the hot index.
	Mu sync.Mutex

	codec  Codec[A]
	packer Packer // codec's, when it is one
	hot    Hot[A]
	tick   int64
	hotIdx atomic.Int64
	levels []level[A]
	fronts []int64 // per level, frontier at the hot cell's start; under Mu
	empty  []byte  // the encoding of an empty cell
	extra  []byte  // cells added at the hot cell's time (states), encoded; nil when none

	// OnRotate, when set, is called under Mu with what each rotation took
	// from the hot counters (not what AddLocked added), before it is
	// stored.
	OnRotate func(a *A)
	// OnExpire, when set, is called under Mu with each cell that ages out
	// of the last level.
	OnExpire func(enc []byte)
	// Memo, when set, summarizes a packed block for RangeLocked: its k
	// cells from start, width wide, encoded one after another. A block
	// keeps its memo, computed once, until it changes, in place of the
	// sum SumsLocked would keep: a store with a Memo sums cell by cell.
	Memo func(start, width int64, k int, cells []byte) []byte

	buf []byte
}

type level[A any] struct {
	width, span int64
	blockCells  int64
	blocks      []*block // oldest first, disjoint, in order
}

// block holds consecutive cells first … first+n−1 of one aligned run of
// blockCells cells.
type block struct {
	first, n int64
	trimmed  bool   // cells aged out of its front: its sum would not be theirs
	packed   bool   // data is the Packer's form of the cells
	declined bool   // not worth packing (one cell, or Pack makes it larger) until it changes
	last     int    // offset of the last cell's encoding in data; when not packed
	data     []byte // the cells' encodings, one after the other, or packed
	sum      []byte // encoding of the cells' sum, or the Memo, once read; nil until then
}

// New returns a store whose hot cell is cur (an index in ticks: the first
// level's Width), whose closed cells are kept by codec in levels, and whose
// hot cell is hot. It panics on a ladder that breaks the rules of Level:
// that is a programming error of the owner.
func New[A any](codec Codec[A], hot Hot[A], levels []Level, cur int64) *Store[A] {
	if len(levels) == 0 {
		panic("window: no levels")
	}
	s := &Store[A]{codec: codec, hot: hot, tick: int64(levels[0].Width)}
	s.packer, _ = codec.(Packer)
	for k, l := range levels {
		w, sp := int64(l.Width), int64(l.Span)
		if w <= 0 || sp < w || l.Block < 1 {
			panic(fmt.Sprintf("window: level %d: width %v, span %v, block %d", k, l.Width, l.Span, l.Block))
		}
		if k > 0 {
			p := s.levels[k-1]
			if w%p.width != 0 || sp <= p.span {
				panic(fmt.Sprintf("window: level %d: width %v or span %v does not follow the previous level's", k, l.Width, l.Span))
			}
		}
		s.levels = append(s.levels, level[A]{width: w, span: sp, blockCells: int64(l.Block)})
	}
	a := codec.Get()
	s.empty = codec.Append(nil, a)
	codec.Put(a)
	s.hotIdx.Store(cur)
	s.fronts = make([]int64, len(s.levels))
	s.refront()
	return s
}

// refront computes each level's frontier for the current hot cell.
func (s *Store[A]) refront() {
	for k := range s.levels {
		s.fronts[k] = s.frontier(k, s.HotStart())
	}
}

// Tick returns the width of the hot cell, in ns.
func (s *Store[A]) Tick() int64 { return s.tick }

// HotIndex returns the index of the hot cell, in ticks since the epoch.
func (s *Store[A]) HotIndex() int64 { return s.hotIdx.Load() }

// HotStart returns the hot cell's start, in Unix ns.
func (s *Store[A]) HotStart() int64 { return s.hotIdx.Load() * s.tick }

// Retention returns the last level's span.
func (s *Store[A]) Retention() time.Duration { return time.Duration(s.levels[len(s.levels)-1].span) }

// Frontier returns the start of the oldest cell the store keeps, in Unix
// ns: the last level's frontier at the hot cell's start. Every cell before
// it has expired. The caller holds Mu.
func (s *Store[A]) Frontier() int64 { return s.fronts[len(s.fronts)-1] }

// frontier returns the start of the oldest cell level k keeps, given the
// hot cell's start.
func (s *Store[A]) frontier(k int, hotStart int64) int64 {
	l := &s.levels[k]
	return bucket.FloorDiv(hotStart-l.span, l.width) * l.width
}

// RotateLocked makes cell to (later than the hot cell) the hot cell: it
// publishes the new index first, so that a recorder with a time in the old
// cell takes the owner's slow path from then on, then takes the hot
// counters and stores them as the closed cell, and ages the ladder.
func (s *Store[A]) RotateLocked(to int64) {
	old := s.hotIdx.Load()
	if to <= old {
		return
	}
	s.hotIdx.Store(to)
	s.refront()
	a := s.codec.Get()
	defer s.codec.Put(a)
	s.hot.Take(a)
	if s.OnRotate != nil {
		s.OnRotate(a)
	}
	if s.extra != nil {
		s.codec.Add(a, s.extra)
		s.extra = nil
	}
	if !s.codec.IsZero(a) {
		s.buf = s.codec.Append(s.buf[:0], a)
		s.levels[0].add(s, old, s.buf)
	}
	s.ageLocked(to * s.tick)
}

// ageLocked moves every cell older than its level's span up the ladder,
// and lets cells older than the last span expire.
func (s *Store[A]) ageLocked(hotStart int64) {
	for k := range s.levels {
		l := &s.levels[k]
		f := s.frontier(k, hotStart)
		for len(l.blocks) > 0 && l.blocks[0].first*l.width < f {
			idx, enc := l.popFront(s)
			if k+1 < len(s.levels) {
				n := &s.levels[k+1]
				s.levels[k+1].add(s, bucket.FloorDiv(idx*l.width, n.width), enc)
			} else if s.OnExpire != nil {
				s.OnExpire(enc)
			}
		}
	}
	s.packOne()
}

// packOne packs the newest block of the last level that is not packed yet
// and no longer grows (a newer block follows it, and no cell has aged out
// of it), if the codec is a Packer. The last level holds most cells; one
// block a rotation keeps packing off a restore's path, which appends many
// blocks at once, and the blocks of a long restore get packed over the
// minutes after it.
func (s *Store[A]) packOne() {
	if s.packer == nil {
		return
	}
	l := &s.levels[len(s.levels)-1]
	if l.blockCells < 2 {
		return
	}
	for i := len(l.blocks) - 2; i >= 0; i-- {
		if b := l.blocks[i]; !b.packed && !b.trimmed && !b.declined {
			s.pack(b)
			return
		}
	}
}

// AddLocked adds an encoded cell at time t (Unix ns): into the hot cell if
// t is not before it, else into the closed cell that holds t at its age
// now. It returns false, adding nothing, when t is older than the last
// level reaches.
func (s *Store[A]) AddLocked(t int64, enc []byte) bool {
	hotStart := s.HotStart()
	if t >= hotStart {
		s.extra = s.merge(s.extra, enc)
		return true
	}
	for k, f := range s.fronts {
		if t >= f {
			l := &s.levels[k]
			l.add(s, bucket.FloorDiv(t, l.width), enc)
			return true
		}
	}
	return false
}

// PlaceLocked returns where AddLocked would put a cell at time t: the
// level (−1 for the hot cell) and the index of the cell there, and false
// when t is older than the last level reaches. Cells of one place add into
// one cell, so a caller with many may sum them first and add once.
func (s *Store[A]) PlaceLocked(t int64) (level int, idx int64, ok bool) {
	if t >= s.HotStart() {
		return -1, s.HotIndex(), true
	}
	for k, f := range s.fronts {
		if t >= f {
			return k, bucket.FloorDiv(t, s.levels[k].width), true
		}
	}
	return 0, 0, false
}

// AppendRunLocked adds k consecutive cells of width w from start, encoded
// one after another in cells, when they all belong, at their age now, to
// the level of that width and come after its newest cell: the fast path of
// a restore into a store that has not yet reached their time. It returns
// false, adding nothing, otherwise; AddLocked then takes them one by one.
func (s *Store[A]) AppendRunLocked(start, w int64, k int, cells []byte) bool {
	if k < 1 {
		return false
	}
	last := start + int64(k-1)*w
	if last < start {
		return false // overflows
	}
	for i, f := range s.fronts {
		if start < f {
			continue
		}
		l := &s.levels[i]
		bound := s.HotStart()
		if i > 0 {
			bound = s.fronts[i-1]
		}
		if l.width != w || bucket.FloorDiv(start, w)*w != start || last >= bound {
			return false
		}
		idx := start / w
		if n := len(l.blocks); n > 0 && idx <= l.blocks[n-1].first+l.blocks[n-1].n-1 {
			return false
		}
		// The first cell of each block's run one by one, the rest of the
		// run's cells appended as they are.
		off := 0
		for j := int64(0); j < int64(k); {
			n := s.codec.Len(cells[off:])
			l.appendCell(s, idx+j, cells[off:off+n])
			off += n
			j++
			b := l.blocks[len(l.blocks)-1]
			seg, lastOff := off, -1
			if end := min(int64(k), l.runEnd(b)-idx); j < end {
				lastOff = off + s.codec.LenN(cells[off:], int(end-j-1))
				off = lastOff + s.codec.Len(cells[lastOff:])
				j = end
			}
			if lastOff >= 0 {
				base := len(b.data)
				b.data = append(b.data, cells[seg:off]...)
				b.last = base + lastOff - seg
				b.n, b.declined = idx+j-b.first, false
				if b.n == l.blockCells {
					b.data = clip(b.data)
				}
			}
		}
		return true
	}
	return false
}

// merge returns the encoding of the sum of cells x (nil for none) and y.
func (s *Store[A]) merge(x, y []byte) []byte {
	a := s.codec.Get()
	defer s.codec.Put(a)
	if x != nil {
		s.codec.Add(a, x)
	}
	s.codec.Add(a, y)
	return s.codec.Append(x[:0], a)
}

// IncludesHot reports whether the window (a, b] takes the hot cell, by the
// rule of the package documentation.
func (s *Store[A]) IncludesHot(a, b int64) bool {
	st := s.HotStart()
	return includes(st, st+s.tick, a, b)
}

// includes is the rule: a cell [st, end) is in the window (a, b] when it
// starts at or before b and either holds b or more than half of it lies
// after a.
func includes(st, end, a, b int64) bool {
	return st <= b && (end > b || st+(end-st)/2 > a)
}

// SumLocked adds into acc the closed cells the window (a, b] takes, and the
// hot cell's added extra if it takes the hot cell. The hot counters are the
// owner's to add (Hot.Peek), when IncludesHot.
func (s *Store[A]) SumLocked(a, b int64, acc *A) {
	s.SumsLocked([]int64{a}, b, unsafe.Slice(acc, 1))
}

// SumsLocked sums several windows that all end at b, in one pass over the
// cells: as are their starts, latest first (the shortest window first),
// and accs one accumulator each. A cell goes into accs[j] for the
// shortest window j that takes it; a window takes every cell a shorter
// one does, so window j's sum is that of accs[0] through accs[j]. The hot
// cell's added extra goes the same way; its hot counters are the owner's
// to add (Hot.Peek), to the windows that IncludesHot.
func (s *Store[A]) SumsLocked(as []int64, b int64, accs []A) {
	if len(as) == 0 {
		return
	}
	var sc scratch
	defer sc.release()
	// first returns the shortest window that takes the cell [st, end),
	// or -1.
	first := func(st, end int64) int {
		for j, a := range as {
			if includes(st, end, a, b) {
				return j
			}
		}
		return -1
	}
	hotStart := s.HotStart()
	if s.extra != nil {
		if j := first(hotStart, hotStart+s.tick); j >= 0 {
			s.codec.Add(&accs[j], s.extra)
		}
	}
	longest := as[len(as)-1]
	bound := hotStart
	for k := range s.levels {
		l := &s.levels[k]
		w := l.width
		for _, bk := range l.blocks {
			st := bk.first * w
			lastSt := (bk.first + bk.n - 1) * w
			if lastSt+w <= longest {
				continue // ends at or before the longest window starts
			}
			if st > b {
				break
			}
			// A block whose every cell goes to one window: its sum does.
			if lastSt <= b && lastSt+w <= bound {
				j := 0
				for j < len(as) && st < as[j] {
					j++
				}
				if j < len(as) && (j == 0 || !includes(lastSt, lastSt+w, as[j-1], b)) && l.summed(s, bk) {
					s.codec.Add(&accs[j], bk.sum)
					continue
				}
			}
			// Cell by cell, oldest first: each goes to the same window as
			// the one before it or to a shorter one.
			data := s.cellsOf(bk, &sc)
			i := min(max(bucket.FloorDiv(longest, w)-bk.first, 0), bk.n)
			off := s.codec.LenN(data, int(i))
			j := len(as) // the window of the cell before, or none
			for ; i < bk.n; i++ {
				cs := (bk.first + i) * w
				if cs > b {
					break
				}
				end := min(cs+w, bound)
				for j > 0 && includes(cs, end, as[j-1], b) {
					j--
				}
				if j < len(as) && includes(cs, end, as[j], b) {
					off += s.codec.Add(&accs[j], data[off:])
				} else {
					off += s.codec.Len(data[off:])
				}
			}
		}
		bound = s.fronts[k]
	}
}

// RunsLocked calls f with the closed cells, oldest first, a block at a
// time: the start and width of its first cell, the number of its cells and
// their encodings one after another (empty ones included), then with the
// hot cell's added extra as a run of one. f must not keep cells.
func (s *Store[A]) RunsLocked(f func(start, width int64, k int, cells []byte)) {
	var sc scratch
	defer sc.release()
	for k := len(s.levels) - 1; k >= 0; k-- {
		l := &s.levels[k]
		for _, bk := range l.blocks {
			f(bk.first*l.width, l.width, int(bk.n), s.cellsOf(bk, &sc))
		}
	}
	if s.extra != nil {
		f(s.HotStart(), s.tick, 1, s.extra)
	}
}

// CellsLocked calls f with every closed cell, oldest first, then with the
// hot cell's added extra: its start and width in ns and its encoding,
// which f must not keep.
func (s *Store[A]) CellsLocked(f func(start, width int64, enc []byte)) {
	var sc scratch
	defer sc.release()
	for k := len(s.levels) - 1; k >= 0; k-- {
		l := &s.levels[k]
		for _, bk := range l.blocks {
			data := s.cellsOf(bk, &sc)
			off := 0
			for i := range bk.n {
				n := s.codec.Len(data[off:])
				if c := data[off : off+n]; string(c) != string(s.empty) {
					f((bk.first+i)*l.width, l.width, c)
				}
				off += n
			}
		}
	}
	if s.extra != nil {
		f(s.HotStart(), s.tick, s.extra)
	}
}

// RangeLocked calls f with every closed cell that starts in [a, b), oldest
// first, empty ones left out: its start and width in ns and its encoding,
// which f must not keep. Blocks wholly outside the range are skipped
// unread. When the store has a Memo and whole is not nil, a packed block
// that lies in the range whole is first offered to whole — the start of
// its first cell, the end of its last and its memo — and its cells go to
// f only if whole does not take it. The hot cell's added extra is the
// owner's to take (Extra).
func (s *Store[A]) RangeLocked(a, b int64, whole func(start, end int64, memo []byte) bool, f func(start, width int64, enc []byte)) {
	var sc scratch
	defer sc.release()
	for k := len(s.levels) - 1; k >= 0; k-- {
		l := &s.levels[k]
		for _, bk := range l.blocks {
			st, end := bk.first*l.width, (bk.first+bk.n)*l.width
			if end <= a {
				continue
			}
			if st >= b {
				break
			}
			if whole != nil && s.Memo != nil && bk.packed && !bk.trimmed && st >= a && end <= b {
				if bk.sum == nil {
					bk.sum = clip(s.Memo(st, l.width, int(bk.n), s.cellsOf(bk, &sc)))
				}
				if whole(st, end, bk.sum) {
					continue
				}
			}
			data := s.cellsOf(bk, &sc)
			i := min(max(bucket.FloorDiv(a, l.width)-bk.first, 0), bk.n)
			off := s.codec.LenN(data, int(i))
			for ; i < bk.n; i++ {
				st := (bk.first + i) * l.width
				if st >= b {
					break
				}
				n := s.codec.Len(data[off:])
				if c := data[off : off+n]; st >= a && string(c) != string(s.empty) {
					f(st, l.width, c)
				}
				off += n
			}
		}
	}
}

// Extra returns the encoding of the cells added at the hot cell's time
// (states), or nil when there are none; the caller holds Mu and must not
// keep it.
func (s *Store[A]) Extra() []byte { return s.extra }

// add adds encoded cell enc at index idx of the level.
func (l *level[A]) add(s *Store[A], idx int64, enc []byte) {
	n := len(l.blocks)
	if n == 0 || idx > l.blocks[n-1].first+l.blocks[n-1].n-1 {
		l.appendCell(s, idx, enc)
		return
	}
	if b := l.blocks[n-1]; idx == b.first+b.n-1 {
		s.unpack(b)
		merged := s.merge(nil, b.data[b.last:])
		merged = s.merge(merged, enc)
		if n := b.last + len(merged); n > cap(b.data) && b.n == l.blockCells {
			// A whole block's last cell grows (a wider cell filling from
			// the level below): reallocate to size, not to double.
			b.data = append(make([]byte, 0, n), b.data[:b.last]...)
		}
		b.data = append(b.data[:b.last], merged...)
		b.sum, b.declined = nil, false
		return
	}
	l.insert(s, idx, enc)
}

// appendCell adds a cell after the level's newest one.
func (l *level[A]) appendCell(s *Store[A], idx int64, enc []byte) {
	if n := len(l.blocks); n > 0 {
		b := l.blocks[n-1]
		if idx < l.runEnd(b) {
			s.unpack(b)
			for range idx - (b.first + b.n) {
				b.data = append(b.data, s.empty...)
			}
			b.last = len(b.data)
			b.data = append(b.data, enc...)
			b.n = idx - b.first + 1
			if b.n == l.blockCells {
				b.data = clip(b.data)
			}
			b.sum, b.declined = nil, false
			return
		}
	}
	l.blocks = append(l.blocks, l.newBlock(idx, enc))
}

// runEnd returns the index after the last cell of b's run.
func (l *level[A]) runEnd(b *block) int64 {
	return (bucket.FloorDiv(b.first, l.blockCells) + 1) * l.blockCells
}

// newBlock returns a block holding the one cell enc at idx, with room for
// a run of cells like it (the run's cells follow, empty ones included).
func (l *level[A]) newBlock(idx int64, enc []byte) *block {
	room := len(enc)
	if l.blockCells > 1 {
		room = min(int(l.blockCells)*len(enc), 4096)
	}
	return &block{first: idx, n: 1, data: append(make([]byte, 0, room), enc...)}
}

// summed reports whether block b has a sum to add in place of its cells,
// computing it if it has none yet: a cache, kept under Mu until the block
// changes, so that the windows of one status decode a block once. A block
// whose front has aged out keeps none: it is about to go.
func (l *level[A]) summed(s *Store[A], b *block) bool {
	if l.blockCells == 1 || b.trimmed || b.n < 2 || s.Memo != nil {
		return false
	}
	if b.sum == nil {
		b.sum = l.total(s, b)
	}
	return true
}

// insert adds a cell before the level's newest one: into the block of its
// run, rebuilt, or a new block.
func (l *level[A]) insert(s *Store[A], idx int64, enc []byte) {
	run := bucket.FloorDiv(idx, l.blockCells)
	pos := 0
	for pos < len(l.blocks) && l.blocks[pos].first+l.blocks[pos].n <= idx {
		pos++
	}
	// blocks[pos] is the first block ending after idx.
	if pos < len(l.blocks) && bucket.FloorDiv(l.blocks[pos].first, l.blockCells) == run {
		l.rebuild(s, l.blocks[pos], idx, enc)
		return
	}
	if pos > 0 && bucket.FloorDiv(l.blocks[pos-1].first, l.blockCells) == run {
		// The run's block ends before idx, and a later block follows.
		l.rebuild(s, l.blocks[pos-1], idx, enc)
		return
	}
	l.blocks = append(l.blocks, nil)
	copy(l.blocks[pos+1:], l.blocks[pos:])
	l.blocks[pos] = l.newBlock(idx, enc)
}

// rebuild rewrites block b with enc added at idx, which lies in b's run.
func (l *level[A]) rebuild(s *Store[A], b *block, idx int64, enc []byte) {
	s.unpack(b)
	first := min(b.first, idx)
	last := max(b.first+b.n-1, idx)
	var data []byte
	lastOff := 0
	off := 0
	for i := first; i <= last; i++ {
		var c []byte
		if i >= b.first && i < b.first+b.n {
			n := s.codec.Len(b.data[off:])
			c = b.data[off : off+n]
			off += n
		} else {
			c = s.empty
		}
		if i == idx {
			c = s.merge(nil, c)
			c = s.merge(c, enc)
		}
		lastOff = len(data)
		data = append(data, c...)
	}
	b.first, b.n, b.last, b.data, b.sum, b.declined = first, last-first+1, lastOff, clip(data), nil, false
}

// total returns the encoding of the sum of b's cells.
func (l *level[A]) total(s *Store[A], b *block) []byte {
	a := s.codec.Get()
	defer s.codec.Put(a)
	var sc scratch
	defer sc.release()
	data := s.cellsOf(b, &sc)
	off := 0
	for range b.n {
		off += s.codec.Add(a, data[off:])
	}
	return clip(s.codec.Append(nil, a))
}

// popFront removes the level's oldest cell and returns its index and
// encoding, which stays valid until the block is next changed.
func (l *level[A]) popFront(s *Store[A]) (int64, []byte) {
	b := l.blocks[0]
	s.unpack(b)
	n := s.codec.Len(b.data)
	idx, enc := b.first, b.data[:n]
	b.data = b.data[n:]
	b.first++
	b.n--
	b.last -= n
	b.sum, b.trimmed = nil, true
	if b.n == 0 {
		l.blocks[0] = nil
		l.blocks = l.blocks[1:]
	}
	return idx, enc
}

// pack keeps b in the Packer's form, when the codec is one and the form
// is no larger: b will not change, or will be unpacked first.
func (s *Store[A]) pack(b *block) {
	if s.packer == nil || b.packed {
		return
	}
	if b.n < 2 {
		b.declined = true // nothing to take differences of
		return
	}
	var sc scratch
	defer sc.release()
	p := s.packer.Pack(sc.get(), b.data, int(b.n))
	sc.keep(p)
	if len(p) > len(b.data) {
		b.declined = true // not worth it, until b changes
		return
	}
	b.data, b.packed = bytes.Clone(p), true
}

// unpack makes b's data its cells one after another again, before b
// changes.
func (s *Store[A]) unpack(b *block) {
	if !b.packed {
		return
	}
	b.data = clip(s.packer.Unpack(nil, b.data, int(b.n)))
	b.packed = false
	b.last = s.codec.LenN(b.data, int(b.n-1))
}

// cellsOf returns b's cells one after another: its data, or unpacked into
// sc, valid until sc is next used.
func (s *Store[A]) cellsOf(b *block, sc *scratch) []byte {
	if !b.packed {
		return b.data
	}
	p := s.packer.Unpack(sc.get(), b.data, int(b.n))
	sc.keep(p)
	return p
}

// scratch is a buffer borrowed from a pool on first use, so that reading a
// packed block costs no allocation, reading plain ones costs nothing, and
// no store keeps a buffer. The zero value is ready; release returns it.
type scratch struct{ buf *[]byte }

// scratchPool lends scratch buffers.
var scratchPool = sync.Pool{New: func() any { return new([]byte) }}

// get returns the buffer, empty.
func (sc *scratch) get() []byte {
	if sc.buf == nil {
		sc.buf = scratchPool.Get().(*[]byte)
	}
	return (*sc.buf)[:0]
}

// keep remembers b, grown from get's buffer, for the next get.
func (sc *scratch) keep(b []byte) { *sc.buf = b }

// release returns the buffer to the pool, if one was borrowed.
func (sc *scratch) release() {
	if sc.buf != nil {
		scratchPool.Put(sc.buf)
		sc.buf = nil
	}
}

// clip returns b with its capacity cut to its length.
func clip(b []byte) []byte { return b[:len(b):len(b)] }
