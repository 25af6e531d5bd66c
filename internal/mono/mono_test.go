package mono

import (
	"math"
	"sync"
	"testing"
	"time"
)

func TestNowAgreesWithTime(t *testing.T) {
	t.Logf("clock: %s", Source())
	for range 3 { // a preemption between the reads can fail one round
		a, start := Now(), time.Now()
		for time.Since(start) < 20*time.Millisecond {
		}
		b, want := Now(), time.Since(start)
		got := Elapsed(a, b)
		if diff := (got - want).Abs(); diff <= want/1000+20*time.Microsecond {
			return
		}
		t.Logf("mono measured %v while time measured %v", got, want)
	}
	t.Error("mono and time disagreed by more than 0.1% + 20µs three times")
}

func TestElapsedIsNeverNegative(t *testing.T) {
	a := Now()
	b := Now()
	if d := Elapsed(b, a-1); d != 0 {
		t.Errorf("Elapsed of readings in reverse = %v, want 0", d)
	}
	if d := Elapsed(a, b); d < 0 {
		t.Errorf("Elapsed(a, b) = %v, want ≥ 0", d)
	}
}

func TestIsTSC(t *testing.T) {
	for s, want := range map[string]bool{"tsc\n": true, "tsc": true, "kvm-clock\n": false, "hpet\n": false, "": false, "tsc kvm-clock\n": false} {
		if got := isTSC(s); got != want {
			t.Errorf("isTSC(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestCheaper(t *testing.T) {
	var ns int64
	nanos := func() int64 { ns += 10; return ns }  // each read costs 10 ns
	fast := func() int64 { ns += 2; return ns }    // 2 ns
	slow := func() int64 { ns += 1000; return ns } // a trapped RDTSC
	same := func() int64 { ns += 10; return ns }   // no gain
	if !cheaper(fast, nanos) || cheaper(slow, nanos) || cheaper(same, nanos) {
		t.Error("cheaper must pick only a clock that costs at most 4/5 of the reference")
	}
}

// fakeTSC is a TSC and a reference clock under a test's control: every
// reference read advances time by 20 ns, and the TSC counts rate ticks per
// ns from an offset.
type fakeTSC struct {
	mu     sync.Mutex
	ns     float64
	ticks0 float64 // TSC at the last rate change
	ns0    float64 // reference at the last rate change
	rate   float64
}

func (f *fakeTSC) nanos() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ns += 20
	return int64(f.ns)
}

func (f *fakeTSC) ticks() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return int64(f.ticks0 + (f.ns-f.ns0)*f.rate)
}

// advance moves time on by d.
func (f *fakeTSC) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ns += float64(d)
}

// suspend moves the TSC on by d while the reference clock stands still.
func (f *fakeTSC) suspend(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ticks0 += float64(d) * f.rate
}

// setRate changes the TSC's rate from now on.
func (f *fakeTSC) setRate(rate float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ticks0 += (f.ns - f.ns0) * f.rate
	f.ns0, f.rate = f.ns, rate
}

func TestCalibratorFollowsTheRate(t *testing.T) {
	f := &fakeTSC{ns: 1e12, ns0: 1e12, ticks0: 5e15, rate: 2.5}
	c := &calibrator{ticks: f.ticks, nanos: f.nanos}
	c.start(time.Millisecond)
	// one million ticks at 2.5 per ns are 400 µs
	check := func(rate float64, tolerance float64) {
		t.Helper()
		const span = 1e6
		from := f.ticks()
		got := c.elapsed(from, from+span)
		want := span / rate
		if rel := (math.Abs(float64(got)-want) - 1) / want; rel > tolerance { // 1 ns: Duration is whole ns
			t.Errorf("elapsed over %v ticks at %v ticks/ns = %v, want %vns (relative error %.2g > %.2g)", span, rate, got, want, rel, tolerance)
		}
	}
	check(2.5, 1e-4) // measured over the first millisecond
	for range 40 {   // doubling intervals up to a minute
		f.advance(30 * time.Second)
		c.elapsed(0, f.ticks())
	}
	check(2.5, 1e-9)
	if c.step != maxStep {
		t.Errorf("measurement interval = %v, want %v", time.Duration(c.step), time.Duration(maxStep))
	}

	// A suspend: the TSC runs for 8 hours while the reference clock stops.
	// The measurement across it is refused, and the next one agrees with
	// the old rate.
	f.suspend(8 * time.Hour)
	for range 3 {
		c.elapsed(0, f.ticks())
		check(2.5, 1e-9)
		f.advance(time.Duration(maxStep))
	}
	if c.suspect != 0 {
		t.Errorf("a suspect rate %v is still waiting", c.suspect)
	}

	// The host's TSC rate changes (a live migration): the first measurement
	// mixes the two rates and the second confirms nothing, the third
	// confirms the second.
	f.setRate(3.1)
	for range 3 {
		f.advance(time.Duration(maxStep))
		c.elapsed(0, f.ticks())
	}
	check(3.1, 1e-9)

	// Between measurements nothing is measured; a reading from the future
	// measures nothing either.
	next, rate := c.next.Load(), c.perTick.Load()
	c.elapsed(0, next-1)
	if c.next.Load() != next {
		t.Error("elapsed measured the rate before it was due")
	}
	c.elapsed(0, next+1e15)
	if c.perTick.Load() != rate {
		t.Error("a reading from the future changed the rate")
	}
	check(3.1, 1e-9)
	if d := c.elapsed(10, 5); d != 0 {
		t.Errorf("elapsed of readings in reverse = %v, want 0", d)
	}
}

func TestCalibratorConcurrent(t *testing.T) {
	f := &fakeTSC{ns: 1e9, ns0: 1e9, rate: 3}
	c := &calibrator{ticks: f.ticks, nanos: f.nanos}
	c.start(time.Millisecond)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 1000 {
				f.advance(time.Millisecond)
				from := f.ticks()
				if d := c.elapsed(from, from+3000); d < 999 || d > 1001 {
					t.Errorf("elapsed over 3000 ticks at 3 per ns = %v, want 1µs", d)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkNow(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Now()
	}
}

func BenchmarkNanotime(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		nanotime()
	}
}

// BenchmarkMeasure is what the middleware does per request: two readings
// and their difference.
func BenchmarkMeasure(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Elapsed(Now(), Now())
	}
	b.Log("clock:", Source())
}
