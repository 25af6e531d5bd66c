package rotation

import (
	"runtime"
	"testing"
	"time"
	"weak"
)

func TestUntil(t *testing.T) {
	for _, tt := range []struct {
		now   time.Time
		width time.Duration
		want  time.Duration
	}{
		{time.Unix(600, 0), time.Minute, time.Minute},
		{time.Unix(630, 0), time.Minute, 30 * time.Second},
		{time.Unix(659, 999999999), time.Minute, time.Nanosecond},
		{time.Unix(-30, 0), time.Minute, 30 * time.Second},
		{time.Unix(5, 0), 10 * time.Second, 5 * time.Second},
	} {
		if got := Until(tt.now, tt.width); got != tt.want {
			t.Errorf("Until(%v, %v) = %v, want %v", tt.now.Unix(), tt.width, got, tt.want)
		}
	}
}

type owner struct{ _ [1 << 10]byte }

func (*owner) tick(time.Time) {}

// TestOwnerIsCollected checks that a running timer does not keep its owner
// alive.
func TestOwnerIsCollected(t *testing.T) {
	o := &owner{}
	rt := Start(o, time.Hour, (*owner).tick)
	defer rt.Stop()
	wp := weak.Make(o)
	o = nil
	for range 5 {
		runtime.GC()
		if wp.Value() == nil {
			return
		}
	}
	t.Error("an owner referenced only by its rotation timer survived five collections")
}

// TestTicks runs a real one-second timer once: the only test here that
// waits for the wall clock, bounded by a timeout.
func TestTicks(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a real timer")
	}
	o := &owner{}
	ticked := make(chan time.Time, 4)
	rt := Start(o, time.Second, func(_ *owner, now time.Time) { ticked <- now })
	defer rt.Stop()
	select {
	case <-ticked:
	case <-time.After(5 * time.Second):
		t.Fatal("no tick within 5s of a 1s rotation timer")
	}
	runtime.KeepAlive(o)
}
