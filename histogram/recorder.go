package histogram

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nines-slo/nines/internal/bucket"
	"github.com/nines-slo/nines/internal/rotation"
	"github.com/nines-slo/nines/internal/shard"
)

// Recorder records durations into HDR histograms and answers for recent
// windows of time: the p99 of the last minute, of the last hour.
//
// Values go into the current slot, a few per-core histograms of atomic
// counters; recording is one atomic add, lock-free and allocation-free.
// At every tick (the largest period that divides every window's slot width:
// 10 s for the default windows) the current slot is folded into each
// window's ring of six slots. A window's snapshot merges the slots that
// overlap it, so it covers at least the window and at most a sixth more.
//
// Memory is fixed: seven slots per window plus up to eight current
// histograms (one per shard), 4 bytes per bucket each, and the cumulative
// histogram at 8 bytes per bucket — about 432 KiB with the defaults (3456
// buckets, three windows). Counts in a window's slot
// saturate at 2^32 − 1 (see Snapshot.Saturated); the current histograms'
// 32-bit counters (buckets, and the underflow, overflow and invalid counts)
// would wrap only past 4 billion values in one of them in one tick (10 s by
// default), which only a frozen injected clock allows.
//
// A Recorder is safe for concurrent use. Build one with NewRecorder; the
// zero value is not usable.
type Recorder struct {
	lay    layout
	hot    []*hotSlot
	mask   uint32
	hotIdx atomic.Int64 // the tick the hot slots are counting
	tick   int64        // ns
	now    func() time.Time
	config Config

	mu     sync.Mutex
	rings  []ring
	cum    []uint64 // every value recorded, by bucket, not counting the hot slots
	cumX   slot     // underflow, overflow and invalid of cum
	late   uint64   // values recorded at a time older than every window
	future uint64   // values recorded at a time after the present
	timer  *rotation.Timer
}

// scratchPool lends rotations and State a zeroed buffer to sum the current
// histograms into, so that recorders do not each keep one (27 KiB at the
// defaults) for a few microseconds' use every tick.
var scratchPool = sync.Pool{New: func() any { return new([]uint64) }}

// hotSlot is one core's histogram for the current tick. Its counts are
// the layout's buckets followed by hotExtra counters — values under the
// range, over it, and invalid — so that recording any value is one atomic
// add; readHot puts them where they belong.
type hotSlot struct {
	counts []atomic.Uint32
}

// The counters past a hot slot's buckets, by offset from the last bucket.
const (
	hotUnderflow = iota
	hotOverflow
	hotInvalid
	hotExtra
)

// slot is one slot of a window's ring.
type slot struct {
	counts                                  []uint32
	lo, hi                                  int // counts outside [lo, hi] are zero; hi < lo when all are
	underflow, overflow, invalid, saturated uint64
}

// addOut adds x's counts of values outside the buckets (under and over
// the range, invalid) and of saturation to s's.
func (s *slot) addOut(x *slot) {
	s.underflow += x.underflow
	s.overflow += x.overflow
	s.invalid += x.invalid
	s.saturated += x.saturated
}

// emptySlot returns a slot of zero counts.
func emptySlot(counts []uint32) slot { return slot{counts: counts, lo: len(counts), hi: -1} }

// widen records that counts in [lo, hi] may be non-zero, so that readers
// scan only the slot's occupied range.
func (s *slot) widen(lo, hi int) { s.lo, s.hi = min(s.lo, lo), max(s.hi, hi) }

// ring keeps one window as slotsPerWindow+1 slots of width window/6.
type ring struct {
	window time.Duration
	width  int64 // slot width, ns
	head   int64 // newest slot (absolute index, in widths since the epoch)
	slots  []slot
}

const maxHotSlots = 8

// NewRecorder returns a recorder for c. It fails with ErrInvalidConfig for
// an out-of-range field.
func NewRecorder(c Config, opts ...Option) (*Recorder, error) {
	c, lay, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	n := min(shard.Count(), maxHotSlots)
	r := &Recorder{
		lay:    lay,
		hot:    make([]*hotSlot, n),
		mask:   uint32(n - 1),
		tick:   int64(c.tick()),
		now:    o.now,
		config: c,
		cum:    make([]uint64, lay.countsLen),
	}
	for k := range r.hot {
		r.hot[k] = &hotSlot{counts: make([]atomic.Uint32, lay.countsLen+hotExtra)}
	}
	now := r.clock()
	i, ok := r.index(now)
	if !ok {
		return nil, fmt.Errorf("histogram: clock reads %v, outside the years 1678–2262", now)
	}
	r.hotIdx.Store(i)
	for _, w := range c.Windows {
		rg := ring{window: w, width: int64(w / slotsPerWindow), slots: make([]slot, slotsPerWindow+1)}
		for k := range rg.slots {
			rg.slots[k] = emptySlot(make([]uint32, lay.countsLen))
		}
		rg.head = bucket.FloorDiv((i-1)*r.tick, rg.width)
		r.rings = append(r.rings, rg)
	}
	if r.now == nil {
		r.timer = rotation.Start(r, time.Duration(r.tick), (*Recorder).tickAt)
	}
	return r, nil
}

// Config returns the configuration in use, defaults filled in.
func (r *Recorder) Config() Config {
	c := r.config
	c.Windows = append([]time.Duration(nil), c.Windows...)
	return c
}

func (r *Recorder) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

func (r *Recorder) index(t time.Time) (int64, bool) { return bucket.Index(t, r.tick) }

// Record counts one duration, now. Durations below the range are counted at
// its lowest value and in Underflow, above it at its highest and in
// Overflow; negative durations are counted in Invalid only.
func (r *Recorder) Record(d time.Duration) {
	if r.now != nil {
		r.RecordAt(r.now(), d)
		return
	}
	r.record(d)
}

// RecordOn counts one duration now, like Record, in the current tick's
// histogram of processor p (shard.Proc's number, for a caller that counts
// one event in several places and finds its processor once; any number is
// safe, it only picks a shard). sli's latency SLIs use it.
func (r *Recorder) RecordOn(p uint32, d time.Duration) {
	if r.now != nil {
		r.RecordAt(r.now(), d)
		return
	}
	r.recordOn(p, d)
}

// record counts d in the current slot: the hot path.
func (r *Recorder) record(d time.Duration) { r.recordOn(shard.Proc(), d) }

// recordOn counts d in the current slot of processor p's shard.
func (r *Recorder) recordOn(p uint32, d time.Duration) {
	r.hot[p&r.mask].counts[r.hotIndex(int64(d))].Add(1)
}

// hotIndex returns where a hot slot counts the value v.
func (r *Recorder) hotIndex(v int64) int {
	switch {
	case v < 0:
		return r.lay.countsLen + hotInvalid
	case v < r.lay.lowest:
		return r.lay.countsLen + hotUnderflow
	case v > r.lay.highest:
		return r.lay.countsLen + hotOverflow
	}
	return r.lay.index(v)
}

// readHot adds what hot slot h holds to counts and extra, and empties h if
// take. A value under or over the range is counted at the lowest or highest
// bucket too, as Record documents. It returns the range of buckets it added
// to, hi < lo if none.
func (r *Recorder) readHot(h *hotSlot, counts []uint64, extra *slot, take bool) (lo, hi int) {
	lo, hi = len(counts), -1
	for k := range h.counts {
		c := &h.counts[k]
		if c.Load() == 0 {
			continue
		}
		var n uint64
		if take {
			n = uint64(c.Swap(0))
		} else {
			n = uint64(c.Load())
		}
		x := k
		switch k - r.lay.countsLen {
		case hotUnderflow:
			extra.underflow += n
			x = r.lay.index(r.lay.lowest)
		case hotOverflow:
			extra.overflow += n
			x = r.lay.index(r.lay.highest)
		case hotInvalid:
			extra.invalid += n
			continue
		}
		counts[x] += n
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

// RecordAt counts one duration observed at t. A t older than every window
// is counted only by Late; a t after the present is counted at the present
// and by Future.
func (r *Recorder) RecordAt(t time.Time, d time.Duration) {
	i, ok := r.index(t)
	if ok && i == r.hotIdx.Load() {
		r.record(d)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if h := r.hotIdx.Load(); ok && i >= h {
		to, future := bucket.Forward(i, h, r.clock(), r.tick)
		if future {
			r.future++
		}
		if to > h {
			r.rotateLocked(to)
		}
		r.record(d)
		return
	}
	// A time before the current tick: straight into each window's slot,
	// and into the cumulative histogram.
	var one slot
	v := int64(d)
	switch {
	case v < 0:
		one.invalid = 1
	case v < r.lay.lowest:
		one.underflow, v = 1, r.lay.lowest
	case v > r.lay.highest:
		one.overflow, v = 1, r.lay.highest
	}
	idx := -1
	if v >= 0 {
		idx = r.lay.index(v)
		r.cum[idx]++
	}
	r.cumX.addOut(&one)
	if !ok {
		r.late++
		return
	}
	placed := false
	for k := range r.rings {
		rg := &r.rings[k]
		j := bucket.FloorDiv(i*r.tick, rg.width)
		rg.advance(j)
		if j <= rg.head-int64(len(rg.slots)) {
			continue
		}
		s := &rg.slots[bucket.Slot(j, int64(len(rg.slots)))]
		s.addOut(&one)
		if idx >= 0 {
			s.widen(idx, idx)
			if s.counts[idx] == math.MaxUint32 {
				s.saturated++
			} else {
				s.counts[idx]++
			}
		}
		placed = true
	}
	if !placed {
		r.late++
	}
}

// Late returns how many values were recorded at a time older than every
// window (or outside the years 1678–2262): they are in no snapshot.
func (r *Recorder) Late() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.late
}

// Future returns how many values were recorded with a time after the
// present; they were counted at the present instead.
func (r *Recorder) Future() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.future
}

// present is the end of the windows of Snapshot: the clock's time, or the
// start of the current tick if the clock reads earlier (a wall clock that
// stepped back after a rotation).
func (r *Recorder) present() time.Time {
	return bucket.Present(r.clock(), r.hotIdx.Load(), r.tick)
}

// tickAt rotates to the tick of now if it is later than the current one.
// The rotation timer calls it at every tick boundary.
func (r *Recorder) tickAt(now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i, ok := r.index(now); ok && i > r.hotIdx.Load() {
		r.rotateLocked(i)
	}
}

// borrowScratch returns a zeroed buffer of one count per bucket from
// scratchPool, and what to put back there, all zero again, when done.
func (r *Recorder) borrowScratch() (*[]uint64, []uint64) {
	sp := scratchPool.Get().(*[]uint64)
	if cap(*sp) < r.lay.countsLen {
		*sp = make([]uint64, r.lay.countsLen)
	}
	return sp, (*sp)[:r.lay.countsLen]
}

// rotateLocked makes tick i current, folding the hot slots into the slot of
// each window that holds the tick they were counting.
func (r *Recorder) rotateLocked(i int64) {
	old := r.hotIdx.Load()
	// Publish first: a recorder with a time in the old tick now takes the
	// slow path and waits for mu.
	r.hotIdx.Store(i)
	var extra slot
	sp, scratch := r.borrowScratch()
	defer scratchPool.Put(sp)
	lo, hi := len(scratch), -1
	for _, h := range r.hot {
		l, u := r.readHot(h, scratch, &extra, true)
		lo, hi = min(lo, l), max(hi, u)
	}
	for x := lo; x <= hi; x++ {
		r.cum[x] += scratch[x]
	}
	r.cumX.addOut(&extra)
	for k := range r.rings {
		rg := &r.rings[k]
		j := bucket.FloorDiv(old*r.tick, rg.width)
		rg.advance(j)
		if hi >= 0 || extra.underflow+extra.overflow+extra.invalid > 0 {
			s := &rg.slots[bucket.Slot(j, int64(len(rg.slots)))]
			s.addOut(&extra)
			if hi >= 0 {
				s.widen(lo, hi)
			}
			for x := lo; x <= hi; x++ {
				if c := scratch[x]; c != 0 {
					sum := uint64(s.counts[x]) + c
					if sum > math.MaxUint32 {
						s.saturated += sum - math.MaxUint32
						sum = math.MaxUint32
					}
					s.counts[x] = uint32(sum)
				}
			}
		}
		// Keep every ring ending at the tick before the current one, so
		// that what is older than the window is gone.
		rg.advance(bucket.FloorDiv((i-1)*r.tick, rg.width))
	}
	if hi >= 0 {
		clear(scratch[lo : hi+1]) // pooled scratch goes back all zero
	}
}

// advance moves the ring's head to slot j, emptying the slots that fall off
// its tail.
func (rg *ring) advance(j int64) {
	if j <= rg.head {
		return
	}
	n := int64(len(rg.slots))
	for old := rg.head - n + 1; old < min(j-n+1, rg.head+1); old++ {
		s := &rg.slots[bucket.Slot(old, n)]
		if s.hi >= s.lo {
			clear(s.counts[s.lo : s.hi+1])
		}
		*s = emptySlot(s.counts)
	}
	rg.head = j
}

// Cumulative returns the histogram of every value recorded since the
// recorder was created, whatever its time (late ones included), up to now:
// a cumulative histogram that only grows, for exporters whose backends
// compute rates and sums across replicas. States added by Add are not in
// it, so that it starts from zero with the process, as backends expect.
// It costs one copy of the counts (27 KiB at the defaults) and never
// touches the recording path.
func (r *Recorder) Cumulative() *Snapshot {
	counts := make([]uint64, r.lay.countsLen)
	r.mu.Lock()
	defer r.mu.Unlock()
	copy(counts, r.cum)
	extra := r.cumX
	r.addHot(counts, &extra)
	s := newSnapshot(r.lay, counts)
	s.underflow, s.overflow, s.invalid = extra.underflow, extra.overflow, extra.invalid
	return s
}

// addHot adds what the current tick's histograms hold to counts and extra.
func (r *Recorder) addHot(counts []uint64, extra *slot) {
	for _, h := range r.hot {
		r.readHot(h, counts, extra, false)
	}
}

// Windows returns the windows the recorder keeps, shortest first.
func (r *Recorder) Windows() []time.Duration { return r.Config().Windows }

// Snapshot returns the histogram of the values recorded in the window ending
// now; see SnapshotAt.
func (r *Recorder) Snapshot(window time.Duration) (*Snapshot, error) {
	return r.SnapshotAt(r.present(), window)
}

// SnapshotAt returns the histogram of the values recorded in the window
// (t − window, t]. The window is served by the shortest configured window at
// least as long, and rounded outward to that window's slots (a sixth of it):
// it covers every slot that overlaps it. It fails with ErrInvalidWindow when
// window is not positive or longer than the longest configured window.
func (r *Recorder) SnapshotAt(t time.Time, window time.Duration) (*Snapshot, error) {
	var rg *ring
	for k := range r.rings {
		if r.rings[k].window >= window {
			rg = &r.rings[k]
			break
		}
	}
	if window <= 0 || rg == nil {
		return nil, fmt.Errorf("%w: window %v is not in (0, %v]", ErrInvalidWindow, window, r.config.Windows[len(r.config.Windows)-1])
	}
	hi, ok := r.index(t)
	if !ok {
		return nil, fmt.Errorf("%w: time %v is outside the years 1678–2262", ErrInvalidWindow, t)
	}
	b := t.UnixNano()
	a := b - int64(window)
	counts := make([]uint64, r.lay.countsLen)
	var extra slot

	r.mu.Lock()
	defer r.mu.Unlock()
	n := int64(len(rg.slots))
	for j := max(bucket.FloorDiv(a, rg.width), rg.head-n+1); j <= min(bucket.FloorDiv(b, rg.width), rg.head); j++ {
		s := &rg.slots[bucket.Slot(j, n)]
		for k := s.lo; k <= s.hi; k++ {
			counts[k] += uint64(s.counts[k])
		}
		extra.addOut(s)
	}
	if h := r.hotIdx.Load(); bucket.FloorDiv(a, r.tick) <= h && h <= hi {
		r.addHot(counts, &extra)
	}
	s := newSnapshot(r.lay, counts)
	s.underflow, s.overflow, s.invalid, s.saturated = extra.underflow, extra.overflow, extra.invalid, extra.saturated
	return s, nil
}
