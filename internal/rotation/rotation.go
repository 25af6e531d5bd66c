// Package rotation moves time-bucketed state along with the wall clock
// without a goroutine: a timer fires at each bucket boundary and calls the
// owner's tick function, then re-arms itself.
//
// The timer holds its owner weakly, so an owner that nobody references any
// more is garbage collected, and its timer stops re-arming at the next
// boundary. Between ticks nothing runs.
package rotation

import (
	"sync"
	"time"
	"weak"
)

// Timer is a running rotation timer. Stop ends it.
type Timer struct {
	mu      sync.Mutex
	t       *time.Timer
	stopped bool
}

// Start calls tick(owner, now) at every multiple of width since the Unix
// epoch, from the next one on, for as long as owner is reachable and the
// timer is not stopped. tick must not retain owner in a closure that the
// timer can reach: pass a method expression such as (*T).tick.
func Start[T any](owner *T, width time.Duration, tick func(*T, time.Time)) *Timer {
	wp := weak.Make(owner)
	rt := &Timer{}
	fire := func() {
		o := wp.Value()
		if o == nil {
			return
		}
		now := time.Now()
		tick(o, now)
		rt.mu.Lock()
		defer rt.mu.Unlock()
		if !rt.stopped {
			rt.t.Reset(Until(now, width))
		}
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.t = time.AfterFunc(Until(time.Now(), width), fire)
	return rt
}

// Stop stops the timer; tick is not called again (a tick already running
// finishes).
func (rt *Timer) Stop() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.stopped = true
	rt.t.Stop()
}

// Until returns the time from now to the next multiple of width since the
// Unix epoch: the start of the next bucket.
func Until(now time.Time, width time.Duration) time.Duration {
	w := int64(width)
	n := now.UnixNano()
	m := n % w
	if m < 0 {
		m += w
	}
	return time.Duration(w - m)
}
