package histogram

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/nines-slo/nines/internal/bucket"
	"github.com/nines-slo/nines/internal/wire"
)

// State is a copy of everything a Recorder holds — each window's slots and
// the current tick — for persisting it across restarts and merging it
// across replicas. Adding a State to a Recorder (Recorder.Add) puts every
// slot back at its own time, so a state taken at t0 and added at t1 ages
// correctly: what is older than a window at t1 is not in it.
//
// A State is immutable once made; it is safe for concurrent use.
type State struct {
	lay     layout
	windows []int64 // the recorder's windows, ns
	slots   []stateSlot
}

// stateSlot is one slot: window 0 for a current tick, which belongs in
// every window.
type stateSlot struct {
	window, start, width                    int64
	counts                                  []bucketCount // non-zero buckets, in index order
	underflow, overflow, invalid, saturated uint64
}

// bucketCount is one non-zero bucket. Counts are kept sparse so that a
// state costs memory in proportion to what it holds (and a decoded one to
// its input), never to its layout.
type bucketCount struct {
	index int
	n     uint64
}

// State returns a copy of the recorder's contents.
func (r *Recorder) State() *State {
	s := &State{lay: r.lay}
	for _, w := range r.config.Windows {
		s.windows = append(s.windows, int64(w))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.rings {
		rg := &r.rings[k]
		n := int64(len(rg.slots))
		for j := rg.head - n + 1; j <= rg.head; j++ {
			sl := &rg.slots[bucket.Slot(j, n)]
			st := stateSlot{window: int64(rg.window), start: j * rg.width, width: rg.width,
				underflow: sl.underflow, overflow: sl.overflow, invalid: sl.invalid, saturated: sl.saturated}
			for x := sl.lo; x <= sl.hi; x++ {
				if c := sl.counts[x]; c != 0 {
					st.counts = append(st.counts, bucketCount{x, uint64(c)})
				}
			}
			s.add(st)
		}
	}
	hot := stateSlot{start: r.hotIdx.Load() * r.tick, width: r.tick}
	sp, counts := r.borrowScratch()
	defer scratchPool.Put(sp)
	var extra slot
	r.addHot(counts, &extra)
	for x, n := range counts {
		if n != 0 {
			hot.counts = append(hot.counts, bucketCount{x, n})
			counts[x] = 0 // pooled scratch goes back all zero
		}
	}
	hot.underflow, hot.overflow, hot.invalid = extra.underflow, extra.overflow, extra.invalid
	s.add(hot)
	return s
}

// add appends st unless it is empty.
func (s *State) add(st stateSlot) {
	if len(st.counts) == 0 && st.underflow+st.overflow+st.invalid+st.saturated == 0 {
		return
	}
	s.slots = append(s.slots, st)
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
// replicas' states are combined into a fleet-wide one. The states must share
// a layout (range and precision), else it fails with ErrLayoutMismatch.
func MergeStates(states ...*State) (*State, error) {
	if len(states) == 0 || states[0] == nil {
		return nil, fmt.Errorf("%w: nothing to merge", ErrLayoutMismatch)
	}
	m := &State{lay: states[0].lay, windows: slices.Clone(states[0].windows)}
	for i, s := range states {
		if s == nil || s.lay != m.lay {
			return nil, fmt.Errorf("%w: state %d", ErrLayoutMismatch, i)
		}
		m.slots = append(m.slots, s.slots...)
	}
	return m, nil
}

// Add adds the values of s to the recorder, each slot at its own time: a
// window's slots into that window, a tick's values into every window. A
// window the state does not have is filled from the state's next longer
// window (or its longest), at that window's coarser slots. Slots older than
// a window are left out of it; values stamped after the present are counted
// at the present. Counts saturate at 2^32 − 1 per slot bucket, as recorded
// ones do. It fails with ErrLayoutMismatch, changing nothing, when s has
// another range or precision.
func (r *Recorder) Add(s *State) error {
	if s == nil || s.lay != r.lay {
		return fmt.Errorf("%w: state and recorder differ in range or precision", ErrLayoutMismatch)
	}
	var have []int64
	for _, sl := range s.slots {
		if sl.window != 0 && !slices.Contains(have, sl.window) {
			have = append(have, sl.window)
		}
	}
	slices.Sort(have)
	r.mu.Lock()
	defer r.mu.Unlock()
	if now, ok := r.index(r.clock()); ok && now > r.hotIdx.Load() {
		r.rotateLocked(now)
	}
	present := r.hotIdx.Load() * r.tick
	for k := range r.rings {
		rg := &r.rings[k]
		src := sourceWindow(int64(rg.window), have)
		n := int64(len(rg.slots))
		for _, sl := range s.slots {
			if sl.window != 0 && sl.window != src {
				continue
			}
			// A slot from the future (another replica's clock) counts at
			// the present; one older than the window is left out of it.
			j := min(bucket.FloorDiv(sl.start, rg.width), bucket.FloorDiv(present, rg.width))
			rg.advance(j)
			if j <= rg.head-n {
				continue
			}
			rg.slots[bucket.Slot(j, n)].addState(sl)
		}
	}
	return nil
}

// sourceWindow picks which of the state's windows (sorted) fills a ring of
// window w: w itself, else the shortest longer one, else the longest.
func sourceWindow(w int64, have []int64) int64 {
	for _, h := range have {
		if h >= w {
			return h
		}
	}
	if len(have) == 0 {
		return -1
	}
	return have[len(have)-1]
}

func (s *slot) addState(sl stateSlot) {
	s.underflow += sl.underflow
	s.overflow += sl.overflow
	s.invalid += sl.invalid
	s.saturated += sl.saturated
	for _, c := range sl.counts {
		s.widen(c.index, c.index)
		sum := uint64(s.counts[c.index]) + c.n
		if sum < c.n || sum > math.MaxUint32 {
			s.saturated += sum - math.MaxUint32 // wraps harmlessly for absurd counts
			sum = math.MaxUint32
		}
		s.counts[c.index] = uint32(sum)
	}
}

// stateVersion is the first byte of an encoded State.
const stateVersion = 1

// Encode returns the state in a compact binary form that DecodeState reads.
// It is not HdrHistogram's format (which has no notion of time slots);
// callers that persist it wrap it with a checksum, as package slo does.
func (s *State) Encode() []byte {
	b := []byte{stateVersion}
	b = binary.AppendUvarint(b, uint64(s.lay.lowest))
	b = binary.AppendUvarint(b, uint64(s.lay.highest))
	b = binary.AppendUvarint(b, uint64(s.lay.digits))
	b = binary.AppendUvarint(b, uint64(len(s.windows)))
	for _, w := range s.windows {
		b = binary.AppendUvarint(b, uint64(w))
	}
	b = binary.AppendUvarint(b, uint64(len(s.slots)))
	for _, sl := range s.slots {
		b = binary.AppendUvarint(b, uint64(sl.window))
		b = binary.AppendVarint(b, sl.start)
		b = binary.AppendUvarint(b, uint64(sl.width))
		for _, v := range []uint64{sl.underflow, sl.overflow, sl.invalid, sl.saturated} {
			b = binary.AppendUvarint(b, v)
		}
		// Non-zero buckets as (gap since the previous one, count).
		b = binary.AppendUvarint(b, uint64(len(sl.counts)))
		prev := -1
		for _, c := range sl.counts {
			b = binary.AppendUvarint(b, uint64(c.index-prev))
			b = binary.AppendUvarint(b, c.n)
			prev = c.index
		}
	}
	return b
}

// DecodeState reads a state that Encode wrote. Bytes that are not one fail
// with ErrCorrupt; DecodeState never panics, and allocates in proportion to
// its input.
func DecodeState(data []byte) (*State, error) {
	d := wire.NewReader(data)
	if v := d.Byte(); v != stateVersion {
		return nil, fmt.Errorf("%w: state version %d", ErrCorrupt, v)
	}
	lowest, highest, digits := d.Uvarint(), d.Uvarint(), d.Uvarint()
	if !d.OK() || lowest > math.MaxInt64 || highest > math.MaxInt64 || digits > 5 {
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
	n := d.Count(8) // a slot takes at least 8 bytes
	for range n {
		var sl stateSlot
		window, start, width := d.Uvarint(), d.Varint(), d.Uvarint()
		sl.underflow, sl.overflow, sl.invalid, sl.saturated = d.Uvarint(), d.Uvarint(), d.Uvarint(), d.Uvarint()
		if !d.OK() || window > math.MaxInt64 || width == 0 || width > math.MaxInt64 {
			return nil, fmt.Errorf("%w: state slot", ErrCorrupt)
		}
		sl.window, sl.start, sl.width = int64(window), start, int64(width)
		nz := d.Count(2)
		x := -1
		for range nz {
			gap, c := d.Uvarint(), d.Uvarint()
			if !d.OK() || gap == 0 || gap > uint64(lay.countsLen) || x+int(gap) >= lay.countsLen || c == 0 {
				return nil, fmt.Errorf("%w: state bucket", ErrCorrupt)
			}
			x += int(gap)
			sl.counts = append(sl.counts, bucketCount{x, c})
		}
		s.slots = append(s.slots, sl)
	}
	if !d.OK() || d.Len() != 0 {
		return nil, fmt.Errorf("%w: state of %d bytes, unread or left over", ErrCorrupt, len(data))
	}
	return s, nil
}
