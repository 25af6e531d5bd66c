package ninestest

import (
	"sync/atomic"
	"time"
)

// Clock is a clock that a test sets and advances by hand; its Now is what
// the WithClock options of sli, histogram, slo, slo/middleware,
// exporter/producer and exporter/statuspage take. It is safe for concurrent use. The zero value reads the Unix epoch.
type Clock struct{ ns atomic.Int64 }

// NewClock returns a clock reading t.
func NewClock(t time.Time) *Clock {
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
