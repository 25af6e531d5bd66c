package sli

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/nines-slo/nines/internal/bucket"
	"github.com/nines-slo/nines/internal/shard"
)

// EmptySlices is what a time slice without valid events counts as.
type EmptySlices uint8

// What an empty slice counts as. Slices before the SLI began (its creation,
// or the oldest event a replay or a restored state brought) and slices
// older than the retention, which it no longer holds, are never counted,
// whatever the policy.
const (
	// EmptyNotValid leaves an empty slice out of both counts, as a
	// request-based SLI leaves out a minute without requests: nothing was
	// asked, so nothing was promised. The default.
	EmptyNotValid EmptySlices = iota
	// EmptyGood counts an empty slice good: a quiet minute is an available
	// one.
	EmptyGood
	// EmptyBad counts an empty slice bad: for a service that must always
	// have traffic (a heartbeat, a queue consumer), silence is an outage.
	EmptyBad
)

// String returns "not valid", "good" or "bad".
func (e EmptySlices) String() string {
	switch e {
	case EmptyNotValid:
		return "not valid"
	case EmptyGood:
		return "good"
	case EmptyBad:
		return "bad"
	}
	return "EmptySlices(" + strconv.Itoa(int(e)) + ")"
}

// DefaultSlice is the slice length of a time-slice SLI unless [WithSlice]
// says otherwise.
const DefaultSlice = time.Minute

// Slicing describes a time-slice SLI: how long its slices are, what makes
// one good, and what an empty one counts as. A Slicing is a plain value.
type Slicing struct {
	// Length is the slices' length. Slices are aligned on the Unix epoch;
	// a length that divides 15 minutes (the default minute does) also
	// starts a slice at local midnight in every time zone in use.
	Length time.Duration
	// Empty is what a slice without valid events counts as.
	Empty EmptySlices
	// MinGood is the fraction of a slice's valid events that must be good
	// for the slice to be good: a [RatioSlices]' threshold, or a
	// [LatencySlices]' percentile as a fraction (0.99 for p99).
	MinGood float64
	// Threshold is a [LatencySlices]' latency threshold: its slice is good
	// when the MinGood percentile of its latencies is at most Threshold.
	// Zero for a RatioSlices.
	Threshold time.Duration
}

// String describes what makes a slice good: "p99 ≤ 300ms in each 1m0s
// slice", "≥ 95% good in each 1m0s slice".
func (s Slicing) String() string {
	pct := strconv.FormatFloat(s.MinGood*100, 'f', -1, 64)
	if s.Threshold > 0 {
		return "p" + pct + " ≤ " + s.Threshold.String() + " in each " + s.Length.String() + " slice"
	}
	return "≥ " + pct + "% good in each " + s.Length.String() + " slice"
}

// SliceSource is a Source whose counts are time slices rather than events:
// CountsAt returns the good and valid slices of a window. Objectives over
// one report its Slicing and events, and exporters know not to treat its
// counts as events. RatioSlices and LatencySlices are SliceSources.
type SliceSource interface {
	Source
	Slicing() Slicing
	// EventsAt returns the good and valid events in the slices that
	// CountsAt counts for the same window.
	EventsAt(t time.Time, window time.Duration) (Counts, error)
}

var (
	_ SliceSource = (*RatioSlices)(nil)
	_ SliceSource = (*LatencySlices)(nil)
	_ Stateful    = (*RatioSlices)(nil)
	_ Stateful    = (*LatencySlices)(nil)
	_ Counted     = (*RatioSlices)(nil)
	_ Counted     = (*LatencySlices)(nil)
)

// WithSlice sets a time-slice SLI's slice length: a multiple of 10
// seconds that divides the day (10s, 1m, 5m, 15m, 1h, …), shorter than
// the retention. Zero keeps [DefaultSlice].
func WithSlice(d time.Duration) SlicesOption {
	return optionFunc(func(c *config) { c.slice = d })
}

// WithEmptySlices sets what a slice without valid events counts as;
// the default is [EmptyNotValid].
func WithEmptySlices(e EmptySlices) SlicesOption {
	return optionFunc(func(c *config) { c.empty = e })
}

// validSlice reports whether d is a slice length: a multiple of the tick
// that divides the day.
func validSlice(d time.Duration) bool {
	return d >= tick && d%tick == 0 && (24*time.Hour)%d == 0
}

// newSlicedSeries returns the series of a time-slice SLI judged by minGood
// (and threshold, for latencies), with its Slicing.
func newSlicedSeries(c config, minGood float64, threshold time.Duration) (*series, Slicing, error) {
	c.slice = cmp.Or(c.slice, DefaultSlice)
	st, err := c.storage.withDefaults()
	if err != nil {
		return nil, Slicing{}, err
	}
	switch {
	case !validSlice(c.slice):
		return nil, Slicing{}, fmt.Errorf("%w: Slice %v is not a multiple of %v that divides the day", ErrInvalidConfig, c.slice, tick)
	case c.slice >= st.Retention:
		return nil, Slicing{}, fmt.Errorf("%w: Slice %v is not shorter than the retention %v", ErrInvalidConfig, c.slice, st.Retention)
	case st.Retention/c.slice > maxCells:
		return nil, Slicing{}, fmt.Errorf("%w: Retention %v needs more than %d slices of %v", ErrInvalidConfig, st.Retention, maxCells, c.slice)
	case c.empty > EmptyBad:
		return nil, Slicing{}, fmt.Errorf("%w: EmptySlices %v", ErrInvalidConfig, c.empty)
	}
	s, err := newSeries(c)
	if err != nil {
		return nil, Slicing{}, err
	}
	s.st.Memo = tallySlices(minGood)
	return s, Slicing{Length: c.slice, Empty: c.empty, MinGood: minGood, Threshold: threshold}, nil
}

// sliceCounts are the slices of one window and the events in them.
type sliceCounts struct {
	slices, events Counts
	full           float64 // slices with valid events, good or bad
}

// add adds the slices and events of b to a.
func (a *sliceCounts) add(b sliceCounts) {
	a.slices.Good += b.slices.Good
	a.slices.Valid += b.slices.Valid
	a.events.Good += b.events.Good
	a.events.Valid += b.events.Valid
	a.full += b.full
}

// judgeSlice judges a slice on the sum of its cells c: full when it holds
// valid events, and then good when at least minGood of them are good. A
// slice without valid events is empty, whatever bytes its cells are, so
// that a window reads it alike cell by cell and from its block's tally,
// and counts it as its empty-slice policy says.
func judgeSlice(c cell, minGood float64) (full, good bool) {
	v := c.good + c.bad
	if v == 0 {
		return false, false
	}
	return true, float64(c.good)/float64(v) >= minGood
}

// slicesAt counts the windows (t − ws[i], t] of a time-slice series into
// out[i]. A window holds the slices that end in it, so a window of n
// slices' length holds n slices, whatever t; the slice in progress at t
// is not counted until it ends. A slice is judged on all its events at
// once (its cells summed), so a slice that a restore or a merge completes
// is judged on all of them.
func (s *series) slicesAt(t time.Time, ws []time.Duration, sl Slicing, out []sliceCounts) error {
	if err := s.checkWindows(t, ws); err != nil {
		return err
	}
	L := s.slice
	b := t.UnixNano()
	lastEnd := bucket.FloorDiv(b, L) * L
	// The windows shortest first; firstEnd[k] is the end of the oldest
	// slice the k-th shortest holds, latest first.
	order := make([]int, len(ws))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return cmp.Compare(ws[i], ws[j]) })
	firstEnd := make([]int64, len(ws))
	for k, i := range order {
		firstEnd[k] = bucket.FloorDiv(b-int64(ws[i]), L)*L + L
	}
	acc := make([]sliceCounts, len(ws))
	from := firstEnd[len(ws)-1] - L
	var cur cell
	curStart, have := int64(0), false
	j := len(ws) // the shortest window that holds the slice before
	judge := func() {
		if !have {
			return
		}
		have = false
		for e := curStart + L; j > 0 && e >= firstEnd[j-1]; {
			j--
		}
		full, good := judgeSlice(cur, sl.MinGood)
		if j == len(ws) || !full {
			return
		}
		one := sliceCounts{slices: Counts{Valid: 1}, events: Counts{Good: float64(cur.good), Valid: float64(cur.good + cur.bad)}, full: 1}
		if good {
			one.slices.Good = 1
		}
		acc[j].add(one)
	}
	visit := func(start int64, c cell) {
		if st := bucket.FloorDiv(start, L) * L; !have || st != curStart {
			judge()
			cur, curStart, have = cell{}, st, true
		}
		cur.add(c)
	}
	// A block of whole slices all in one window adds its tally (see
	// tallySlices) in place of its slices.
	whole := func(start, end int64, memo []byte) bool {
		k := j
		for k > 0 && start+L >= firstEnd[k-1] {
			k--
		}
		if k == len(ws) || k > 0 && end >= firstEnd[k-1] {
			return false // it spans windows
		}
		judge()
		j = k
		acc[j].add(readTally(memo))
		return true
	}
	s.st.Mu.Lock()
	// The first slice counted: the SLI's first, or the oldest it still
	// holds, whichever is later; slices that expired never count.
	first := max(bucket.FloorDiv(s.since, L), bucket.FloorDiv(s.st.Frontier(), L))
	s.st.RangeLocked(from, lastEnd, whole, func(start, _ int64, enc []byte) {
		var c cell
		countCodec{}.Add(&c, enc)
		visit(start, c)
	})
	if hs := s.st.HotStart(); hs >= from && hs < lastEnd {
		var c cell
		(*seriesHot)(s).Peek(&c)
		if x := s.st.Extra(); x != nil {
			countCodec{}.Add(&c, x)
		}
		if c != (cell{}) {
			visit(hs, c)
		}
	}
	judge()
	s.st.Mu.Unlock()
	// Sum the shorter windows into the longer, then count the empty
	// slices: those the window holds from the first slice counted on, less
	// those with events.
	var sum sliceCounts
	for k, i := range order {
		sum.add(acc[k])
		c := sum
		held := lastEnd/L - max(firstEnd[k]/L, first+1) + 1
		if empty := float64(max(held, 0)) - c.full; empty > 0 {
			switch sl.Empty {
			case EmptyGood:
				c.slices.Good += empty
				c.slices.Valid += empty
			case EmptyBad:
				c.slices.Valid += empty
			}
		}
		out[i] = c
	}
	return nil
}

// tallySlices is a time-slice store's Memo: the good and full slices of a
// block of cells one slice wide, and their events, as four uvarints.
func tallySlices(minGood float64) func(start, width int64, k int, cells []byte) []byte {
	return func(_, _ int64, k int, cells []byte) []byte {
		var t [4]uint64 // good slices, full slices, good events, valid events
		off := 0
		for range k {
			var c cell
			off += countCodec{}.Add(&c, cells[off:])
			if full, good := judgeSlice(c, minGood); full {
				t[1]++
				t[2] += c.good
				t[3] += c.good + c.bad
				if good {
					t[0]++
				}
			}
		}
		var b []byte
		for _, v := range t {
			b = binary.AppendUvarint(b, v)
		}
		return b
	}
}

// readTally reads what tallySlices wrote.
func readTally(memo []byte) sliceCounts {
	var t [4]uint64
	for i := range t {
		v, n := binary.Uvarint(memo)
		t[i], memo = v, memo[n:]
	}
	return sliceCounts{slices: Counts{Good: float64(t[0]), Valid: float64(t[1])}, full: float64(t[1]), events: Counts{Good: float64(t[2]), Valid: float64(t[3])}}
}

// slicesCountsAt returns the good and valid slices of the window (t − w, t].
func (s *series) slicesCountsAt(t time.Time, w time.Duration, sl Slicing) (sliceCounts, error) {
	var out [1]sliceCounts
	err := s.slicesAt(t, []time.Duration{w}, sl, out[:])
	return out[0], err
}

// slicesManyAt puts the good and valid slices of the windows (t − ws[i],
// t] into good[i] and valid[i], in one pass over the cells.
func (s *series) slicesManyAt(t time.Time, ws []time.Duration, sl Slicing, good, valid []float64) error {
	out := make([]sliceCounts, len(ws))
	if err := s.slicesAt(t, ws, sl, out); err != nil {
		return err
	}
	for i, c := range out {
		good[i], valid[i] = c.slices.Good, c.slices.Valid
	}
	return nil
}

// recordOn counts one event now in s, whose hot counters are hot and which
// reads an injected clock if clocked: Ratio's Record, for the SLIs that
// record an Outcome the same way.
func recordOn(s *series, hot hotSet, clocked bool, o Outcome) {
	if clocked {
		s.addNow(s.now(), o)
		return
	}
	p := uint(shard.Pin())
	ok := hot.addPinned(p, o)
	shard.Unpin()
	if !ok {
		s.addShared(o)
	}
}

// RatioSlices is a time-slice SLI over events counted good, bad or not
// valid: the fraction of minutes in which at least 95% of requests
// succeeded. Time is cut into slices (1 minute by default; [WithSlice]),
// each good when at least MinGood of its valid events are good; what a
// slice without valid events counts as is [WithEmptySlices]'. Its Counts
// are slices: Good the good slices of a window, Valid its valid slices,
// so that an objective over it budgets bad slices, burns and alerts as
// over events. A window holds the slices that end in it: the one in
// progress counts once it ends.
//
// A slice is judged when it is read, on its events' counts, which every
// slice keeps for the whole retention: a state added later (a restore, a
// replica's, see [MergeStates]) adds to the counts of its slices, and a
// slice is judged on all of them. Memory is that of a [Ratio] with its
// finest cells one slice wide for the retention; see [LatencySlices].
//
// A RatioSlices is safe for concurrent use; recording costs what a Ratio's
// does. Build one with [NewRatioSlices].
type RatioSlices struct {
	s       *series
	sl      Slicing
	hot     hotSet
	clocked bool
}

// NewRatioSlices returns a time-slice SLI whose slices are good when at
// least minGood of their valid events are good, minGood in (0, 1]. It
// fails with [ErrInvalidConfig] for a minGood outside that, a slice that
// is not a multiple of 10 seconds dividing the day or not shorter than the
// retention, an unknown EmptySlices, or a bad Storage.
func NewRatioSlices(minGood float64, opts ...SlicesOption) (*RatioSlices, error) {
	if !(minGood > 0 && minGood <= 1) {
		return nil, fmt.Errorf("%w: minGood %v is not in (0, 1]", ErrInvalidConfig, minGood)
	}
	s, sl, err := newSlicedSeries(newConfig(opts, SlicesOption.applySlices), minGood, 0)
	if err != nil {
		return nil, err
	}
	return &RatioSlices{s: s, sl: sl, hot: s.hot, clocked: s.now != nil}, nil
}

// Record counts one event now; see [Ratio.Record].
func (r *RatioSlices) Record(o Outcome) { recordOn(r.s, r.hot, r.clocked, o) }

// RecordAt counts one event that happened at t; see [Ratio.RecordAt].
func (r *RatioSlices) RecordAt(t time.Time, o Outcome) { r.s.addAt(t, o) }

// RecordContext counts one event now, as Record does, and keeps a bad one
// as an exemplar when ctx holds a sampled span, as [Ratio.RecordContext].
func (r *RatioSlices) RecordContext(ctx context.Context, o Outcome) {
	r.Record(o)
	if o == Bad {
		r.s.keep(ctx, 0)
	}
}

// Exemplars returns the most recent bad events recorded with a sampled
// span, as [Ratio.Exemplars].
func (r *RatioSlices) Exemplars() []Exemplar { return r.s.ex.list() }

// Slicing returns the slices' length, what makes one good and what an
// empty one counts as.
func (r *RatioSlices) Slicing() Slicing { return r.sl }

// Counts returns the good and valid slices of the window ending now.
func (r *RatioSlices) Counts(window time.Duration) (Counts, error) {
	return r.CountsAt(r.s.clock(), window)
}

// CountsAt returns the good and valid slices of the window (t − window,
// t]: those that end in it. It fails with [ErrInvalidWindow] when window
// is not positive or is longer than the retention.
func (r *RatioSlices) CountsAt(t time.Time, window time.Duration) (Counts, error) {
	c, err := r.s.slicesCountsAt(t, window, r.sl)
	return c.slices, err
}

// EventsAt returns the good and valid events of the slices CountsAt counts.
func (r *RatioSlices) EventsAt(t time.Time, window time.Duration) (Counts, error) {
	c, err := r.s.slicesCountsAt(t, window, r.sl)
	return c.events, err
}

// Totals returns every event recorded since the SLI was created.
func (r *RatioSlices) Totals() Totals { return r.s.totals() }

// Recorded returns the good and valid events (not slices) recorded into
// this SLI by this process; see [Ratio.Recorded].
func (r *RatioSlices) Recorded() Counts { return r.s.recorded() }

// State returns a copy of everything the SLI has recorded: every slice's
// counts, its totals and its slice length.
func (r *RatioSlices) State() *State { return r.s.state() }

// Add adds what st recorded, each slice's counts to the slice's; see
// [Ratio.Add]. It fails with [ErrStateMismatch], changing nothing, for a
// state that is not a time-slice SLI's of the same slice length.
func (r *RatioSlices) Add(st *State) error { return r.s.addSlicesState(st) }

// Storage returns the storage in use, defaults filled in.
func (r *RatioSlices) Storage() Storage { return r.s.storage }

// LatencySlices is a time-slice SLI over latencies: the fraction of
// minutes whose p99 was at most 300 ms. A slice is good when the MinGood
// percentile of its latencies is at most the threshold. nines judges it
// exactly, on counts rather than on a histogram's estimate: the p-th
// percentile (nearest rank: the smallest latency that at least p of the
// slice's latencies do not exceed) is at most the threshold exactly when
// at least p of them are, so every slice keeps the count of its latencies
// and of those within the threshold, which add up across restores and
// replicas as histograms would, in a fraction of the memory. Everything
// else is as for [RatioSlices].
//
// Memory: every slice keeps its two counts, packed as differences from
// the slice before. Over 30 days of 1-minute slices ([Storage] of 30 days;
// the default 35 take a sixth more) at a steady 100 requests a second, 1%
// of them slow, it holds 45 KiB, counters and the last slice's 10-second
// cells included (TestLatencySlicesMemory). Traffic that varies by ±10%
// from second to second holds 98 KiB: the count of each minute's requests
// then varies by about ±47, and no exact encoding keeps 43,200 such
// counts and their slow ones in under 12.6 bits a slice, 66 KiB.
//
// A LatencySlices is safe for concurrent use. Build one with
// [NewLatencySlices].
type LatencySlices struct {
	s         *series
	sl        Slicing
	threshold time.Duration
	hot       hotSet
	clocked   bool
}

// NewLatencySlices returns a time-slice SLI whose slices are good when
// their percentile p (0.99 for p99; from 0.5 to 0.999) latency is at most
// threshold. It fails with [ErrInvalidConfig] for a p outside that, a
// threshold that is not positive, and as [NewRatioSlices] does.
func NewLatencySlices(p float64, threshold time.Duration, opts ...SlicesOption) (*LatencySlices, error) {
	if !(p >= 0.5 && p <= 0.999) {
		return nil, fmt.Errorf("%w: percentile %v is not in [0.5, 0.999]", ErrInvalidConfig, p)
	}
	if threshold <= 0 {
		return nil, fmt.Errorf("%w: threshold %v", ErrInvalidConfig, threshold)
	}
	s, sl, err := newSlicedSeries(newConfig(opts, SlicesOption.applySlices), p, threshold)
	if err != nil {
		return nil, err
	}
	return &LatencySlices{s: s, sl: sl, threshold: threshold, hot: s.hot, clocked: s.now != nil}, nil
}

// Record counts one latency d now. A negative d is counted in
// [Totals.Negative] and as not valid.
func (l *LatencySlices) Record(d time.Duration) {
	recordOn(l.s, l.hot, l.clocked, latencyOutcome(l.s, l.threshold, d))
}

// RecordContext counts one event that took d now, as Record does, and
// keeps a slow one as an exemplar when ctx holds a sampled span, as
// [Latency.RecordContext].
func (l *LatencySlices) RecordContext(ctx context.Context, d time.Duration) {
	l.Record(d)
	if d > l.threshold {
		l.s.keep(ctx, d)
	}
}

// Exemplars returns the most recent slow events recorded with a sampled
// span, as [Latency.Exemplars].
func (l *LatencySlices) Exemplars() []Exemplar { return l.s.ex.list() }

// RecordAt counts one latency d that happened at t.
func (l *LatencySlices) RecordAt(t time.Time, d time.Duration) {
	l.s.addAt(t, latencyOutcome(l.s, l.threshold, d))
}

// Exclude counts one event that is not valid now; see [Latency.Exclude].
func (l *LatencySlices) Exclude() { recordOn(l.s, l.hot, l.clocked, Invalid) }

// Threshold returns the latency threshold of the slices' percentile.
func (l *LatencySlices) Threshold() time.Duration { return l.threshold }

// Slicing returns the slices' length, what makes one good and what an
// empty one counts as.
func (l *LatencySlices) Slicing() Slicing { return l.sl }

// Counts returns the good and valid slices of the window ending now.
func (l *LatencySlices) Counts(window time.Duration) (Counts, error) {
	return l.CountsAt(l.s.clock(), window)
}

// CountsAt returns the good and valid slices of the window (t − window,
// t]; see [RatioSlices.CountsAt].
func (l *LatencySlices) CountsAt(t time.Time, window time.Duration) (Counts, error) {
	c, err := l.s.slicesCountsAt(t, window, l.sl)
	return c.slices, err
}

// EventsAt returns the latencies within the threshold (Good) and all valid
// latencies of the slices CountsAt counts.
func (l *LatencySlices) EventsAt(t time.Time, window time.Duration) (Counts, error) {
	c, err := l.s.slicesCountsAt(t, window, l.sl)
	return c.events, err
}

// Totals returns every event recorded since the SLI was created.
func (l *LatencySlices) Totals() Totals { return l.s.totals() }

// Recorded returns the latencies within the threshold and all valid ones
// recorded into this SLI by this process; see [Ratio.Recorded].
func (l *LatencySlices) Recorded() Counts { return l.s.recorded() }

// State returns a copy of everything the SLI has recorded; see
// [RatioSlices.State].
func (l *LatencySlices) State() *State { return l.s.state() }

// Add adds what st recorded; see [RatioSlices.Add].
func (l *LatencySlices) Add(st *State) error { return l.s.addSlicesState(st) }

// Storage returns the storage in use, defaults filled in.
func (l *LatencySlices) Storage() Storage { return l.s.storage }

// addSlicesState adds a time-slice SLI's state of the same slice length.
func (s *series) addSlicesState(st *State) error {
	switch {
	case st == nil || st.slice == 0:
		return fmt.Errorf("%w: a state of events cannot be added to a time-slice SLI", ErrStateMismatch)
	case st.slice != s.slice:
		return fmt.Errorf("%w: slices of %v cannot be added to slices of %v", ErrStateMismatch, time.Duration(st.slice), time.Duration(s.slice))
	}
	s.addState(st)
	return nil
}
