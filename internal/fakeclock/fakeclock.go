// Package fakeclock is a clock that tests move by hand, for the WithClock
// options of the recording packages. Tests never sleep to move time.
package fakeclock

import (
	"sync/atomic"
	"time"
)

// Clock is a settable clock, safe for concurrent use. The zero value reads
// the Unix epoch.
type Clock struct{ ns atomic.Int64 }

// New returns a clock reading t.
func New(t time.Time) *Clock {
	c := &Clock{}
	c.Set(t)
	return c
}

// Now returns the clock's time, in UTC.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// Set moves the clock to t, forwards or backwards.
func (c *Clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }

// Advance moves the clock by d, which may be negative.
func (c *Clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }
