package sli

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nines-slo/nines/internal/bucket"
	"github.com/nines-slo/nines/internal/rotation"
	"github.com/nines-slo/nines/internal/shard"
)

// series is the rolling storage behind every recording SLI: good and bad
// counts in time buckets.
//
// Recording is lock-free. Events of the current fine bucket go to per-core
// hot counters (one atomic add on a cache line no other core writes, most of
// the time). When the bucket ends, the hot counters are swapped to zero and
// their sums folded into the fine ring; fine buckets older than FineSpan are
// folded into the coarse ring; coarse buckets older than the retention are
// dropped. Everything but the hot counters is guarded by mu, which only the
// cold paths take: reads, rotation, and events recorded at a time outside the
// current bucket.
//
// Each event is added once, to one counter, so it is in exactly one bucket.
// An event recorded at the instant a bucket ends may be counted in the next
// bucket; it is never lost or counted twice. Good and bad are counted
// separately and valid is their sum, so no interleaving can make good exceed
// valid.
type series struct {
	// Read on every record.
	hot    []hotShard
	mask   uint32
	hotIdx atomic.Int64 // the fine bucket the hot counters are counting
	fine   int64        // fine bucket width, ns
	now    func() time.Time

	unknown  atomic.Uint64
	negative atomic.Uint64
	future   atomic.Uint64

	storage Storage
	ratio   int64 // fine buckets per coarse bucket

	mu         sync.Mutex
	fineRing   []cell // fine buckets fineHead-len+1 … fineHead
	fineHead   int64
	coarseRing []cell // coarse buckets coarseHead-len+1 … coarseHead
	coarseHead int64
	folded     Totals          // everything no longer in the hot counters
	added      cell            // good and bad events that came from states (addState)
	addedInv   uint64          // not-valid events that came from states
	timer      *rotation.Timer // nil with an injected clock
}

// hotShard holds one core's counts for the current bucket, alone on its
// cache lines.
type hotShard struct {
	good, bad, invalid atomic.Uint64
	_                  [shard.CacheLine - 24]byte
}

// cell is one bucket.
type cell struct{ good, bad uint64 }

func (c *cell) add(o cell) { c.good += o.good; c.bad += o.bad }

func newSeries(c config) (*series, error) {
	st, err := c.storage.withDefaults()
	if err != nil {
		return nil, err
	}
	n := shard.Count()
	s := &series{
		hot:        make([]hotShard, n),
		mask:       uint32(n - 1),
		fine:       int64(st.Fine),
		now:        c.now,
		storage:    st,
		ratio:      int64(st.Coarse / st.Fine),
		fineRing:   make([]cell, st.fineBuckets()),
		coarseRing: make([]cell, st.coarseBuckets()),
	}
	now := s.clock()
	i, ok := s.index(now)
	if !ok {
		return nil, fmt.Errorf("sli: clock reads %v, outside the years 1678–2262", now)
	}
	s.hotIdx.Store(i)
	s.fineHead = i - 1
	s.coarseHead = bucket.FloorDiv(s.fineHead-int64(len(s.fineRing)), s.ratio)
	if s.now == nil {
		// The timer holds s weakly: an SLI nobody references is collected,
		// timer and all. No goroutine runs between ticks.
		s.timer = rotation.Start(s, st.Fine, (*series).tickAt)
	}
	return s, nil
}

func (s *series) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// present is the end of the windows of the now-forms: the clock's time, or
// the start of the current bucket if the clock reads earlier (a wall clock
// that stepped back after a rotation), so that the current bucket is always
// in them.
func (s *series) present() time.Time {
	return bucket.Present(s.clock(), s.hotIdx.Load(), s.fine)
}

// index returns the fine bucket holding t, and false if t is outside the
// range of Unix nanoseconds.
func (s *series) index(t time.Time) (int64, bool) { return bucket.Index(t, s.fine) }

// add counts one event in the current bucket: the hot path.
func (s *series) add(o Outcome) { s.addOn(shard.Proc(), o) }

// addOn counts one event in the current bucket, on processor p's shard.
func (s *series) addOn(p uint32, o Outcome) {
	h := &s.hot[p&s.mask]
	switch o {
	case Good:
		h.good.Add(1)
	case Bad:
		h.bad.Add(1)
	case Invalid:
		h.invalid.Add(1)
	default:
		s.unknown.Add(1)
		h.invalid.Add(1)
	}
}

// addAt counts one event at time t.
func (s *series) addAt(t time.Time, o Outcome) {
	i, ok := s.index(t)
	if ok && i == s.hotIdx.Load() {
		s.add(o)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.hotIdx.Load(); ok && i >= h {
		to, future := bucket.Forward(i, h, s.clock(), s.fine)
		if future {
			s.future.Add(1)
		}
		if to > h {
			s.rotateLocked(to)
		}
		s.add(o)
		return
	}
	// A time before the current bucket (a clock that stepped back, a
	// replayed event) or outside the representable years.
	switch o {
	case Good:
		s.folded.Good++
	case Bad:
		s.folded.Bad++
	default:
		// Not valid: only the totals keep it, whatever its time.
		if o != Invalid {
			s.unknown.Add(1)
		}
		s.folded.Invalid++
		return
	}
	if !ok {
		s.folded.OutOfRange++
		return
	}
	c := cell{good: 1}
	if o == Bad {
		c = cell{bad: 1}
	}
	s.addCellLocked(i, c)
}

// rotateLocked makes bucket i (later than the current one) current, folding
// the hot counters into the bucket they were counting.
func (s *series) rotateLocked(i int64) {
	old := s.hotIdx.Load()
	// Publish the new bucket first: from here on a recorder with a time in
	// the old bucket takes the slow path and waits for mu.
	s.hotIdx.Store(i)
	var c cell
	var invalid uint64
	for k := range s.hot {
		h := &s.hot[k]
		c.good += h.good.Swap(0)
		c.bad += h.bad.Swap(0)
		invalid += h.invalid.Swap(0)
	}
	s.folded.Good += c.good
	s.folded.Bad += c.bad
	s.folded.Invalid += invalid
	s.addCellLocked(old, c)
	// Keep the rings ending right before the current bucket, so that data
	// older than the retention (relative to now) is gone.
	s.advanceFineLocked(i - 1)
}

// addCellLocked adds c to bucket i, which is before the current bucket.
func (s *series) addCellLocked(i int64, c cell) {
	if i > s.fineHead {
		s.advanceFineLocked(i)
	}
	n := int64(len(s.fineRing))
	if i > s.fineHead-n {
		s.fineRing[bucket.Slot(i, n)].add(c)
		return
	}
	s.addCoarseLocked(bucket.FloorDiv(i, s.ratio), c)
}

// addCoarseLocked adds c to coarse bucket j, which the coarse ring's head
// has reached.
func (s *series) addCoarseLocked(j int64, c cell) {
	n := int64(len(s.coarseRing))
	if j <= s.coarseHead-n {
		s.folded.OutOfRange += c.good + c.bad
		return
	}
	s.coarseRing[bucket.Slot(j, n)].add(c)
}

// advanceFineLocked moves the fine ring's head to bucket to, folding the
// buckets that fall off its tail into the coarse ring, and moves the coarse
// ring along so that it ends where the fine ring begins.
func (s *series) advanceFineLocked(to int64) {
	if to <= s.fineHead {
		return
	}
	n := int64(len(s.fineRing))
	tail := s.fineHead - n + 1
	newTail := to - n + 1
	for old := tail; old < min(newTail, s.fineHead+1); old++ {
		slot := &s.fineRing[bucket.Slot(old, n)]
		if *slot != (cell{}) {
			j := bucket.FloorDiv(old, s.ratio)
			s.advanceCoarseLocked(j)
			s.addCoarseLocked(j, *slot)
			*slot = cell{}
		}
	}
	s.advanceCoarseLocked(bucket.FloorDiv(newTail-1, s.ratio))
	s.fineHead = to
}

// advanceCoarseLocked moves the coarse ring's head to bucket to, dropping
// the buckets that fall off its tail: they are older than the retention.
func (s *series) advanceCoarseLocked(to int64) {
	if to <= s.coarseHead {
		return
	}
	n := int64(len(s.coarseRing))
	for old := s.coarseHead - n + 1; old < min(to-n+1, s.coarseHead+1); old++ {
		s.coarseRing[bucket.Slot(old, n)] = cell{}
	}
	s.coarseHead = to
}

// countsAt sums the buckets that overlap the window (t−w, t].
func (s *series) countsAt(t time.Time, w time.Duration) (Counts, error) {
	if w <= 0 || w > s.storage.Retention {
		return Counts{}, fmt.Errorf("%w: window %v is not in (0, %v], the retention", ErrInvalidWindow, w, s.storage.Retention)
	}
	hi, ok := s.index(t)
	lo, ok2 := s.index(t.Add(-w))
	if !ok || !ok2 {
		return Counts{}, fmt.Errorf("%w: time %v is outside the years 1678–2262", ErrInvalidWindow, t)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var c cell
	if h := s.hotIdx.Load(); lo <= h && h <= hi {
		for k := range s.hot {
			c.good += s.hot[k].good.Load()
			c.bad += s.hot[k].bad.Load()
		}
	}
	nf := int64(len(s.fineRing))
	fineStart := s.fineHead - nf + 1
	sumRing(&c, s.fineRing, max(lo, fineStart), min(hi, s.fineHead))
	if lo < fineStart {
		nc := int64(len(s.coarseRing))
		jlo := max(bucket.FloorDiv(lo, s.ratio), s.coarseHead-nc+1)
		jhi := min(bucket.FloorDiv(min(hi, fineStart-1), s.ratio), s.coarseHead)
		sumRing(&c, s.coarseRing, jlo, jhi)
	}
	return Counts{Good: float64(c.good), Valid: float64(c.good + c.bad)}, nil
}

// sumRing adds the buckets from..to (inclusive, absolute indices) of ring,
// at most one full turn of it.
func sumRing(c *cell, ring []cell, from, to int64) {
	if from > to {
		return
	}
	n := int64(len(ring))
	count := min(to-from+1, n)
	k := bucket.Slot(from, n)
	first := ring[k:min(k+count, n)]
	sumCells(c, first)
	sumCells(c, ring[:count-int64(len(first))])
}

func sumCells(c *cell, cells []cell) {
	var g, b uint64
	for i := range cells {
		g += cells[i].good
		b += cells[i].bad
	}
	c.good += g
	c.bad += b
}

// totals returns the cumulative counts.
func (s *series) totals() Totals {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.totalsLocked()
}

func (s *series) totalsLocked() Totals {
	t := s.folded
	for k := range s.hot {
		t.Good += s.hot[k].good.Load()
		t.Bad += s.hot[k].bad.Load()
		t.Invalid += s.hot[k].invalid.Load()
	}
	t.Unknown = s.unknown.Load()
	t.Negative = s.negative.Load()
	t.Future = s.future.Load()
	return t
}

// recorded returns the good and valid events recorded into the series
// itself: its totals less what states added.
func (s *series) recorded() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.totalsLocked()
	good := t.Good - s.added.good
	return Counts{Good: float64(good), Valid: float64(good + t.Bad - s.added.bad)}
}

// events returns how many events, valid or not, were recorded into the
// series itself: its totals less what states added.
func (s *series) events() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.totalsLocked()
	return t.Good + t.Bad + t.Invalid - s.added.good - s.added.bad - s.addedInv
}

// tickAt rotates to the bucket of now if it is later than the current one.
// The rotation timer calls it at each bucket boundary.
func (s *series) tickAt(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.index(now); ok && i > s.hotIdx.Load() {
		s.rotateLocked(i)
	}
}
