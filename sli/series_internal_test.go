package sli

import (
	"bytes"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
	"weak"

	"github.com/nines-slo/nines/internal/bucket"
	"github.com/nines-slo/nines/internal/window"
)

// TestTimerRotation drives the timer's rotation by hand (tests never wait
// for real time) while goroutines record with the default clock, which reads
// no time: every event must land in exactly one bucket.
func TestTimerRotation(t *testing.T) {
	s, err := newSeries(config{})
	if err != nil {
		t.Fatal(err)
	}
	if s.timer == nil {
		t.Fatal("a series on the wall clock has no rotation timer")
	}
	start := time.Now()
	const writers, each, ticks = 4, 50000, 300
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range each {
				if (w+k)%10 == 0 {
					s.add(Bad)
				} else {
					s.add(Good)
				}
			}
		}()
	}
	for k := 1; k <= ticks; k++ {
		s.tickAt(start.Add(time.Duration(k) * 10 * time.Second))
	}
	wg.Wait()
	end := start.Add(ticks * 10 * time.Second)
	if got, want := s.st.HotIndex(), bucket.FloorDiv(end.UnixNano(), int64(tick)); got != want {
		t.Errorf("after the ticks the current bucket is %d, want %d", got, want)
	}
	c, err := s.countsAt(end, s.storage.Retention)
	if err != nil {
		t.Fatal(err)
	}
	if c.Valid != writers*each || c.Good != writers*each*9/10 {
		t.Errorf("counts over all buckets = %+v, want %d valid, %d good", c, writers*each, writers*each*9/10)
	}
	s.timer.Stop()
}

// TestUnreferencedSeriesIsCollected checks that the rotation timer does not
// keep an SLI alive: an SLI nobody references is garbage, timer and all.
func TestUnreferencedSeriesIsCollected(t *testing.T) {
	s, err := newSeries(config{})
	if err != nil {
		t.Fatal(err)
	}
	wp := weak.Make(s)
	s = nil
	for range 5 {
		runtime.GC()
		if wp.Value() == nil {
			return
		}
	}
	t.Error("an unreferenced series survived five collections: its timer keeps it alive")
}

// TestWallClockStepsBack rotates as a timer would when the wall clock was
// half an hour ahead, then reads at the real time: the current bucket is
// still in every window ending now.
func TestWallClockStepsBack(t *testing.T) {
	s, err := newSeries(config{})
	if err != nil {
		t.Fatal(err)
	}
	s.add(Good)
	s.tickAt(time.Now().Add(30 * time.Minute))
	s.add(Bad)
	c, err := s.countsAt(time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if c.Valid != 2 || c.Good != 1 {
		t.Errorf("counts after the wall clock stepped back = %+v, want 1 good of 2", c)
	}
}

// TestCountsOnEveryProcessor: events recorded from more processors than
// the series has counters for (GOMAXPROCS raised after it was made), and
// of unknown outcomes, go to the shared counters; with rotations taking
// the counters meanwhile, no event is lost or counted twice.
func TestCountsOnEveryProcessor(t *testing.T) {
	prev := runtime.GOMAXPROCS(1)
	s, err := newSeries(config{})
	runtime.GOMAXPROCS(max(prev, 4))
	defer runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	defer s.timer.Stop()
	if len(s.hot) != 2 {
		t.Fatalf("%d hot counter sets at GOMAXPROCS 1, want 2 (one processor's, the shared)", len(s.hot))
	}
	const writers, each = 8, 30_000
	var wg sync.WaitGroup
	done := make(chan struct{})
	start := time.Now()
	rotated := make(chan int)
	go func() { // rotations, one cell further each, while the writers record
		k := 1
		for ; k < 1000; k++ {
			select {
			case <-done:
				rotated <- k
				return
			default:
			}
			s.tickAt(start.Add(time.Duration(k) * tick))
		}
		<-done
		rotated <- k
	}()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				switch (i + w) % 3 {
				case 0:
					s.add(Good)
				case 1:
					s.add(Bad)
				default:
					s.add(Outcome(9))
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	k := <-rotated
	want := uint64(writers * each / 3)
	got := s.totals()
	if got.Good != want || got.Bad != want || got.Invalid != want || got.Unknown != want {
		t.Fatalf("totals %+v, want %d good, bad, not valid and unknown each", got, want)
	}
	c, err := s.countsAt(start.Add(time.Duration(k)*tick), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if c.Good != float64(want) || c.Valid != float64(2*want) {
		t.Errorf("cells over the last day hold %+v, want %d good of %d (after %d rotations)", c, want, 2*want, k)
	}
}

// TestPackRoundTrip packs blocks of cells of every kind — steady, empty
// among full, counts near 2^64, one cell — and unpacks them to the same
// cells; steady traffic packs to about 2 bytes a cell.
func TestPackRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	blocks := map[string][]cell{
		"one":    {{good: 5, bad: 1}},
		"steady": nil, "gaps": nil, "huge": nil, "random": nil,
	}
	for i := range 96 {
		blocks["steady"] = append(blocks["steady"], cell{good: 89_700 + uint64(rng.IntN(600)), bad: 80 + uint64(rng.IntN(20))})
		g := uint64(0)
		if i%3 != 0 {
			g = uint64(rng.IntN(1000))
		}
		blocks["gaps"] = append(blocks["gaps"], cell{good: g})
		blocks["huge"] = append(blocks["huge"], cell{good: math.MaxUint64 - uint64(rng.IntN(3)), bad: uint64(i%2) << 63})
		blocks["random"] = append(blocks["random"], cell{good: rng.Uint64() >> rng.IntN(64), bad: rng.Uint64() >> rng.IntN(64)})
	}
	var codec countCodec
	for name, cells := range blocks {
		var plain []byte
		for _, c := range cells {
			plain = codec.Append(plain, &c)
		}
		packed := codec.Pack(nil, plain, len(cells))
		if got := codec.Unpack(nil, packed, len(cells)); !bytes.Equal(got, plain) {
			t.Errorf("%s: unpacked cells differ from the packed ones", name)
		}
		if name == "steady" && len(packed) > 9*len(cells)/4+8 {
			t.Errorf("steady: %d cells packed into %d bytes (%d plain), want at most 2¼ a cell", len(cells), len(packed), len(plain))
		}
	}
}

// plainCounts is countCodec without Pack: a store of it keeps every block
// as its cells.
type plainCounts struct{ countCodec }

func (plainCounts) Pack()   {} // hides countCodec.Pack: not a window.Packer
func (plainCounts) Unpack() {}

// testHot is a hot cell for a bare store.
type testHot struct{ c cell }

func (h *testHot) Take(a *cell) { a.add(h.c); h.c = cell{} }
func (h *testHot) Peek(a *cell) { a.add(h.c) }

// cellsOf lists a store's closed cells, through its runs.
func cellsOf(s *window.Store[cell]) (out [][3]uint64) {
	s.RunsLocked(func(start, width int64, k int, cells []byte) {
		for i := range k {
			var c cell
			cells = cells[countCodec{}.Add(&c, cells):]
			out = append(out, [3]uint64{uint64(start + int64(i)*width), c.good, c.bad})
		}
	})
	return out
}

// TestPackedStoreMatchesPlain runs a store of packed blocks and one of
// plain blocks through the same 40,000 rotations and late cells: every
// window sums the same, and their runs hold the same cells.
func TestPackedStoreMatchesPlain(t *testing.T) {
	if _, ok := any(plainCounts{}).(window.Packer); ok {
		t.Fatal("plainCounts packs")
	}
	rng := rand.New(rand.NewPCG(21, 22))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	hp, hq := &testHot{}, &testHot{}
	p := window.New[cell](countCodec{}, hp, ladder(35*24*time.Hour), t0/int64(tick))
	q := window.New[cell](plainCounts{}, hq, ladder(35*24*time.Hour), t0/int64(tick))
	now := t0
	check := func(step int) {
		t.Helper()
		for range 30 {
			b := now - rng.Int64N(int64(36*24*time.Hour))
			a := b - rng.Int64N(int64(36*24*time.Hour))
			var x, y cell
			p.SumLocked(a, b, &x)
			q.SumLocked(a, b, &y)
			if x != y {
				t.Fatalf("step %d, window (%d, %d]: packed %+v, plain %+v", step, a, b, x, y)
			}
		}
		if !slices.Equal(cellsOf(p), cellsOf(q)) {
			t.Fatalf("step %d: the runs differ", step)
		}
	}
	for step := range 40000 {
		now += rng.Int64N(int64(3*time.Minute)) + 1
		p.RotateLocked(now / int64(tick))
		q.RotateLocked(now / int64(tick))
		c := cell{uint64(rng.IntN(3000)), uint64(rng.IntN(4))}
		hp.c.add(c)
		hq.c.add(c)
		if rng.IntN(4) == 0 { // a late cell, into a packed block or not
			at := now - rng.Int64N(int64(36*24*time.Hour))
			late := cell{uint64(rng.IntN(50)), uint64(rng.IntN(2))}
			e := countCodec{}.Append(nil, &late)
			if p.AddLocked(at, e) != q.AddLocked(at, e) {
				t.Fatal("AddLocked differs")
			}
		}
		if step%2000 == 0 {
			check(step)
		}
	}
	check(-1)
}

// TestCountsManyAtMatchesCountsAt: the windows summed in one pass are
// those CountsAt sums one by one, on random traffic over 40 days, at the
// present and in the past, windows repeated and out of order, and a window
// past the retention fails as CountsAt does.
func TestCountsManyAtMatchesCountsAt(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	r, err := NewRatio(WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	ws := []time.Duration{30 * 24 * time.Hour, 5 * time.Minute, time.Hour, 30 * time.Minute, 6 * time.Hour,
		24 * time.Hour, 3 * 24 * time.Hour, time.Hour, 10 * time.Second, 17*time.Hour + 3*time.Minute, 12 * time.Minute}
	good, valid := make([]float64, len(ws)), make([]float64, len(ws))
	for step := range 4000 {
		now = now.Add(time.Duration(rng.Int64N(int64(30*time.Minute))) + 1)
		for range rng.IntN(20) {
			o := Good
			if rng.IntN(10) == 0 {
				o = Bad
			}
			at := now
			if rng.IntN(4) == 0 {
				at = now.Add(-time.Duration(rng.Int64N(int64(48 * time.Hour))))
			}
			r.RecordAt(at, o)
		}
		if step%50 != 0 {
			continue
		}
		for _, back := range []time.Duration{0, 3 * time.Second, 7 * time.Minute, 5 * time.Hour} {
			at := now.Add(-back)
			if err := r.s.countsManyAt(at, ws, good, valid); err != nil {
				t.Fatal(err)
			}
			for i, w := range ws {
				want, err := r.CountsAt(at, w)
				if err != nil {
					t.Fatal(err)
				}
				if good[i] != want.Good || valid[i] != want.Valid {
					t.Fatalf("step %d, %v back, window %v: %v good of %v in one pass, CountsAt %+v", step, back, w, good[i], valid[i], want)
				}
			}
		}
	}
	_, want := r.CountsAt(now, r.Storage().Retention+time.Hour)
	if err := r.s.countsManyAt(now, []time.Duration{time.Hour, r.Storage().Retention + time.Hour}, good, valid); err == nil || err.Error() != want.Error() {
		t.Fatalf("a window past the retention: %v, want %v", err, want)
	}
}

// TestRotationKeepsInvalid: events that are not valid, recorded on the
// default clock, stay in the totals across rotations (the rotation takes
// the hot counters' gains and folds them in), as good and bad ones do.
func TestRotationKeepsInvalid(t *testing.T) {
	s, err := newSeries(config{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for k := 1; k <= 3; k++ {
		s.add(Invalid)
		s.add(Invalid)
		s.add(Good)
		s.add(Bad)
		s.tickAt(start.Add(time.Duration(k) * 10 * time.Second))
		if got, want := s.totals(), (Totals{Good: uint64(k), Bad: uint64(k), Invalid: 2 * uint64(k)}); got != want {
			t.Errorf("after %d rotations: totals %+v, want %+v", k, got, want)
		}
	}
}
