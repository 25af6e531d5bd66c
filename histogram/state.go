package histogram

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/nines-slo/nines/internal/bucket"
	"github.com/nines-slo/nines/internal/wire"
)

// State is a copy of everything a Recorder holds — its closed cells and
// the current tick, each with its time — for persisting it across restarts
// and merging it across replicas. Adding a State to a Recorder
// ([Recorder.Add]) puts every cell back at its own time, so a state taken at
// t0 and added at t1 ages as the recorder's own cells do: what is older
// than a window at t1 is not in it.
//
// A State is immutable once made; it is safe for concurrent use.
type State struct {
	lay     layout
	windows []int64 // the recorder's windows, ns
	at      int64   // the source's current tick's start, Unix ns; 0 when unknown
	// cells are n cells, oldest first, each its start (varint), width
	// (uvarint) and buckets in cellCodec's form: a decoded state keeps its
	// input's bytes rather than a copy of them.
	cells []byte
	n     int
}

// stateCell is one cell: its span and its buckets in cellCodec's form.
type stateCell struct {
	start, width int64
	enc          []byte
}

func appendCell(b []byte, c stateCell) []byte {
	b = binary.AppendVarint(b, c.start)
	b = binary.AppendUvarint(b, uint64(c.width))
	return append(b, c.enc...)
}

// eachCell calls f with each of the state's cells, whose bytes f must not
// change.
func (s *State) eachCell(f func(stateCell)) {
	d := wire.NewReader(s.cells)
	for range s.n {
		c := stateCell{start: d.Varint(), width: int64(d.Uvarint())}
		c.enc = d.Prefixed()
		f(c)
	}
}

// State returns a copy of the recorder's contents.
func (r *Recorder) State() *State {
	s := &State{lay: r.lay}
	for _, w := range r.config.Windows {
		s.windows = append(s.windows, int64(w))
	}
	a := borrowAcc(r.lay.countsLen)
	defer a.release()
	r.st.Mu.Lock()
	defer r.st.Mu.Unlock()
	r.st.CellsLocked(func(start, width int64, enc []byte) {
		s.cells = appendCell(s.cells, stateCell{start: start, width: width, enc: enc})
		s.n++
	})
	(*recorderHot)(r).Peek(a)
	s.at = r.st.HotStart()
	if !a.isZero() {
		s.cells = appendCell(s.cells, stateCell{start: s.at, width: r.st.Tick(), enc: r.codec.Append(nil, a)})
		s.n++
	}
	return s
}

// Config returns the configuration of the recorder the state was taken
// from (of the first, for a merged state).
func (s *State) Config() Config {
	c := Config{Lowest: time.Duration(s.lay.lowest), Highest: time.Duration(s.lay.highest), Digits: int(s.lay.digits)}
	for _, w := range s.windows {
		c.Windows = append(c.Windows, time.Duration(w))
	}
	return c
}

// MergeStates returns a state holding the values of all of states, as
// replicas' states are combined into a fleet-wide one: cells of the same
// time and width add bucket by bucket. The states must share a layout
// (range and precision), else it fails with [ErrLayoutMismatch]. It takes
// O(n log n) time in the number of cells.
func MergeStates(states ...*State) (*State, error) {
	if len(states) == 0 || states[0] == nil {
		return nil, fmt.Errorf("%w: nothing to merge", ErrLayoutMismatch)
	}
	m := &State{lay: states[0].lay, windows: slices.Clone(states[0].windows)}
	var cells []stateCell
	for i, s := range states {
		if s == nil || s.lay != m.lay {
			return nil, fmt.Errorf("%w: state %d", ErrLayoutMismatch, i)
		}
		s.eachCell(func(c stateCell) { cells = append(cells, c) })
		m.at = max(m.at, s.at)
	}
	slices.SortStableFunc(cells, func(x, y stateCell) int {
		return cmp.Or(cmp.Compare(x.start, y.start), cmp.Compare(x.width, y.width))
	})
	sameSpan := func(x, y stateCell) bool { return x.start == y.start && x.width == y.width }
	sumRuns(&cellCodec{n: m.lay.countsLen}, cells, func(c stateCell) stateCell { return c }, sameSpan, func(c stateCell, enc []byte) {
		c.enc = enc
		m.cells = appendCell(m.cells, c)
		m.n++
	})
	return m, nil
}

// Add adds the values of s to the recorder, each cell at its own time: in
// the recorder's cell that holds its start at its age now (a cell wider
// than that one, from a recorder with other windows, lands whole in the
// cell of its start). Cells older than every window count in Late; cells
// stamped after the present count at the present. A state taken on a clock
// ahead of the recorder's moves the recorder's present up to the state's,
// by at most the longest window, so that its cells keep their times. It
// fails with [ErrLayoutMismatch], changing nothing, when s has another range
// or precision.
func (r *Recorder) Add(s *State) error {
	if s == nil || s.lay != r.lay {
		return fmt.Errorf("%w: state and recorder differ in range or precision", ErrLayoutMismatch)
	}
	r.st.Mu.Lock()
	defer r.st.Mu.Unlock()
	if now, ok := r.index(r.clock()); ok {
		r.st.RotateLocked(now)
	}
	if ahead := s.at - r.st.HotStart(); ahead > 0 && ahead <= int64(r.st.Retention()) {
		r.st.RotateLocked(bucket.FloorDiv(s.at, r.st.Tick()))
	}
	// Cells bound for one cell of the store are summed first and added
	// once: adding them one by one would re-encode the growing cell each
	// time, quadratic in a state that sends many cells to one place.
	type placed struct {
		level int
		idx   int64
		c     stateCell
	}
	var cells []placed
	s.eachCell(func(c stateCell) {
		level, idx, ok := r.st.PlaceLocked(c.start)
		if !ok {
			n, _ := cellCount(c.enc, r.lay.countsLen)
			r.late += n
			return
		}
		cells = append(cells, placed{level, idx, c})
	})
	slices.SortStableFunc(cells, func(x, y placed) int {
		return cmp.Or(cmp.Compare(x.level, y.level), cmp.Compare(x.idx, y.idx))
	})
	samePlace := func(x, y placed) bool { return x.level == y.level && x.idx == y.idx }
	sumRuns(r.codec, cells, func(p placed) stateCell { return p.c }, samePlace, func(c stateCell, enc []byte) {
		r.st.AddLocked(c.start, enc)
	})
	return nil
}

// sumRuns calls f once for each run of consecutive items that same puts
// together, with the run's first cell and the encoding of the sum of its
// cells (the cell's own when it is alone): how a merge and a restore add
// the cells that land in one place once.
func sumRuns[T any](codec *cellCodec, items []T, cell func(T) stateCell, same func(x, y T) bool, f func(first stateCell, enc []byte)) {
	a := codec.Get()
	defer codec.Put(a)
	for i := 0; i < len(items); {
		j := i + 1
		for j < len(items) && same(items[j], items[i]) {
			j++
		}
		c := cell(items[i])
		enc := c.enc
		if j > i+1 {
			for _, x := range items[i:j] {
				codec.Add(a, cell(x).enc)
			}
			enc = codec.Append(nil, a)
			a.reset()
		}
		f(c, enc)
		i = j
	}
}

// stateVersion is the first byte of an encoded State. Version 2 holds
// cells; version 1 held a ring of slots per window, which [DecodeState]
// still reads (taking the longest window's slots and the current tick).
const stateVersion = 2

// Encode returns the state in a compact binary form that [DecodeState] reads.
// It is not HdrHistogram's format (which has no notion of time); callers
// that persist it wrap it with a checksum, as package slo does.
func (s *State) Encode() []byte {
	b := []byte{stateVersion}
	b = binary.AppendUvarint(b, uint64(s.lay.lowest))
	b = binary.AppendUvarint(b, uint64(s.lay.highest))
	b = binary.AppendUvarint(b, uint64(s.lay.digits))
	b = binary.AppendUvarint(b, uint64(len(s.windows)))
	for _, w := range s.windows {
		b = binary.AppendUvarint(b, uint64(w))
	}
	b = binary.AppendVarint(b, s.at)
	b = binary.AppendUvarint(b, uint64(s.n))
	return append(b, s.cells...)
}

// DecodeState reads a state that Encode wrote (either version). Bytes that
// are not one fail with [ErrCorrupt]; [DecodeState] never panics and
// allocates in proportion to its input, whatever widths, times or counts
// it declares, and in time linear in its input: a cell costs what its
// non-zero buckets cost, however far apart they lie in the layout, here
// and when [Recorder.Add] or [MergeStates] takes it.
func DecodeState(data []byte) (*State, error) {
	d := wire.NewReader(data)
	version := d.Byte()
	if version != 1 && version != 2 {
		return nil, fmt.Errorf("%w: state version %d", ErrCorrupt, version)
	}
	lowest, highest, digits := d.Uvarint(), d.Uvarint(), d.Uvarint()
	// A recorder keeps 1 to 3 digits: a state of more, which no recorder
	// takes, is refused before its layout costs anything.
	if !d.OK() || lowest > math.MaxInt64 || highest > math.MaxInt64 || digits < 1 || digits > 3 {
		return nil, fmt.Errorf("%w: state header", ErrCorrupt)
	}
	lay, err := newLayout(int64(lowest), int64(highest), int32(digits))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	s := &State{lay: lay}
	nw := d.Count(1)
	for range nw {
		w := d.Uvarint()
		if !d.OK() || w == 0 || w > math.MaxInt64 {
			return nil, fmt.Errorf("%w: state window", ErrCorrupt)
		}
		s.windows = append(s.windows, int64(w))
	}
	if version == 1 {
		return decodeV1(d, s, len(data))
	}
	s.at = d.Varint()
	n := d.Count(3) // a cell takes at least 3 bytes
	rest := d.Len()
	for range n {
		_, width := d.Varint(), d.Uvarint()
		if !d.OK() || width == 0 || width > math.MaxInt64 {
			return nil, fmt.Errorf("%w: state cell", ErrCorrupt)
		}
		enc := d.Prefixed()
		if _, ok := cellCount(enc, lay.countsLen); !d.OK() || !ok {
			return nil, fmt.Errorf("%w: state cell buckets", ErrCorrupt)
		}
	}
	s.cells, s.n = data[len(data)-rest:len(data)-d.Len()], n
	if !d.OK() || d.Len() != 0 {
		return nil, fmt.Errorf("%w: state of %d bytes, unread or left over", ErrCorrupt, len(data))
	}
	return s, nil
}

// decodeV1 reads the slots of a version-1 state: per window, a ring of
// slots holding the same values at that window's resolution, and the
// current tick in window 0. It keeps the current tick and the longest
// window's slots, so that no value is counted twice.
func decodeV1(d *wire.Reader, s *State, size int) (*State, error) {
	codec := &cellCodec{n: s.lay.countsLen}
	a := borrowAcc(s.lay.countsLen)
	defer a.release()
	longest := int64(0)
	for _, w := range s.windows {
		longest = max(longest, w)
	}
	var cells []stateCell
	n := d.Count(8) // a slot takes at least 8 bytes
	for range n {
		window, start, width := d.Uvarint(), d.Varint(), d.Uvarint()
		under, over, invalid, _ := d.Uvarint(), d.Uvarint(), d.Uvarint(), d.Uvarint()
		if !d.OK() || window > math.MaxInt64 || width == 0 || width > math.MaxInt64 {
			return nil, fmt.Errorf("%w: state slot", ErrCorrupt)
		}
		nz := d.Count(2)
		x := -1
		for range nz {
			gap, c := d.Uvarint(), d.Uvarint()
			if !d.OK() || gap == 0 || gap > uint64(s.lay.countsLen) || x+int(gap) >= s.lay.countsLen || c == 0 {
				return nil, fmt.Errorf("%w: state bucket", ErrCorrupt)
			}
			x += int(gap)
			a.addAt(x, c)
		}
		a.underflow, a.overflow, a.invalid = under, over, invalid
		if window == 0 || int64(window) == longest {
			cells = append(cells, stateCell{start: start, width: int64(width), enc: codec.Append(nil, a)})
		}
		a.reset()
	}
	if !d.OK() || d.Len() != 0 {
		return nil, fmt.Errorf("%w: state of %d bytes, unread or left over", ErrCorrupt, size)
	}
	slices.SortStableFunc(cells, func(x, y stateCell) int { return cmp.Compare(x.start, y.start) })
	for _, c := range cells {
		s.cells = appendCell(s.cells, c)
	}
	s.n = len(cells)
	return s, nil
}
