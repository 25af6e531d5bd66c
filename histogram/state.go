package histogram

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/nines-slo/nines/internal/bucket"
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
	counts                                  []uint64 // dense, trailing zeros trimmed
	underflow, overflow, invalid, saturated uint64
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
			last := len(sl.counts) - 1
			for last >= 0 && sl.counts[last] == 0 {
				last--
			}
			st.counts = make([]uint64, last+1)
			for x, c := range sl.counts[:last+1] {
				st.counts[x] = uint64(c)
			}
			s.add(st)
		}
	}
	hot := stateSlot{start: r.hotIdx.Load() * r.tick, width: r.tick, counts: make([]uint64, r.lay.countsLen)}
	for _, h := range r.hot {
		for x := range h.counts {
			hot.counts[x] += uint64(h.counts[x].Load())
		}
		hot.underflow += h.underflow.Load()
		hot.overflow += h.overflow.Load()
		hot.invalid += h.invalid.Load()
	}
	s.add(hot)
	return s
}

// add appends st unless it is empty, trimming its trailing zero buckets.
func (s *State) add(st stateSlot) {
	last := len(st.counts) - 1
	for last >= 0 && st.counts[last] == 0 {
		last--
	}
	st.counts = st.counts[:last+1]
	if last < 0 && st.underflow+st.overflow+st.invalid+st.saturated == 0 {
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
// window's slots into that window (if the recorder keeps it), a tick's
// values into every window. Slots older than a window are left out of it;
// values stamped after the present are counted at the present. Counts
// saturate at 2^32 − 1 per slot bucket, like recorded ones. It fails
// with ErrLayoutMismatch, changing nothing, when s has another range or
// precision.
func (r *Recorder) Add(s *State) error {
	if s == nil || s.lay != r.lay {
		return fmt.Errorf("%w: state and recorder differ in range or precision", ErrLayoutMismatch)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if now, ok := r.index(r.clock()); ok && now > r.hotIdx.Load() {
		r.rotateLocked(now)
	}
	hot := r.hotIdx.Load()
	for _, sl := range s.slots {
		// A tick's values (window 0) go into the slot holding that tick in
		// every window; a window's slot into that window only.
		for k := range r.rings {
			rg := &r.rings[k]
			if sl.window != 0 && (sl.window != int64(rg.window) || sl.width != rg.width) {
				continue
			}
			// A slot from the future (another replica's clock) counts at
			// the present; one older than the window is left out of it.
			j := min(bucket.FloorDiv(sl.start, rg.width), bucket.FloorDiv(hot*r.tick, rg.width))
			rg.advance(j)
			if n := int64(len(rg.slots)); j <= rg.head-n {
				continue
			}
			rg.slots[bucket.Slot(j, int64(len(rg.slots)))].addState(sl)
		}
	}
	return nil
}

func (s *slot) addState(sl stateSlot) {
	s.underflow += sl.underflow
	s.overflow += sl.overflow
	s.invalid += sl.invalid
	s.saturated += sl.saturated
	for x, c := range sl.counts {
		sum := uint64(s.counts[x]) + c
		if sum > math.MaxUint32 {
			s.saturated += sum - math.MaxUint32
			sum = math.MaxUint32
		}
		s.counts[x] = uint32(sum)
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
		nz := 0
		for _, c := range sl.counts {
			if c != 0 {
				nz++
			}
		}
		b = binary.AppendUvarint(b, uint64(nz))
		prev := -1
		for x, c := range sl.counts {
			if c != 0 {
				b = binary.AppendUvarint(b, uint64(x-prev))
				b = binary.AppendUvarint(b, c)
				prev = x
			}
		}
	}
	return b
}

// DecodeState reads a state that Encode wrote. Bytes that are not one fail
// with ErrCorrupt; DecodeState never panics, and allocates in proportion to
// its input.
func DecodeState(data []byte) (*State, error) {
	d := decoder{b: data}
	if v := d.byte(); v != stateVersion {
		return nil, fmt.Errorf("%w: state version %d", ErrCorrupt, v)
	}
	lowest, highest, digits := d.uvarint(), d.uvarint(), d.uvarint()
	if d.err != nil || lowest > math.MaxInt64 || highest > math.MaxInt64 || digits > 5 {
		return nil, fmt.Errorf("%w: state header", ErrCorrupt)
	}
	lay, err := newLayout(int64(lowest), int64(highest), int32(digits))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	s := &State{lay: lay}
	nw := d.count(1)
	for range nw {
		w := d.uvarint()
		if d.err != nil || w == 0 || w > math.MaxInt64 {
			return nil, fmt.Errorf("%w: state window", ErrCorrupt)
		}
		s.windows = append(s.windows, int64(w))
	}
	n := d.count(8) // a slot takes at least 8 bytes
	for range n {
		var sl stateSlot
		window, start, width := d.uvarint(), d.varint(), d.uvarint()
		sl.underflow, sl.overflow, sl.invalid, sl.saturated = d.uvarint(), d.uvarint(), d.uvarint(), d.uvarint()
		if d.err != nil || window > math.MaxInt64 || width == 0 || width > math.MaxInt64 {
			return nil, fmt.Errorf("%w: state slot", ErrCorrupt)
		}
		sl.window, sl.start, sl.width = int64(window), start, int64(width)
		nz := d.count(2)
		x := -1
		for range nz {
			gap, c := d.uvarint(), d.uvarint()
			if d.err != nil || gap == 0 || gap > uint64(lay.countsLen) || x+int(gap) >= lay.countsLen || c == 0 {
				return nil, fmt.Errorf("%w: state bucket", ErrCorrupt)
			}
			x += int(gap)
			if len(sl.counts) <= x {
				sl.counts = append(sl.counts, make([]uint64, x+1-len(sl.counts))...)
			}
			sl.counts[x] = c
		}
		s.slots = append(s.slots, sl)
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, fmt.Errorf("%w: state of %d bytes has %d left over", ErrCorrupt, len(data), len(d.b))
	}
	return s, nil
}

// decoder reads varints, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.err = ErrCorrupt
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = ErrCorrupt
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = ErrCorrupt
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a number of items that take at least min bytes each, and
// fails if the input is too short to hold them: a corrupt count cannot make
// the decoder loop or allocate beyond its input.
func (d *decoder) count(min int) int {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)/min) {
		d.err = ErrCorrupt
		return 0
	}
	return int(n)
}
