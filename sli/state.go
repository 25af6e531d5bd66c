package sli

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/nines-slo/nines/histogram"
	"github.com/nines-slo/nines/internal/bucket"
	"github.com/nines-slo/nines/internal/wire"
)

// Errors of states.
var (
	// ErrCorruptState reports bytes that DecodeState cannot read as a
	// state: truncated, corrupted, or inconsistent.
	ErrCorruptState = errors.New("sli: corrupt state")

	// ErrStateMismatch reports a state added to an SLI of another kind (a
	// latency state into a ratio SLI) or a histogram of another layout.
	ErrStateMismatch = errors.New("sli: state does not fit the SLI")
)

// State is a copy of everything an SLI has recorded — its buckets with
// their times, its totals and, for a latency SLI, its histogram — for
// persisting it across restarts and merging it across replicas. Adding a
// State to an SLI (Ratio.Add, Latency.Add) puts every bucket back at its own
// time, so a state taken at t0 and added at t1 ages correctly.
//
// A State is immutable once made; it is safe for concurrent use.
type State struct {
	buckets []stateBucket // oldest first
	totals  Totals
	at      int64            // the start of the source's current cell, Unix ns; 0 for a version-1 state
	hist    *histogram.State // latency SLIs only
}

type stateBucket struct {
	start, width int64 // ns
	good, bad    uint64
}

// Totals returns the cumulative counts the state carries.
func (s *State) Totals() Totals { return s.totals }

// IsLatency reports whether the state comes from a latency SLI (and carries
// a histogram).
func (s *State) IsLatency() bool { return s.hist != nil }

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
	s.st.Mu.Lock()
	defer s.st.Mu.Unlock()
	s.st.CellsLocked(func(start, width int64, enc []byte) {
		var c cell
		countCodec{}.Add(&c, enc)
		st.buckets = append(st.buckets, stateBucket{start: start, width: width, good: c.good, bad: c.bad})
	})
	t := s.folded
	var hot cell
	for k := range s.hot {
		g, b := s.hot[k].good.Load(), s.hot[k].bad.Load()
		hot.good += g
		hot.bad += b
		t.Invalid += s.hot[k].invalid.Load()
	}
	t.Good += hot.good
	t.Bad += hot.bad
	t.Unknown, t.Negative, t.Future = s.unknown.Load(), s.negative.Load(), s.future.Load()
	at := s.st.HotStart()
	if hot != (cell{}) {
		st.buckets = append(st.buckets, stateBucket{start: at, width: int64(tick), good: hot.good, bad: hot.bad})
	}
	st.totals = t
	st.at = at
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
	for _, b := range st.buckets {
		c := cell{good: b.good, bad: b.bad}
		buf = countCodec{}.Append(buf[:0], &c)
		if !s.st.AddLocked(b.start, buf) {
			s.folded.OutOfRange += b.good + b.bad
		}
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

// Add adds what st recorded to the SLI: each bucket at its own time (those
// older than the retention count in Totals.OutOfRange), and its totals. It
// is how an SLI is restored after a restart, and how replicas are merged.
// It fails with ErrStateMismatch, changing nothing, for a latency SLI's
// state.
func (r *Ratio) Add(st *State) error {
	if err := r.Accepts(st); err != nil {
		return err
	}
	r.s.addState(st)
	return nil
}

// Accepts reports whether Add would take st: nil, or an error wrapping
// ErrStateMismatch. It lets a caller check many states before adding any.
func (r *Ratio) Accepts(st *State) error {
	if st == nil || st.hist != nil {
		return fmt.Errorf("%w: a latency state cannot be added to a ratio SLI", ErrStateMismatch)
	}
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
// histogram; see Ratio.Add. It fails with ErrStateMismatch, changing
// nothing, for a ratio SLI's state or a histogram of another range or
// precision.
func (l *Latency) Add(st *State) error {
	if err := l.Accepts(st); err != nil {
		return err
	}
	if err := l.h.Add(st.hist); err != nil {
		return fmt.Errorf("%w: %v", ErrStateMismatch, err)
	}
	l.s.addState(st)
	return nil
}

// Accepts reports whether Add would take st: nil, or an error wrapping
// ErrStateMismatch.
func (l *Latency) Accepts(st *State) error {
	if st == nil || st.hist == nil {
		return fmt.Errorf("%w: a ratio state cannot be added to a latency SLI", ErrStateMismatch)
	}
	if c, h := st.hist.Config(), l.h.Config(); c.Lowest != h.Lowest || c.Highest != h.Highest || c.Digits != h.Digits {
		return fmt.Errorf("%w: histogram %v–%v at %d digits, the SLI's %v–%v at %d", ErrStateMismatch, c.Lowest, c.Highest, c.Digits, h.Lowest, h.Highest, h.Digits)
	}
	return nil
}

// MergeStates returns a state holding everything in states, as replicas'
// states are combined into a fleet-wide one: cells of the same time and
// width add, totals add, histograms merge. The states must all be ratio or
// all latency states with one histogram layout, else it fails with
// ErrStateMismatch. It takes O(n log n) time in the number of cells.
func MergeStates(states ...*State) (*State, error) {
	if len(states) == 0 || states[0] == nil {
		return nil, fmt.Errorf("%w: nothing to merge", ErrStateMismatch)
	}
	m := &State{}
	var hists []*histogram.State
	for i, s := range states {
		if s == nil || (s.hist == nil) != (states[0].hist == nil) {
			return nil, fmt.Errorf("%w: state %d is of another kind", ErrStateMismatch, i)
		}
		m.buckets = append(m.buckets, s.buckets...)
		t := &m.totals
		t.Good += s.totals.Good
		t.Bad += s.totals.Bad
		t.Invalid += s.totals.Invalid
		t.Unknown += s.totals.Unknown
		t.Negative += s.totals.Negative
		t.Future += s.totals.Future
		t.OutOfRange += s.totals.OutOfRange
		t.Expired += s.totals.Expired
		m.at = max(m.at, s.at)
		if s.hist != nil {
			hists = append(hists, s.hist)
		}
	}
	slices.SortStableFunc(m.buckets, func(x, y stateBucket) int {
		return cmp.Or(cmp.Compare(x.start, y.start), cmp.Compare(x.width, y.width))
	})
	out := m.buckets[:0]
	for _, b := range m.buckets {
		if n := len(out); n > 0 && out[n-1].start == b.start && out[n-1].width == b.width {
			out[n-1].good += b.good
			out[n-1].bad += b.bad
			continue
		}
		out = append(out, b)
	}
	m.buckets = out
	if len(hists) > 0 {
		h, err := histogram.MergeStates(hists...)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrStateMismatch, err)
		}
		m.hist = h
	}
	return m, nil
}

// stateVersion is the version Encode writes: 2 adds the source's present
// and Totals.Expired to version 1, which DecodeState still reads.
const stateVersion = 2

// Encode returns the state in a compact binary form that DecodeState reads.
// Callers that persist it wrap it with a checksum, as package slo does.
func (s *State) Encode() []byte {
	b := []byte{stateVersion}
	t := s.totals
	for _, v := range []uint64{t.Good, t.Bad, t.Invalid, t.Unknown, t.Negative, t.Future, t.OutOfRange, t.Expired} {
		b = binary.AppendUvarint(b, v)
	}
	b = binary.AppendVarint(b, s.at)
	// Buckets mostly follow one another at one width: such a bucket is
	// written as a step count from the previous one (tag 0), others with
	// their start and width (tag 1).
	b = binary.AppendUvarint(b, uint64(len(s.buckets)))
	var prev stateBucket
	for i, k := range s.buckets {
		if d := k.start - prev.start; i > 0 && k.width == prev.width && d > 0 && d%k.width == 0 {
			b = append(b, 0)
			b = binary.AppendUvarint(b, uint64(d/k.width))
		} else {
			b = append(b, 1)
			b = binary.AppendVarint(b, k.start)
			b = binary.AppendUvarint(b, uint64(k.width))
		}
		b = binary.AppendUvarint(b, k.good)
		b = binary.AppendUvarint(b, k.bad)
		prev = k
	}
	if s.hist == nil {
		return append(b, 0)
	}
	h := s.hist.Encode()
	b = append(b, 1)
	b = binary.AppendUvarint(b, uint64(len(h)))
	return append(b, h...)
}

// DecodeState reads a state that Encode wrote. Bytes that are not one —
// truncated, corrupted, or with buckets holding more events than the totals
// — fail with ErrCorruptState; DecodeState never panics.
func DecodeState(data []byte) (*State, error) {
	fail := func(what string) (*State, error) {
		return nil, fmt.Errorf("%w: %s", ErrCorruptState, what)
	}
	d := wire.NewReader(data)
	version := d.Byte()
	if version != 1 && version != 2 {
		return fail("unknown version")
	}
	s := &State{}
	var tv [8]uint64
	for i := range tv[:6+version] {
		tv[i] = d.Uvarint()
	}
	s.totals = Totals{Good: tv[0], Bad: tv[1], Invalid: tv[2], Unknown: tv[3], Negative: tv[4], Future: tv[5], OutOfRange: tv[6], Expired: tv[7]}
	if version >= 2 {
		s.at = d.Varint()
	}
	n := d.Count(4) // a bucket takes at least 4 bytes
	if !d.OK() {
		return fail("totals or bucket count")
	}
	var good, bad uint64
	var prev stateBucket
	for i := range n {
		var k stateBucket
		switch tag := d.Byte(); {
		case tag == 0 && i > 0:
			steps := d.Uvarint()
			if !d.OK() || steps == 0 || steps > math.MaxInt64/uint64(prev.width) {
				return fail("bucket step")
			}
			k.width = prev.width
			k.start = prev.start + int64(steps)*prev.width
			if k.start < prev.start {
				return fail("bucket start overflows")
			}
		case tag == 1:
			start, width := d.Varint(), d.Uvarint()
			if !d.OK() || width == 0 || width > math.MaxInt64 {
				return fail("bucket start or width")
			}
			k.start, k.width = start, int64(width)
		default:
			return fail("bucket tag")
		}
		k.good, k.bad = d.Uvarint(), d.Uvarint()
		if !d.OK() {
			return fail("bucket counts")
		}
		if good+k.good < good || bad+k.bad < bad {
			return fail("bucket counts overflow")
		}
		good, bad = good+k.good, bad+k.bad
		s.buckets = append(s.buckets, k)
		prev = k
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
	return s, nil
}
