package ninestest_test

import (
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/nines-slo/nines/ninestest"
)

var discard = slog.New(slog.DiscardHandler)

func TestClock(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.FixedZone("IST", 5*3600+1800))
	c := ninestest.NewClock(t0)
	if !c.Now().Equal(t0) || c.Now().Location() != time.UTC {
		t.Errorf("Now = %v, want %v in UTC", c.Now(), t0)
	}
	c.Advance(time.Hour)
	c.Advance(-time.Minute)
	if got, want := c.Now(), t0.Add(59*time.Minute); !got.Equal(want) {
		t.Errorf("after advancing: %v, want %v", got, want)
	}
	c.Set(t0)
	if !c.Now().Equal(t0) {
		t.Errorf("after Set: %v", c.Now())
	}
	var zero ninestest.Clock
	if !zero.Now().Equal(time.Unix(0, 0)) {
		t.Errorf("zero clock reads %v", zero.Now())
	}
}

func TestEventsConcurrent(t *testing.T) {
	var ev ninestest.Events[int]
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 1000 {
				ev.Add(g*1000 + i)
			}
		})
	}
	wg.Wait()
	all := ev.All()
	if len(all) != 4000 || ev.Len() != 4000 {
		t.Fatalf("kept %d (Len %d), want 4000", len(all), ev.Len())
	}
	all[0] = -1
	if ev.All()[0] == -1 {
		t.Error("All returned the events' own slice")
	}
}
