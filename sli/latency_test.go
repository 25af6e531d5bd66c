package sli_test

import (
	"errors"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nines-slo/nines/histogram"
	"github.com/nines-slo/nines/internal/heap"
	"github.com/nines-slo/nines/sli"
)

func TestLatencyThreshold(t *testing.T) {
	clock := newFakeClock(t0)
	l, err := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []time.Duration{0, time.Millisecond, 99 * time.Millisecond, 100 * time.Millisecond} {
		l.Record(d) // good: within the threshold, inclusive
	}
	for _, d := range []time.Duration{100*time.Millisecond + 1, time.Second, time.Hour} {
		l.Record(d) // bad
	}
	l.Record(-time.Millisecond) // not a duration: counted, not valid
	l.Exclude()                 // client went away
	got, err := l.Counts(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sli.Counts{Good: 4, Valid: 7}, got); diff != "" {
		t.Errorf("Counts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(sli.Totals{Good: 4, Bad: 3, Invalid: 2, Negative: 1}, l.Totals()); diff != "" {
		t.Errorf("Totals (-want +got):\n%s", diff)
	}
	if l.Threshold() != 100*time.Millisecond {
		t.Errorf("Threshold() = %v", l.Threshold())
	}
}

// TestUserProfileLatencySLI is the docs/concepts.md latency objective's SLI:
// responses within 100 ms, 90% of them.
func TestUserProfileLatencySLI(t *testing.T) {
	clock := newFakeClock(t0)
	l, err := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	for k := range 1000 {
		l.RecordAt(clock.Now(), time.Duration(k%100+50)*time.Millisecond) // 50–149 ms
		clock.Advance(time.Second)
	}
	c, err := l.Counts(30 * 24 * time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ratio, err := c.Ratio()
	if err != nil {
		t.Fatal(err)
	}
	// 50–100 ms of each 100 are good: 51%, short of the 90% objective.
	if ratio != 0.51 {
		t.Errorf("latency SLI = %v, want 0.51", ratio)
	}
}

func TestLatencyDefaultClock(t *testing.T) {
	l, err := sli.NewLatency(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	l.Record(time.Millisecond)
	l.Record(2 * time.Second)
	l.Exclude()
	l.ExcludeAt(time.Now())
	got, err := l.Counts(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sli.Counts{Good: 1, Valid: 2}, got); diff != "" {
		t.Errorf("Counts (-want +got):\n%s", diff)
	}
	if got := l.Totals().Invalid; got != 2 {
		t.Errorf("Totals().Invalid = %d, want 2", got)
	}
}

func TestNewLatencyRejects(t *testing.T) {
	for _, th := range []time.Duration{0, -time.Millisecond} {
		_, err := sli.NewLatency(th)
		if !errors.Is(err, sli.ErrInvalidConfig) || !strings.Contains(err.Error(), "threshold") {
			t.Errorf("NewLatency(%v) error = %v, want ErrInvalidConfig naming the threshold", th, err)
		}
	}
	if _, err := sli.NewLatency(time.Second, sli.WithStorage(sli.Storage{Retention: -1})); !errors.Is(err, sli.ErrInvalidConfig) {
		t.Errorf("NewLatency with bad storage: error = %v, want ErrInvalidConfig", err)
	}
}

// TestLatencyPercentiles: one Record feeds the threshold counts and the
// histogram; the SLI reports p50/p95/p99 per window.
func TestLatencyPercentiles(t *testing.T) {
	clock := newFakeClock(t0)
	l, err := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Percentiles(time.Minute); !errors.Is(err, sli.ErrNoData) {
		t.Errorf("Percentiles of an empty window: error = %v, want ErrNoData", err)
	}
	// Ten minutes ago: 1000 slow requests. Now: 1 ms … 1000 ms, one each.
	for range 1000 {
		l.Record(5 * time.Second)
	}
	clock.Advance(10 * time.Minute)
	for ms := 1; ms <= 1000; ms++ {
		l.Record(time.Duration(ms) * time.Millisecond)
	}
	if diff := cmp.Diff([]time.Duration{time.Minute, 5 * time.Minute, time.Hour}, l.Windows()); diff != "" {
		t.Errorf("Windows() (-want +got):\n%s", diff)
	}
	near := func(got, want time.Duration) bool { return (got - want).Abs() <= want/100 }
	p, err := l.Percentiles(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if p.Count != 1000 || !near(p.P50, 500*time.Millisecond) || !near(p.P95, 950*time.Millisecond) ||
		!near(p.P99, 990*time.Millisecond) || !near(p.P999, 999*time.Millisecond) {
		t.Errorf("last minute: %+v, want 1000 values, p50 500ms, p95 950ms, p99 990ms, p99.9 999ms", p)
	}
	hour, err := l.Percentiles(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if hour.Count != 2000 || !near(hour.P50, time.Second) {
		t.Errorf("last hour: %+v, want 2000 values, p50 1s", hour)
	}
	if !near(hour.P99, 5*time.Second) {
		t.Errorf("last hour p99 = %v, want 5s", hour.P99)
	}
	// The threshold counts saw the same events.
	c, _ := l.Counts(time.Hour)
	if diff := cmp.Diff(sli.Counts{Good: 100, Valid: 2000}, c); diff != "" {
		t.Errorf("Counts(1h) (-want +got):\n%s", diff)
	}
	s, err := l.Histogram(5 * time.Minute)
	if err != nil || s.Count() != 1000 {
		t.Errorf("Histogram(5m) = %v values, %v; want 1000", s.Count(), err)
	}
}

func TestWithHistogram(t *testing.T) {
	l, err := sli.NewLatency(time.Second, sli.WithHistogram(histogram.Config{Windows: []time.Duration{30 * time.Second}}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{30 * time.Second}, l.Windows()); diff != "" {
		t.Errorf("Windows() (-want +got):\n%s", diff)
	}
	if _, err := sli.NewLatency(time.Second, sli.WithHistogram(histogram.Config{Digits: 9})); !errors.Is(err, histogram.ErrInvalidConfig) {
		t.Errorf("bad histogram config: error = %v, want histogram.ErrInvalidConfig", err)
	}
}

// TestOptionTypes: each option compiles only where it applies. The With
// functions' result types are the interfaces below; that one does not
// implement another is what makes sli.NewRatio(sli.WithHistogram(c)) a
// compile error.
func TestOptionTypes(t *testing.T) {
	ratio, latency, aggregated := reflect.TypeFor[sli.RatioOption](), reflect.TypeFor[sli.LatencyOption](), reflect.TypeFor[sli.AggregatedOption]()
	for _, tt := range []struct {
		name string
		typ  reflect.Type
		want [3]bool // implements RatioOption, LatencyOption, AggregatedOption
	}{
		{"WithClock", reflect.TypeOf(sli.WithClock).Out(0), [3]bool{true, true, true}},
		{"WithStorage", reflect.TypeOf(sli.WithStorage).Out(0), [3]bool{true, true, false}},
		{"WithHistogram", reflect.TypeOf(sli.WithHistogram).Out(0), [3]bool{false, true, false}},
	} {
		got := [3]bool{tt.typ.Implements(ratio), tt.typ.Implements(latency), tt.typ.Implements(aggregated)}
		if got != tt.want {
			t.Errorf("%s returns %v, which applies to NewRatio, NewLatency, NewAggregated: %v, want %v", tt.name, tt.typ, got, tt.want)
		}
	}
}

// TestLatencyMemory reports and bounds the memory of one latency SLI with
// the default windows and 35 days of counts, on a machine as large as the
// shard counts allow (64 Ps: the most shards the counts and the histogram
// use), which is the worst case.
func TestLatencyMemory(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(64))
	per, l, err := heap.PerValue(10, func() (*sli.Latency, error) { return sli.NewLatency(100 * time.Millisecond) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one latency SLI (windows %v, %v of counts): %d bytes (%.1f KiB)", l.Windows(), l.Storage().Retention, per, float64(per)/1024)
	if per > 512<<10 {
		t.Errorf("one latency SLI takes %d bytes, want ≤ 512 KiB", per)
	}
}

// TestRecordRequest checks that RecordRequest counts like the separate
// calls it replaces, on the default clock and on an injected one.
func TestRecordRequest(t *testing.T) {
	for _, injected := range []bool{false, true} {
		clock := sli.WithClock(nil) // the wall clock
		if injected {
			clock = sli.WithClock(newFakeClock(t0).Now)
		}
		a, _ := sli.NewRatio(clock)
		l, _ := sli.NewLatency(100*time.Millisecond, clock)
		for k := range 100 {
			o := sli.Good
			switch {
			case k%10 == 0:
				o = sli.Bad
			case k%25 == 1:
				o = sli.Invalid
			}
			sli.RecordRequest(a, l, o, time.Duration(k*2)*time.Millisecond) // 0–198 ms
		}
		// 10 bad, 4 not valid (1, 26, 51, 76), 86 good; of the good, those
		// within 100 ms: k in 2..50 not multiples of 10 and not 26.
		within := 0
		for k := range 51 {
			if k%10 != 0 && k%25 != 1 {
				within++
			}
		}
		if got, want := a.Recorded(), (sli.Counts{Good: 86, Valid: 96}); got != want {
			t.Errorf("injected=%v: availability %+v, want %+v", injected, got, want)
		}
		if got, want := l.Recorded(), (sli.Counts{Good: float64(within), Valid: 86}); got != want {
			t.Errorf("injected=%v: latency %+v, want %+v", injected, got, want)
		}
		if got := l.Cumulative().Count(); got != 86 {
			t.Errorf("injected=%v: histogram holds %d durations, want the 86 good requests'", injected, got)
		}
		if got := l.Totals().Invalid; got != 14 {
			t.Errorf("injected=%v: latency SLI counts %d not valid, want 14", injected, got)
		}
	}
}
