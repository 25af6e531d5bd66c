package sli

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/nines-slo/nines/histogram"
	"github.com/nines-slo/nines/internal/bucket"
	"github.com/nines-slo/nines/internal/wire"
)

// Errors of states.
var (
	// ErrCorruptState reports bytes that [DecodeState] cannot read as a
	// state: truncated, corrupted, or inconsistent.
	ErrCorruptState = errors.New("sli: corrupt state")

	// ErrStateMismatch reports a state added to an SLI of another kind (a
	// latency state into a ratio SLI) or a histogram of another layout.
	ErrStateMismatch = errors.New("sli: state does not fit the SLI")
)

// State is a copy of everything an SLI has recorded — its cells with
// their times, its totals and, for a latency SLI, its histogram — for
// persisting it across restarts and merging it across replicas. Adding a
// State to an SLI ([Ratio.Add], [Latency.Add]) puts every cell back at its own
// time, so a state taken at t0 and added at t1 ages correctly.
//
// A State is immutable once made; it is safe for concurrent use.
type State struct {
	cells  []byte // n cells in the form cellWriter writes, oldest first
	n      int
	totals Totals
	at     int64            // the start of the source's current cell, Unix ns; 0 for a version-1 state
	hist   *histogram.State // latency SLIs only
	// A time-slice SLI's slice length and the start of its first slice, ns
	// (see series); 0 for an SLI of events.
	slice, since int64
}

type stateBucket struct {
	start, width int64 // ns
	good, bad    uint64
}

// cellWriter writes cells in runs: a run is its number of cells, its first
// cell's start and the cells' width (uvarint, varint, uvarint), then each
// cell's good and bad counts (two uvarints); the cells of a run follow one
// another without gaps, as the cells of a store mostly do, so that a cell
// takes its two counts' bytes. A State keeps its cells in this form, so
// that a decoded state holds its input's bytes, not a copy several times
// their size.
type cellWriter struct {
	b, run       []byte
	n, k         int   // cells written; cells in the open run
	start, width int64 // of the open run
}

func (w *cellWriter) add(c stateBucket) {
	if !w.follows(c.start, c.width) {
		w.flush()
		w.start, w.width = c.start, c.width
	}
	w.run = binary.AppendUvarint(w.run, c.good)
	w.run = binary.AppendUvarint(w.run, c.bad)
	w.k++
	w.n++
}

// addRun adds k consecutive cells from start, their counts' pairs as they
// are in raw, leaving out the empty ones (which split the run).
func (w *cellWriter) addRun(start, width int64, k int, raw []byte) {
	off := 0
	for i := range int64(k) {
		n := countCodec{}.Len(raw[off:])
		c := raw[off : off+n]
		off += n
		if n == 2 && c[0] == 0 && c[1] == 0 {
			continue // empty
		}
		if at := start + i*width; !w.follows(at, width) {
			w.flush()
			w.start, w.width = at, width
		}
		w.run = append(w.run, c...)
		w.k++
		w.n++
	}
}

// follows reports whether a cell at start of width continues the open run,
// its last cell's start not overflowing.
func (w *cellWriter) follows(start, width int64) bool {
	if w.k == 0 || width != w.width || start <= w.start {
		return false
	}
	d := uint64(start - w.start)
	return d/uint64(width) == uint64(w.k) && d%uint64(width) == 0 && start-w.start > 0
}

// addSat returns a + b, held at 2^64 − 1.
func addSat(a, b uint64) uint64 {
	if a+b < a {
		return math.MaxUint64
	}
	return a + b
}

func (w *cellWriter) flush() {
	if w.k == 0 {
		return
	}
	w.b = binary.AppendUvarint(w.b, uint64(w.k))
	w.b = binary.AppendVarint(w.b, w.start)
	w.b = binary.AppendUvarint(w.b, uint64(w.width))
	w.b = append(w.b, w.run...)
	w.run, w.k = w.run[:0], 0
}

// cells returns what was written and how many cells it holds.
func (w *cellWriter) cells() ([]byte, int) {
	w.flush()
	return w.b, w.n
}

// readCells reads n cells in runs from d, checking them, and returns their
// good and bad sums; false when they are not well formed.
func readCells(d *wire.Reader, n int) (good, bad uint64, ok bool) {
	for read := 0; read < n; {
		k, start, width := d.Uvarint(), d.Varint(), d.Uvarint()
		if !d.OK() || k == 0 || k > uint64(n-read) || width == 0 || width > math.MaxInt64 {
			return 0, 0, false
		}
		if steps := k - 1; steps > 0 && (width > math.MaxInt64/steps || start > math.MaxInt64-int64(steps*width)) {
			return 0, 0, false
		}
		if d.SumPairs(int(k), &good, &bad); !d.OK() {
			return 0, 0, false
		}
		read += int(k)
	}
	return good, bad, true
}

// readCellsV1 reads n cells of a version-1 state, each a tag (0: a step
// count from the previous cell at its width follows; 1: a start and a
// width), then its good and bad counts, and writes them to w.
func readCellsV1(d *wire.Reader, n int, w *cellWriter) (good, bad uint64, ok bool) {
	var prev stateBucket
	for i := range n {
		var k stateBucket
		switch tag := d.Byte(); {
		case tag == 0 && i > 0:
			steps := d.Uvarint()
			if !d.OK() || steps == 0 || steps > math.MaxInt64/uint64(prev.width) {
				return 0, 0, false
			}
			k.width = prev.width
			k.start = prev.start + int64(steps)*prev.width
			if k.start < prev.start {
				return 0, 0, false
			}
		case tag == 1:
			start, width := d.Varint(), d.Uvarint()
			if !d.OK() || width == 0 || width > math.MaxInt64 {
				return 0, 0, false
			}
			k.start, k.width = start, int64(width)
		default:
			return 0, 0, false
		}
		k.good, k.bad = d.Uvarint(), d.Uvarint()
		if !d.OK() || good+k.good < good || bad+k.bad < bad {
			return 0, 0, false
		}
		good, bad = good+k.good, bad+k.bad
		w.add(k)
		prev = k
	}
	return good, bad, true
}

// cellCursor reads a state's cells one at a time. The cells were checked
// when the state was made, so it reads them without checks.
type cellCursor struct {
	b        []byte
	left     int    // cells not yet read
	runLeft  uint64 // of them, in the current run
	run      stateBucket
	cur      stateBucket // the cell read last
	inOrder  bool        // every cell so far came after the one before
	received bool
}

func newCursor(s *State) cellCursor { return cellCursor{b: s.cells, left: s.n, inOrder: true} }

// next reads the next cell into cur, and reports false when none is left.
func (c *cellCursor) next() bool {
	if c.left == 0 {
		return false
	}
	if c.runLeft == 0 {
		k, m := binary.Uvarint(c.b)
		start, m2 := binary.Varint(c.b[m:])
		width, m3 := binary.Uvarint(c.b[m+m2:])
		c.b = c.b[m+m2+m3:]
		c.runLeft, c.run = k, stateBucket{start: start, width: int64(width)}
		// Within a run, cells follow one another; only a run's first
		// cell may come before the cell read last.
		if c.received && cellLess(c.run, c.cur) {
			c.inOrder = false
		}
	} else {
		c.run.start += c.run.width
	}
	g, m := binary.Uvarint(c.b)
	bad, m2 := binary.Uvarint(c.b[m:])
	c.b = c.b[m+m2:]
	c.cur = stateBucket{start: c.run.start, width: c.run.width, good: g, bad: bad}
	c.received = true
	c.runLeft--
	c.left--
	return true
}

// eachRun calls f with each run of the state's cells: its first cell's
// start, the cells' width, their number and their encodings, two uvarints
// each (good and bad, as countCodec writes a cell).
func (s *State) eachRun(f func(start, width int64, k int, body []byte)) {
	b := s.cells
	for read := 0; read < s.n; {
		k, m := binary.Uvarint(b)
		start, m2 := binary.Varint(b[m:])
		width, m3 := binary.Uvarint(b[m+m2:])
		b = b[m+m2+m3:]
		p := countCodec{}.LenN(b, int(k))
		f(start, int64(width), int(k), b[:p])
		b = b[p:]
		read += int(k)
	}
}

// eachCell calls f with each of the state's cells, oldest first.
func (s *State) eachCell(f func(stateBucket)) {
	c := newCursor(s)
	for c.next() {
		f(c.cur)
	}
}

// Totals returns the cumulative counts the state carries.
func (s *State) Totals() Totals { return s.totals }

// Slice returns the slice length of a time-slice SLI's state
// ([RatioSlices], [LatencySlices]), and 0 for a state of events.
func (s *State) Slice() time.Duration { return time.Duration(s.slice) }

// HistogramConfig returns the histogram configuration of a latency SLI's
// state — its range, precision and windows — so that a tool can build a
// latency SLI that accepts it; false for a ratio SLI's state.
func (s *State) HistogramConfig() (histogram.Config, bool) {
	if s.hist == nil {
		return histogram.Config{}, false
	}
	return s.hist.Config(), true
}

// state copies the series. The hot counters are read once, for the cells
// and the totals both, so that a state taken while events are recorded
// still adds up: its cells hold Good + Bad − OutOfRange − Expired.
func (s *series) state() *State {
	st := &State{}
	var w cellWriter
	s.st.Mu.Lock()
	defer s.st.Mu.Unlock()
	s.st.RunsLocked(w.addRun) // a store's count cells are a state's cell pairs
	t := s.folded
	c := s.hotCounts(false)
	hot := cell{good: c[0], bad: c[1]}
	t.Invalid += c[2]
	t.Good += hot.good
	t.Bad += hot.bad
	t.Unknown, t.Negative, t.Future = s.unknown.Load(), s.negative.Load(), s.future.Load()
	at := s.st.HotStart()
	if hot != (cell{}) {
		w.add(stateBucket{start: at, width: int64(tick), good: hot.good, bad: hot.bad})
	}
	st.cells, st.n = w.cells()
	st.totals = t
	st.at = at
	st.slice, st.since = s.slice, s.since
	if s.slice > 0 {
		// An SLI keeps the slice it began in however long it runs; a
		// state claims no slice before those it holds.
		st.since = max(s.since, s.st.Frontier())
	}
	return st
}

// addState adds the cells and totals of st, each cell at its own time: in
// the cell that holds its start at its age now. A state taken on a clock
// ahead of this SLI's (a replica's, or this process's before the wall clock
// stepped back) moves the SLI's present up to the state's, by at most the
// retention, so that its history keeps its times.
func (s *series) addState(st *State) {
	s.st.Mu.Lock()
	defer s.st.Mu.Unlock()
	if now, ok := s.index(s.clock()); ok {
		s.st.RotateLocked(now)
	}
	if ahead := st.at - s.st.HotStart(); ahead > 0 && ahead <= int64(s.storage.Retention) {
		s.st.RotateLocked(bucket.FloorDiv(st.at, int64(tick)))
	}
	var buf []byte
	st.eachRun(func(start, width int64, k int, body []byte) {
		if s.st.AppendRunLocked(start, width, k, body) {
			return // the cells, as they are, after the SLI's newest
		}
		for i := range int64(k) {
			var c cell
			body = body[countCodec{}.Add(&c, body):]
			buf = countCodec{}.Append(buf[:0], &c)
			if !s.st.AddLocked(start+i*width, buf) {
				s.folded.OutOfRange += c.good + c.bad
			}
		}
	})
	if s.slice > 0 {
		// The state's first slice, no earlier than the oldest this SLI
		// holds (DecodeState cannot know the retention it was taken with).
		s.since = min(s.since, max(st.since, s.st.Frontier()))
	}
	t := st.totals
	s.folded.Good += t.Good
	s.folded.Bad += t.Bad
	s.folded.Invalid += t.Invalid
	s.folded.OutOfRange += t.OutOfRange
	s.folded.Expired += t.Expired
	s.added.add(cell{good: t.Good, bad: t.Bad})
	s.addedInv += t.Invalid
	s.unknown.Add(t.Unknown)
	s.negative.Add(t.Negative)
	s.future.Add(t.Future)
}

// State returns a copy of everything the SLI has recorded.
func (r *Ratio) State() *State { return r.s.state() }

// Add adds what st recorded to the SLI: each cell at its own time (those
// older than the retention count in [Totals.OutOfRange]), and its totals. It
// is how an SLI is restored after a restart, and how replicas are merged.
// It fails with [ErrStateMismatch], changing nothing, for a latency SLI's
// state.
func (r *Ratio) Add(st *State) error {
	if st == nil || st.hist != nil {
		return fmt.Errorf("%w: a latency state cannot be added to a ratio SLI", ErrStateMismatch)
	}
	if st.slice != 0 {
		return fmt.Errorf("%w: a time-slice state cannot be added to a ratio SLI", ErrStateMismatch)
	}
	r.s.addState(st)
	return nil
}

// State returns a copy of everything the SLI has recorded, its histogram
// included.
func (l *Latency) State() *State {
	st := l.s.state()
	st.hist = l.h.State()
	return st
}

// Add adds what st recorded to the SLI, the threshold counts and the
// histogram; see [Ratio.Add]. It fails with [ErrStateMismatch], changing
// nothing, for a ratio SLI's state or a histogram of another range or
// precision.
func (l *Latency) Add(st *State) error {
	if st == nil || st.hist == nil {
		return fmt.Errorf("%w: a ratio state cannot be added to a latency SLI", ErrStateMismatch)
	}
	if st.slice != 0 {
		return fmt.Errorf("%w: a time-slice state cannot be added to a latency SLI", ErrStateMismatch)
	}
	if c, h := st.hist.Config(), l.h.Config(); c.Lowest != h.Lowest || c.Highest != h.Highest || c.Digits != h.Digits {
		return fmt.Errorf("%w: histogram %v–%v at %d digits, the SLI's %v–%v at %d", ErrStateMismatch, c.Lowest, c.Highest, c.Digits, h.Lowest, h.Highest, h.Digits)
	}
	if err := l.h.Add(st.hist); err != nil {
		return fmt.Errorf("%w: %v", ErrStateMismatch, err)
	}
	l.s.addState(st)
	return nil
}

// MergeStates returns a state holding everything in states, as replicas'
// states are combined into a fleet-wide one: cells of the same time and
// width add, totals add, histograms merge. The states must all be ratio,
// all latency states with one histogram layout, or all time-slice states
// of one slice length, else it fails with [ErrStateMismatch]. It takes O(n log k) time for n cells of k states.
func MergeStates(states ...*State) (*State, error) {
	if len(states) == 0 || states[0] == nil {
		return nil, fmt.Errorf("%w: nothing to merge", ErrStateMismatch)
	}
	m := &State{}
	var hists []*histogram.State
	for i, s := range states {
		if s == nil || (s.hist == nil) != (states[0].hist == nil) || s.slice != states[0].slice {
			return nil, fmt.Errorf("%w: state %d is of another kind", ErrStateMismatch, i)
		}
		if i == 0 || s.since < m.since {
			m.since = s.since
		}
		m.slice = s.slice
		t, o := &m.totals, s.totals
		t.Good, t.Bad, t.Invalid = addSat(t.Good, o.Good), addSat(t.Bad, o.Bad), addSat(t.Invalid, o.Invalid)
		t.Unknown, t.Negative, t.Future = addSat(t.Unknown, o.Unknown), addSat(t.Negative, o.Negative), addSat(t.Future, o.Future)
		t.OutOfRange, t.Expired = addSat(t.OutOfRange, o.OutOfRange), addSat(t.Expired, o.Expired)
		m.at = max(m.at, s.at)
		if s.hist != nil {
			hists = append(hists, s.hist)
		}
	}
	m.cells, m.n = mergeCells(states)
	if len(hists) > 0 {
		h, err := histogram.MergeStates(hists...)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrStateMismatch, err)
		}
		m.hist = h
	}
	return m, nil
}

// cellOrder orders cells by start, then width.
func cellOrder(x, y stateBucket) int {
	return cmp.Or(cmp.Compare(x.start, y.start), cmp.Compare(x.width, y.width))
}

// cellLess reports whether x comes before y in cellOrder.
func cellLess(x, y stateBucket) bool {
	return x.start < y.start || x.start == y.start && x.width < y.width
}

// mergeCells writes the cells of states in cellOrder, cells of the same
// start and width added into one. A state's cells are in that order, so it
// merges them as they are read, through a heap of one cursor per state:
// O(n log k) for n cells of k states, with no copy of them. A state out of
// order (made by hand) is sorted instead.
func mergeCells(states []*State) ([]byte, int) {
	size := 0
	cursors := make([]cellCursor, 0, len(states))
	for _, s := range states {
		size += len(s.cells)
		if c := newCursor(s); c.next() {
			cursors = append(cursors, c)
		}
	}
	h := make(cursorHeap, len(cursors))
	for i := range cursors {
		h[i] = &cursors[i]
	}
	h.init()
	inOrder := true
	w := cellWriter{b: make([]byte, 0, size)}
	// advance moves the heap's first cursor on, or drops it when done.
	advance := func() {
		if c := h[0]; c.next() {
			inOrder = inOrder && c.inOrder
		} else {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		h.down(0)
	}
	for len(h) > 0 {
		k := h[0].cur
		advance()
		for len(h) > 0 && h[0].cur.start == k.start && h[0].cur.width == k.width {
			k.good = addSat(k.good, h[0].cur.good)
			k.bad = addSat(k.bad, h[0].cur.bad)
			advance()
		}
		w.add(k)
	}
	if inOrder {
		return w.cells()
	}
	var all []stateBucket
	for _, s := range states {
		s.eachCell(func(k stateBucket) { all = append(all, k) })
	}
	slices.SortStableFunc(all, cellOrder)
	return writeCombined(size, func(yield func(stateBucket)) {
		for _, k := range all {
			yield(k)
		}
	})
}

// writeCombined writes the cells cells yields, in order, adding those of
// equal start and width into one; size is room to start with.
func writeCombined(size int, cells func(yield func(stateBucket))) ([]byte, int) {
	w := cellWriter{b: make([]byte, 0, size)}
	var pending stateBucket
	have := false
	cells(func(k stateBucket) {
		if have && k.start == pending.start && k.width == pending.width {
			pending.good = addSat(pending.good, k.good)
			pending.bad = addSat(pending.bad, k.bad)
			return
		}
		if have {
			w.add(pending)
		}
		pending, have = k, true
	})
	if have {
		w.add(pending)
	}
	return w.cells()
}

// cursorHeap is a min-heap of cursors by their current cell.
type cursorHeap []*cellCursor

func (h cursorHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h cursorHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		j := l
		if r := l + 1; r < len(h) && cellLess(h[r].cur, h[l].cur) {
			j = r
		}
		if !cellLess(h[j].cur, h[i].cur) {
			return
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
}

// stateVersion is the version Encode writes: 2 adds the source's present
// and [Totals.Expired] to version 1, which [DecodeState] still reads. A
// time-slice SLI's state is version 3: version 2 with the slice length and
// the first slice's start after the present.
const stateVersion = 2

// Encode returns the state in a compact binary form that [DecodeState] reads.
// Callers that persist it wrap it with a checksum, as package slo does.
func (s *State) Encode() []byte {
	version := byte(stateVersion)
	if s.slice != 0 {
		version = 3
	}
	b := []byte{version}
	t := s.totals
	for _, v := range []uint64{t.Good, t.Bad, t.Invalid, t.Unknown, t.Negative, t.Future, t.OutOfRange, t.Expired} {
		b = binary.AppendUvarint(b, v)
	}
	b = binary.AppendVarint(b, s.at)
	if s.slice != 0 {
		b = binary.AppendUvarint(b, uint64(s.slice))
		b = binary.AppendVarint(b, s.since)
	}
	b = binary.AppendUvarint(b, uint64(s.n))
	b = append(b, s.cells...)
	if s.hist == nil {
		return append(b, 0)
	}
	h := s.hist.Encode()
	b = append(b, 1)
	b = binary.AppendUvarint(b, uint64(len(h)))
	return append(b, h...)
}

// DecodeState reads a state that Encode wrote. Bytes that are not one —
// truncated, corrupted, with a number in more bytes than it needs, with
// cells holding more events than the totals, or a time-slice state whose
// first slice is off a slice boundary or after its cells or its present —
// fail with [ErrCorruptState]; [DecodeState] never panics.
func DecodeState(data []byte) (*State, error) {
	fail := func(what string) (*State, error) {
		return nil, fmt.Errorf("%w: %s", ErrCorruptState, what)
	}
	d := wire.NewReader(data)
	version := d.Byte()
	if version < 1 || version > 3 {
		return fail("unknown version")
	}
	s := &State{}
	var tv [8]uint64
	for i := range tv[:6+min(version, 2)] {
		tv[i] = d.Uvarint()
	}
	s.totals = Totals{Good: tv[0], Bad: tv[1], Invalid: tv[2], Unknown: tv[3], Negative: tv[4], Future: tv[5], OutOfRange: tv[6], Expired: tv[7]}
	if version >= 2 {
		s.at = d.Varint()
	}
	if version == 3 {
		sl := d.Uvarint()
		s.since = d.Varint()
		if !validSlice(time.Duration(sl)) || sl > math.MaxInt64 {
			return fail("slice length")
		}
		s.slice = int64(sl)
	}
	var good, bad uint64
	var ok bool
	if version == 1 {
		n := d.Count(4) // a version-1 cell takes at least 4 bytes
		var w cellWriter
		if good, bad, ok = readCellsV1(d, n, &w); !d.OK() || !ok {
			return fail("cells")
		}
		s.cells, s.n = w.cells()
	} else {
		n := d.Count(2) // a cell takes at least its two counts' bytes
		before := d.Len()
		rest := data[len(data)-before:]
		if good, bad, ok = readCells(d, n); !d.OK() || !ok {
			return fail("cells")
		}
		s.cells, s.n = rest[:before-d.Len()], n
	}
	if good > s.totals.Good || bad > s.totals.Bad {
		return fail("buckets hold more events than the totals")
	}
	switch d.Byte() {
	case 0:
	case 1:
		h, err := histogram.DecodeState(d.Bytes())
		if !d.OK() {
			return fail("histogram length")
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorruptState, err)
		}
		s.hist = h
	default:
		return fail("histogram flag")
	}
	if !d.OK() || d.Len() != 0 {
		return fail("truncated or trailing bytes")
	}
	if s.slice != 0 {
		if s.hist != nil {
			return fail("a time-slice state with a histogram")
		}
		fits, first := true, int64(math.MaxInt64)
		s.eachRun(func(start, width int64, _ int, _ []byte) {
			fits = fits && width > 0 && width <= s.slice && s.slice%width == 0 && start%width == 0
			first = min(first, bucket.FloorDiv(start, s.slice)*s.slice)
		})
		if !fits {
			return fail("cells wider than a slice or across slices")
		}
		// The first slice starts on a slice boundary, no later than the
		// slice of the oldest cell and the present. It may be any time
		// before them: an SLI keeps the slice it began in however long it
		// runs, and the state does not carry its retention (Add counts
		// none the SLI it is added to does not hold).
		if s.since%s.slice != 0 || s.since > first || s.since > s.at {
			return fail("first slice")
		}
	}
	return s, nil
}
