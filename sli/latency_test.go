package sli_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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

// TestUserProfileLatencySLI is the CONCEPTS.md latency objective's SLI:
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
		if !errors.Is(err, sli.ErrInvalidThreshold) || !strings.Contains(err.Error(), "threshold") {
			t.Errorf("NewLatency(%v) error = %v, want ErrInvalidThreshold naming the threshold", th, err)
		}
	}
	if _, err := sli.NewLatency(time.Second, sli.WithStorage(sli.Storage{Fine: -1})); !errors.Is(err, sli.ErrInvalidStorage) {
		t.Errorf("NewLatency with bad storage: error = %v, want ErrInvalidStorage", err)
	}
}
