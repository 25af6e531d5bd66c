package histogram

import (
	"fmt"
	"math"
	"time"

	"github.com/nines-slo/nines/internal/access"
	"github.com/nines-slo/nines/internal/bucket"
	"github.com/nines-slo/nines/internal/rotation"
	"github.com/nines-slo/nines/internal/shard"
	"github.com/nines-slo/nines/internal/window"
)

// Recorder records durations into HDR histograms and answers for recent
// windows of time: the p99 of the last minute, of the last hour.
//
// Values go into the current tick's histograms, one per core (up to four;
// more cores share them), allocated a page of 32 counters at a time;
// recording is one atomic add, lock-free and allocation-free once the page
// of a value's bucket exists. At every tick the current histograms are
// folded into a closed cell, kept compactly (only its non-zero buckets,
// one or two bytes each for the body of a distribution, or each count's
// difference from its neighbour's in a busy cell). Cells widen as they age: each window keeps cells a tenth
// of its length, so a window's far edge is rounded to the nearest cell
// boundary, within 5% of the window (see [Config.Windows]).
//
// Memory follows what is recorded: per window, ten cells of the non-zero
// buckets they saw; the current histograms' pages (128 bytes per 32
// buckets reached, per histogram); and the cumulative histogram, kept
// compact too. A middleware route with windows of 5 minutes and an hour
// takes about 61 KiB after an hour at 100 requests a second
// (slo/middleware's BenchmarkRouteMemory).
// The current histograms' 32-bit counters would wrap only past 4 billion
// values in one of them in one tick, which only a frozen injected clock
// allows.
//
// A Recorder is safe for concurrent use. Build one with [NewRecorder]; the
// zero value is not usable.
type Recorder struct {
	lay    layout
	hot    hotPages
	mask   uint32
	st     *window.Store[acc]
	codec  *cellCodec
	now    func() time.Time
	config Config

	// Guarded by st.Mu.
	cum    []byte // every value recorded, not counting the hot slots, as one cell
	late   uint64 // values recorded at a time older than every window
	future uint64 // values recorded at a time after the present
	timer  *rotation.Timer
}

const maxHotSlots = 4

// recorderHot is the recorder's view of its current histograms for the
// store.
type recorderHot Recorder

func (h *recorderHot) Take(a *acc) { h.hot.read(&h.lay, a, true) }

func (h *recorderHot) Peek(a *acc) { h.hot.read(&h.lay, a, false) }

// NewRecorder returns a recorder for c. It fails with [ErrInvalidConfig] for
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
		hot:    newHotPages(n, lay.countsLen+hotExtra),
		mask:   uint32(n - 1),
		codec:  &cellCodec{n: lay.countsLen},
		now:    o.now,
		config: c,
	}
	levels := c.levels()
	now := r.clock()
	i, ok := bucket.Index(now, int64(levels[0].Width))
	if !ok {
		return nil, fmt.Errorf("histogram: clock reads %v, outside the years 1678–2262", now)
	}
	r.st = window.New[acc](r.codec, (*recorderHot)(r), levels, i)
	r.st.OnRotate = r.fold
	if r.now == nil {
		r.timer = rotation.Start(r, levels[0].Width, (*Recorder).tickAt)
	}
	return r, nil
}

// fold adds what a rotation took from the current histograms to the
// cumulative histogram. The store calls it under its Mu.
func (r *Recorder) fold(a *acc) {
	if a.isZero() {
		return
	}
	b := borrowAcc(r.lay.countsLen)
	defer b.release()
	if r.cum != nil {
		r.codec.Add(b, r.cum)
	}
	a.each(b.addAt)
	b.underflow += a.underflow
	b.overflow += a.overflow
	b.invalid += a.invalid
	r.cum = r.codec.Append(r.cum[:0], b)
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

func (r *Recorder) index(t time.Time) (int64, bool) { return bucket.Index(t, r.st.Tick()) }

// Record counts one duration, now. Durations below the range are counted at
// its lowest value and in Underflow, above it at its highest and in
// Overflow; negative durations are counted in Invalid only. With an
// injected clock that reads earlier than the current tick (it stepped
// back), the duration is counted in the current tick.
func (r *Recorder) Record(d time.Duration) {
	if r.now != nil {
		r.recordNow(r.now(), d)
		return
	}
	r.record(d)
}

func init() {
	access.HistogramCumulativeEach = func(r any, f func(lo, hi time.Duration, n uint64)) {
		r.(*Recorder).eachCumulative(f)
	}
	access.HistogramRecordOn = func(r any, p uint32, d time.Duration) {
		h := r.(*Recorder)
		if h.now != nil {
			h.recordNow(h.now(), d)
			return
		}
		h.recordOn(p, d)
	}
}

// record counts d in the current tick: the hot path.
func (r *Recorder) record(d time.Duration) { r.recordOn(shard.Proc(), d) }

// recordOn counts d in the current tick of processor p's shard.
func (r *Recorder) recordOn(p uint32, d time.Duration) {
	r.hot.counter(uint(p&r.mask), uint(r.hotIndex(int64(d)))).Add(1)
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

// recordNow counts d at t, the injected clock's now: as RecordAt, except
// that a t before the current tick is counted in it.
func (r *Recorder) recordNow(t time.Time, d time.Duration) {
	if i, ok := r.index(t); ok && i < r.st.HotIndex() {
		r.record(d)
		return
	}
	r.RecordAt(t, d)
}

// RecordAt counts one duration observed at t. A t older than every window
// is counted only by Late (and in Cumulative); a t after the present is
// counted at the present and by Future.
func (r *Recorder) RecordAt(t time.Time, d time.Duration) {
	i, ok := r.index(t)
	if ok && i == r.st.HotIndex() {
		r.record(d)
		return
	}
	r.st.Mu.Lock()
	defer r.st.Mu.Unlock()
	if h := r.st.HotIndex(); ok && i >= h {
		to, future := bucket.Forward(i, h, r.clock(), r.st.Tick())
		if future {
			r.future++
		}
		r.st.RotateLocked(to)
		r.record(d)
		return
	}
	// A time before the current tick: into the cell that holds it, and
	// into the cumulative histogram.
	one := borrowAcc(r.lay.countsLen)
	defer one.release()
	v := int64(d)
	switch {
	case v < 0:
		one.invalid = 1
	case v < r.lay.lowest:
		one.underflow = 1
		one.addAt(r.lay.index(r.lay.lowest), 1)
	case v > r.lay.highest:
		one.overflow = 1
		one.addAt(r.lay.index(r.lay.highest), 1)
	default:
		one.addAt(r.lay.index(v), 1)
	}
	r.fold(one)
	if !ok || !r.st.AddLocked(t.UnixNano(), r.codec.Append(nil, one)) {
		r.late++
	}
}

// Late returns how many values were recorded at a time older than every
// window (or outside the years 1678–2262): they are in no snapshot.
func (r *Recorder) Late() uint64 {
	r.st.Mu.Lock()
	defer r.st.Mu.Unlock()
	return r.late
}

// Future returns how many values were recorded with a time after the
// present; they were counted at the present instead.
func (r *Recorder) Future() uint64 {
	r.st.Mu.Lock()
	defer r.st.Mu.Unlock()
	return r.future
}

// end returns the end of a window read at t: t, or, when t is the present
// (not more than a tick before the clock's now), the later of t and the
// current tick's start, so that a clock that stepped back still sees every
// value recorded since.
func (r *Recorder) end(t time.Time) int64 {
	b := t.UnixNano()
	if t.After(r.clock().Add(-time.Duration(r.st.Tick()))) {
		b = max(b, r.st.HotStart())
	}
	return b
}

// tickAt rotates to the tick of now if it is later than the current one.
// The rotation timer calls it at every tick boundary.
func (r *Recorder) tickAt(now time.Time) {
	r.st.Mu.Lock()
	defer r.st.Mu.Unlock()
	if i, ok := r.index(now); ok {
		r.st.RotateLocked(i)
	}
}

// Cumulative returns the histogram of every value recorded since the
// recorder was created, whatever its time (late ones included), up to now:
// a cumulative histogram that only grows, for exporters whose backends
// compute rates and sums across replicas. States added by Add are not in
// it, so that it starts from zero with the process, as backends expect.
// It never touches the recording path.
func (r *Recorder) Cumulative() *Snapshot {
	a := r.cumulative()
	defer a.release()
	return snapshotOf(r.lay, a)
}

// cumulative returns, borrowed, an accumulator of every value recorded.
func (r *Recorder) cumulative() *acc {
	a := borrowAcc(r.lay.countsLen)
	r.st.Mu.Lock()
	defer r.st.Mu.Unlock()
	if r.cum != nil {
		r.codec.Add(a, r.cum)
	}
	(*recorderHot)(r).Peek(a)
	return a
}

// eachCumulative calls f with every non-zero bucket of the cumulative
// histogram (what Cumulative returns) in increasing order, without
// copying it into a Snapshot: for an exporter that converts it on every
// collection. f must not call r.
func (r *Recorder) eachCumulative(f func(lo, hi time.Duration, n uint64)) {
	a := r.cumulative()
	defer a.release()
	a.each(func(i int, n uint64) {
		lo := r.lay.lowestAt(i)
		f(time.Duration(lo), time.Duration(lo+r.lay.widthAt(i)-1), n)
	})
}

// Windows returns the windows the recorder keeps, shortest first.
func (r *Recorder) Windows() []time.Duration { return r.Config().Windows }

// Snapshot returns the histogram of the values recorded in the window ending
// now; see SnapshotAt.
func (r *Recorder) Snapshot(window time.Duration) (*Snapshot, error) {
	return r.SnapshotAt(r.clock(), window)
}

// SnapshotAt returns the histogram of the values recorded in the window
// (t − window, t]. The window's far edge is rounded to the nearest cell
// boundary: for one of [Config.Windows], within 5% of its length; for
// another window, at the resolution of the next longer one. A t that is the
// present ends the window at the current tick, as Record counts it; a t in
// the past ends it with the cell that holds t, whole, which may reach past
// t by up to a cell of t's age. It fails with [ErrInvalidWindow] when window is not positive or longer than
// the longest configured window.
func (r *Recorder) SnapshotAt(t time.Time, window time.Duration) (*Snapshot, error) {
	a, err := r.sum(t, window)
	if err != nil {
		return nil, err
	}
	defer a.release()
	return snapshotOf(r.lay, a), nil
}

// QuantilesAt returns the number of values recorded in the window
// (t − window, t], as SnapshotAt takes it, and the value at each quantile
// of qs, without building a Snapshot: one allocation, for the result. It
// fails as SnapshotAt does, with [ErrInvalidQuantile] for a q outside [0, 1]
// and with [ErrNoData] when the window holds no value.
func (r *Recorder) QuantilesAt(t time.Time, window time.Duration, qs []float64) (uint64, []time.Duration, error) {
	for _, q := range qs {
		if !(q >= 0 && q <= 1) {
			return 0, nil, fmt.Errorf("%w: got %v", ErrInvalidQuantile, q)
		}
	}
	a, err := r.sum(t, window)
	if err != nil {
		return 0, nil, err
	}
	defer a.release()
	if a.hi < a.lo {
		return 0, nil, ErrNoData
	}
	h := hist{lay: &r.lay, counts: a.counts[a.lo : a.hi+1], base: a.lo}
	for _, c := range h.counts {
		if h.total += c; h.total < c {
			h.total = math.MaxUint64 // only absurd restored counts get here
		}
	}
	if h.total == 0 {
		return 0, nil, ErrNoData
	}
	out := make([]time.Duration, len(qs))
	h.quantiles(qs, out)
	return h.total, out, nil
}

// sum returns a borrowed accumulator holding the window (t − window, t],
// for the caller to release.
func (r *Recorder) sum(t time.Time, window time.Duration) (*acc, error) {
	longest := r.config.Windows[len(r.config.Windows)-1]
	if window <= 0 || window > longest {
		return nil, fmt.Errorf("%w: window %v is not in (0, %v]", ErrInvalidWindow, window, longest)
	}
	if _, ok := r.index(t); !ok {
		return nil, fmt.Errorf("%w: time %v is outside the years 1678–2262", ErrInvalidWindow, t)
	}
	if _, ok := r.index(t.Add(-window)); !ok {
		return nil, fmt.Errorf("%w: window %v before %v reaches outside the years 1678–2262", ErrInvalidWindow, window, t)
	}
	a := borrowAcc(r.lay.countsLen)
	b := r.end(t)
	lo := b - int64(window)
	r.st.Mu.Lock()
	r.st.SumLocked(lo, b, a)
	if r.st.IncludesHot(lo, b) {
		(*recorderHot)(r).Peek(a)
	}
	r.st.Mu.Unlock()
	return a, nil
}
