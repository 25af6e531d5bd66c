package sli

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nines-slo/nines/internal/bucket"
	"github.com/nines-slo/nines/internal/rotation"
	"github.com/nines-slo/nines/internal/shard"
	"github.com/nines-slo/nines/internal/window"
	"github.com/nines-slo/nines/internal/wire"
)

// series is the rolling storage behind every recording SLI: good and bad
// counts in time cells, kept by a window.Store.
//
// Recording is lock-free and takes no atomic instruction: events of the
// current cell (tick wide) go to hot counters, one set per processor,
// which only that processor writes, with a plain add while the goroutine
// is pinned to it (see add and shard.Pin). The counters only grow; each
// rotation takes what they gained since the last one (see hotShard) and
// stores it as a closed cell; closed cells move to wider cells as they age
// (see ladder) and expire past the retention. A processor past the
// counters (GOMAXPROCS raised since the series was made) and an unknown
// Outcome count in a shared set, with atomic adds.
// Everything but the hot counters is guarded by the store's Mu, which only
// the cold paths take: reads, rotation, and events recorded at a time
// outside the current cell.
//
// Each event is added once, to one counter, so it is in exactly one cell.
// An event recorded at the instant a cell ends may be counted in the next
// cell; it is never lost or counted twice. Good and bad are counted
// separately and valid is their sum, so no interleaving can make good
// exceed valid.
type series struct {
	// Read on every record.
	hot hotSet // one per processor, then the shared set
	st  *window.Store[cell]
	now func() time.Time

	unknown  atomic.Uint64
	negative atomic.Uint64
	future   atomic.Uint64

	storage Storage

	// Guarded by st.Mu.
	folded   Totals          // everything no longer in the hot counters
	added    cell            // good and bad events that came from states (addState)
	addedInv uint64          // not-valid events that came from states
	timer    *rotation.Timer // nil with an injected clock

	// Exemplars of bad events recorded with a context (RecordContext).
	ex exemplars

	// A time-slice SLI's slice length in ns, and the start of the first
	// slice it counts, the oldest it holds if later (see slicesAt); 0 for
	// an SLI of events. since is guarded by st.Mu.
	slice, since int64
}

// hotSet is a series' hot counters: a hotShard per processor, then the
// shared one. The SLIs keep it beside the series too, so that a record
// loads the SLI and its processor's counters, not the series in between.
type hotSet []hotShard

// hotShard holds one processor's counts, alone on its cache lines. n only
// grows (modulo the word size: a uintptr is written whole on every
// platform, so a reader never sees half of an add); what the current cell
// holds is n less taken, the value the last rotation took.
type hotShard struct {
	n     [3]uintptr // good, bad, not valid: by Outcome − 1
	taken [3]uintptr // guarded by the store's Mu
	_     [shard.CacheLine - 6*bits.UintSize/8]byte
}

// gained returns what shard x counted since the last rotation, and, if
// take, marks it taken.
func (x *hotShard) gained(take bool) (c [3]uint64) {
	for i := range x.n {
		v := atomic.LoadUintptr(&x.n[i])
		c[i] = uint64(v - x.taken[i])
		if take {
			x.taken[i] = v
		}
	}
	return c
}

// hotCounts returns the good, bad and not valid events of the current
// cell, and, if take, marks them taken. The caller holds st.Mu.
func (s *series) hotCounts(take bool) (c [3]uint64) {
	for k := range s.hot {
		g := s.hot[k].gained(take)
		c[0], c[1], c[2] = c[0]+g[0], c[1]+g[1], c[2]+g[2]
	}
	return c
}

// cell is one time cell's counts, and the store's accumulator.
type cell struct{ good, bad uint64 }

func (c *cell) add(o cell) { c.good += o.good; c.bad += o.bad }

// tick is the width of the hot cell and of the finest closed cells.
const tick = 10 * time.Second

// ladder returns the widths and spans of the closed cells for a retention:
// 10-second cells for 25 minutes, 1-minute cells to 6 h 30 m, 15-minute
// cells beyond. A window's far edge is rounded to the nearest cell
// boundary, half a cell at most, so every window from 4 m 10 s to a day is
// exact to 2% of its length (5 s in 5 minutes, 30 s in 25 minutes, 7.5
// minutes in 6 h 15 m) and longer ones to 7.5 minutes. Every boundary on the
// 15-minute grid is a cell boundary for the whole retention: that is local
// midnight in every time zone in use, so calendar periods are exact.
func ladder(retention time.Duration) []window.Level {
	levels := []window.Level{
		{Width: tick, Span: 25 * time.Minute, Block: 30},
		{Width: time.Minute, Span: 6*time.Hour + 30*time.Minute, Block: 60},
		{Width: 15 * time.Minute, Span: retention, Block: 96},
	}
	for len(levels) > 1 && levels[len(levels)-2].Span >= retention {
		levels = levels[:len(levels)-1]
	}
	levels[len(levels)-1].Span = retention
	return levels
}

// sliceLadder is the ladder of a time-slice SLI: 10-second cells for the
// slice in progress and the one before, then cells one slice wide for the
// rest of the retention, so that every slice keeps its own counts.
func sliceLadder(retention, slice time.Duration) []window.Level {
	last := window.Level{Width: slice, Span: retention, Block: sliceBlock}
	if slice == tick {
		return []window.Level{last}
	}
	return []window.Level{{Width: tick, Span: slice, Block: int(slice / tick)}, last}
}

// sliceBlock is how many slices a block of a time-slice SLI holds: 12
// hours of 1-minute slices. A time-slice SLI keeps many more cells than
// an SLI of events, and a block costs about 90 bytes beside its cells.
const sliceBlock = 720

// began notes that a time-slice SLI holds an event at t (Unix ns), so that
// the slices from t's on count (see slicer). The caller holds st.Mu.
func (s *series) began(t int64) {
	if s.slice > 0 {
		s.since = min(s.since, bucket.FloorDiv(t, s.slice)*s.slice)
	}
}

// countCodec keeps a cell as two unsigned varints, good then bad.
type countCodec struct{}

func (countCodec) Reset(a *cell)       { *a = cell{} }
func (countCodec) IsZero(a *cell) bool { return *a == cell{} }
func (countCodec) Append(dst []byte, a *cell) []byte {
	dst = binary.AppendUvarint(dst, a.good)
	return binary.AppendUvarint(dst, a.bad)
}
func (countCodec) Add(a *cell, enc []byte) int {
	g, n := binary.Uvarint(enc)
	b, m := binary.Uvarint(enc[n:])
	a.good += g
	a.bad += b
	return n + m
}
func (countCodec) Len(enc []byte) int {
	_, n := binary.Uvarint(enc)
	_, m := binary.Uvarint(enc[n:])
	return n + m
}
func (countCodec) LenN(enc []byte, k int) int { return wire.SkipUvarints(enc, 2*k) }

// Pack keeps a closed block of cells as its first cell, then each next
// cell's differences from the one before, valid (good + bad, modulo 2^64)
// and bad, zigzag-coded and packed in as many bits as the block's largest
// difference of each needs. Steady traffic differs little from one cell
// to the next, and its valid events less than its good ones: 35 days of
// 15-minute cells at 100 events a second take about 2 bytes a cell
// instead of 4.
func (countCodec) Pack(dst, cells []byte, k int) []byte {
	var g0, b0, pg, pb uint64
	var wg, wb int
	off := 0
	for i := range k {
		g, n := binary.Uvarint(cells[off:])
		b, m := binary.Uvarint(cells[off+n:])
		off += n + m
		g += b // valid
		if i == 0 {
			g0, b0 = g, b
		} else {
			wg = max(wg, bits.Len64(zigzag(g-pg)))
			wb = max(wb, bits.Len64(zigzag(b-pb)))
		}
		pg, pb = g, b
	}
	dst = binary.AppendUvarint(dst, g0-b0)
	dst = binary.AppendUvarint(dst, b0)
	dst = append(dst, byte(wg), byte(wb))
	w := bitWriter{dst: dst}
	off, pg, pb = 0, 0, 0
	for i := range k {
		g, n := binary.Uvarint(cells[off:])
		b, m := binary.Uvarint(cells[off+n:])
		off += n + m
		g += b
		if i > 0 {
			w.put(zigzag(g-pg), wg)
			w.put(zigzag(b-pb), wb)
		}
		pg, pb = g, b
	}
	return w.dst
}

// Unpack appends the k cells of a block Pack made, as Append encodes them.
func (countCodec) Unpack(dst, p []byte, k int) []byte {
	g, n := binary.Uvarint(p)
	b, m := binary.Uvarint(p[n:])
	wg, wb := int(p[n+m]), int(p[n+m+1])
	r := bitReader{p: p[n+m+2:]}
	v := g + b
	for i := range k {
		if i > 0 {
			v += unzigzag(r.get(wg))
			b += unzigzag(r.get(wb))
		}
		dst = binary.AppendUvarint(dst, v-b)
		dst = binary.AppendUvarint(dst, b)
	}
	return dst
}

// zigzag maps a difference (modulo 2^64) to an unsigned number that is
// small when the difference is near zero either way.
func zigzag(d uint64) uint64   { return d<<1 ^ uint64(int64(d)>>63) }
func unzigzag(z uint64) uint64 { return z>>1 ^ -(z & 1) }

// bitWriter appends numbers of a given width in bits, least significant
// bit first.
type bitWriter struct {
	dst []byte
	pos uint // bits written
}

func (w *bitWriter) put(v uint64, width int) {
	for i := 0; i < width; {
		if w.pos%8 == 0 {
			w.dst = append(w.dst, 0)
		}
		bit := int(w.pos % 8)
		take := min(width-i, 8-bit)
		w.dst[len(w.dst)-1] |= byte(v>>i&(1<<take-1)) << bit
		i += take
		w.pos += uint(take)
	}
}

// bitReader reads what a bitWriter wrote.
type bitReader struct {
	p   []byte
	pos uint // bits read
}

func (r *bitReader) get(width int) uint64 {
	if i := r.pos / 8; width <= 56 && i+8 <= uint(len(r.p)) {
		// Fast path: the width's bits lie within 8 bytes from here.
		v := binary.LittleEndian.Uint64(r.p[i:]) >> (r.pos % 8) & (1<<width - 1)
		r.pos += uint(width)
		return v
	}
	var v uint64
	for i := 0; i < width; {
		bit := int(r.pos % 8)
		take := min(width-i, 8-bit)
		v |= uint64(r.p[r.pos/8]>>bit) & (1<<take - 1) << i
		i += take
		r.pos += uint(take)
	}
	return v
}

var cellPool = sync.Pool{New: func() any { return new(cell) }}

func (countCodec) Get() *cell {
	c := cellPool.Get().(*cell)
	*c = cell{}
	return c
}
func (countCodec) Put(c *cell) { cellPool.Put(c) }

// seriesHot is the series' view of its hot counters for the store.
type seriesHot series

// Take adds what the hot counters gained since the last rotation to a,
// and everything to the totals. The store calls it under its Mu.
func (h *seriesHot) Take(a *cell) {
	s := (*series)(h)
	c := s.hotCounts(true)
	a.good += c[0]
	a.bad += c[1]
	s.folded.Good += c[0]
	s.folded.Bad += c[1]
	s.folded.Invalid += c[2]
}

// Peek adds the hot good and bad counts to a.
func (h *seriesHot) Peek(a *cell) {
	c := (*series)(h).hotCounts(false)
	a.good += c[0]
	a.bad += c[1]
}

func newSeries(c config) (*series, error) {
	st, err := c.storage.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &series{
		hot:     make([]hotShard, runtime.GOMAXPROCS(0)+1),
		now:     c.now,
		storage: st,
	}
	now := s.clock()
	i, ok := bucket.Index(now, int64(tick))
	if !ok {
		return nil, fmt.Errorf("%w: the clock reads %v, outside the years 1678–2262", ErrInvalidConfig, now)
	}
	levels := ladder(st.Retention)
	if c.slice > 0 {
		s.slice = int64(c.slice)
		s.since = bucket.FloorDiv(i*int64(tick), s.slice) * s.slice
		levels = sliceLadder(st.Retention, c.slice)
	}
	s.st = window.New[cell](countCodec{}, (*seriesHot)(s), levels, i)
	s.st.OnExpire = func(enc []byte) {
		var c cell
		countCodec{}.Add(&c, enc)
		s.folded.Expired += c.good + c.bad
	}
	if s.now == nil {
		// The timer holds s weakly: an SLI nobody references is collected,
		// timer and all. No goroutine runs between ticks.
		s.timer = rotation.Start(s, tick, (*series).tickAt)
	}
	return s, nil
}

func (s *series) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// index returns the cell holding t, and false if t is outside the range of
// Unix nanoseconds.
func (s *series) index(t time.Time) (int64, bool) { return bucket.Index(t, int64(tick)) }

// add counts one event in the current cell: the hot path.
func (s *series) add(o Outcome) {
	p := uint(shard.Pin())
	ok := s.hot.addPinned(p, o)
	shard.Unpin()
	if !ok {
		s.addShared(o)
	}
}

// addPinned counts one event in the current cell on processor p's
// counters, p being the processor the caller is pinned to (shard.Pin): a
// plain add, since no other goroutine writes them meanwhile. It reports
// false, counting nothing, for an Outcome other than Good, Bad or Invalid
// and for a p past the counters, which the caller counts with addShared
// once unpinned. The race detector cannot see the add (it would report
// the plain write that the rotation's atomic load races with, by design).
//
//go:norace
func (h hotSet) addPinned(p uint, o Outcome) bool {
	i := uint(o) - 1
	if i >= 3 || p >= uint(len(h)-1) {
		return false
	}
	h[p].n[i]++
	return true
}

// keep keeps ctx's sampled span, if any, as an exemplar of a bad event
// of duration d (zero: none).
func (s *series) keep(ctx context.Context, d time.Duration) {
	cell := s.st.HotIndex()
	if spent(s.ex.looks.Load(), cell) {
		return // the cell's looks are spent: the common case in an outage
	}
	s.ex.keep(ctx, cell, s.now, d)
}

// addShared counts one event in the current cell on the shared counters,
// an Outcome other than Good, Bad or Invalid as not valid and unknown.
func (s *series) addShared(o Outcome) {
	i := uint(o) - 1
	if i >= 3 {
		s.unknown.Add(1)
		i = 2
	}
	atomic.AddUintptr(&s.hot[len(s.hot)-1].n[i], 1)
}

// addNow counts one event at t, the injected clock's now: as addAt, except
// that a t before the current cell (a clock that stepped back) is counted
// in the current cell, so that windows ending now see it.
func (s *series) addNow(t time.Time, o Outcome) {
	if i, ok := s.index(t); ok && i < s.st.HotIndex() {
		s.add(o)
		return
	}
	s.addAt(t, o)
}

// addAt counts one event at time t.
func (s *series) addAt(t time.Time, o Outcome) {
	i, ok := s.index(t)
	if ok && i == s.st.HotIndex() {
		s.add(o)
		return
	}
	s.st.Mu.Lock()
	defer s.st.Mu.Unlock()
	if h := s.st.HotIndex(); ok && i >= h {
		to, future := bucket.Forward(i, h, s.clock(), int64(tick))
		if future {
			s.future.Add(1)
		}
		s.st.RotateLocked(to)
		s.add(o)
		return
	}
	// A time before the current cell (a replayed event) or outside the
	// representable years.
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
	c := cell{good: 1}
	if o == Bad {
		c = cell{bad: 1}
	}
	if !ok || !s.st.AddLocked(t.UnixNano(), countCodec{}.Append(nil, &c)) {
		s.folded.OutOfRange++
		return
	}
	s.began(t.UnixNano())
}

// end returns the end of a window read at t: t itself, or, when t is the
// present (not more than a tick before the clock's now), the later of t and
// the current cell's start, so that a clock that stepped back still sees
// every event recorded since.
func (s *series) end(t time.Time) int64 {
	b := t.UnixNano()
	if t.After(s.clock().Add(-tick)) {
		b = max(b, s.st.HotStart())
	}
	return b
}

// countsAt sums the cells the window (t−w, t] takes.
func (s *series) countsAt(t time.Time, w time.Duration) (Counts, error) {
	if w <= 0 || w > s.storage.Retention {
		return Counts{}, fmt.Errorf("%w: window %v is not in (0, %v], the retention", ErrInvalidWindow, w, s.storage.Retention)
	}
	if _, ok := s.index(t); !ok {
		return Counts{}, fmt.Errorf("%w: time %v is outside the years 1678–2262", ErrInvalidWindow, t)
	}
	if _, ok := s.index(t.Add(-w)); !ok {
		return Counts{}, fmt.Errorf("%w: window %v before %v reaches outside the years 1678–2262", ErrInvalidWindow, w, t)
	}
	b := s.end(t)
	a := b - int64(w)
	c := countCodec{}.Get() // pooled: the store's interfaces would move a local to the heap
	defer countCodec{}.Put(c)
	s.st.Mu.Lock()
	defer s.st.Mu.Unlock()
	s.st.SumLocked(a, b, c)
	if s.st.IncludesHot(a, b) {
		(*seriesHot)(s).Peek(c)
	}
	return Counts{Good: float64(c.good), Valid: float64(c.good + c.bad)}, nil
}

// checkWindows refuses windows (t−ws[i], t] the series cannot read: not
// positive, longer than the retention, or reaching outside the years a
// time can hold.
func (s *series) checkWindows(t time.Time, ws []time.Duration) error {
	for _, w := range ws {
		if w <= 0 || w > s.storage.Retention {
			return fmt.Errorf("%w: window %v is not in (0, %v], the retention", ErrInvalidWindow, w, s.storage.Retention)
		}
		if _, ok := s.index(t.Add(-w)); !ok {
			return fmt.Errorf("%w: window %v before %v reaches outside the years 1678–2262", ErrInvalidWindow, w, t)
		}
	}
	if _, ok := s.index(t); !ok {
		return fmt.Errorf("%w: time %v is outside the years 1678–2262", ErrInvalidWindow, t)
	}
	return nil
}

// countsManyAt sums the windows (t−ws[i], t] into good[i] and valid[i],
// in one pass over the cells (see window.Store.SumsLocked).
func (s *series) countsManyAt(t time.Time, ws []time.Duration, good, valid []float64) error {
	if err := s.checkWindows(t, ws); err != nil {
		return err
	}
	// The windows shortest first: order, their starts as and their sums
	// cells in that order.
	buf := make([]int64, 2*len(ws))
	order, as := buf[:len(ws)], buf[len(ws):]
	for i := range order {
		order[i] = int64(i)
	}
	slices.SortFunc(order, func(i, j int64) int { return cmp.Compare(ws[i], ws[j]) })
	b := s.end(t)
	for k, i := range order {
		as[k] = b - int64(ws[i])
	}
	cells := make([]cell, len(ws))
	s.st.Mu.Lock()
	defer s.st.Mu.Unlock()
	s.st.SumsLocked(as, b, cells)
	var hot, sum cell
	(*seriesHot)(s).Peek(&hot)
	for k, i := range order {
		sum.add(cells[k])
		c := sum
		if s.st.IncludesHot(as[k], b) {
			c.add(hot)
		}
		good[i], valid[i] = float64(c.good), float64(c.good+c.bad)
	}
	return nil
}

// totals returns the cumulative counts.
func (s *series) totals() Totals {
	s.st.Mu.Lock()
	defer s.st.Mu.Unlock()
	return s.totalsLocked()
}

func (s *series) totalsLocked() Totals {
	t := s.folded
	c := s.hotCounts(false)
	t.Good += c[0]
	t.Bad += c[1]
	t.Invalid += c[2]
	t.Unknown = s.unknown.Load()
	t.Negative = s.negative.Load()
	t.Future = s.future.Load()
	return t
}

// recorded returns the good and valid events recorded into the series
// itself: its totals less what states added.
func (s *series) recorded() Counts {
	s.st.Mu.Lock()
	defer s.st.Mu.Unlock()
	t := s.totalsLocked()
	good := t.Good - s.added.good
	return Counts{Good: float64(good), Valid: float64(good + t.Bad - s.added.bad)}
}

// events returns how many events, valid or not, were recorded into the
// series itself: its totals less what states added.
func (s *series) events() uint64 {
	s.st.Mu.Lock()
	defer s.st.Mu.Unlock()
	t := s.totalsLocked()
	return t.Good + t.Bad + t.Invalid - s.added.good - s.added.bad - s.addedInv
}

// tickAt rotates to the cell of now if it is later than the current one.
// The rotation timer calls it at each cell boundary.
func (s *series) tickAt(now time.Time) {
	s.st.Mu.Lock()
	defer s.st.Mu.Unlock()
	if i, ok := s.index(now); ok {
		s.st.RotateLocked(i)
	}
}
