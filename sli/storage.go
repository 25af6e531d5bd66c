package sli

import (
	"fmt"
	"time"

	"github.com/nines-slo/nines/histogram"
)

// Storage describes how long an SLI keeps its good and valid counts. The
// zero Storage takes the default.
//
// Counts live in time cells that widen as they age: 10-second cells for the
// last 25 minutes, 1-minute cells to 6 h 30 m, 15-minute cells for the rest
// of the retention. Every recorded event is in exactly one cell. A window
// counts the cells it overlaps, its far edge rounded to the nearest cell
// boundary, so every window from 4 m 10 s to a day spans its length to
// within 2% (5 s in 5 minutes), longer windows to within 7.5 minutes, and a
// window that starts on the 15-minute grid — local midnight, in every time
// zone in use — is exact for the whole retention.
//
// Memory follows traffic: a closed cell takes its counts' varint bytes
// (2 bytes empty, about 4 at 100 events a second), kept only from the first
// event on; 35 days at 100 events a second take about 22 KiB, plus 128
// bytes of counters per shard (one per CPU, 2 to 64 shards).
type Storage struct {
	// Retention is the longest window the SLI answers. Default 35 days
	// (a 30-day objective plus margin); 400 days covers calendar quarters
	// and years. At least 1 hour, at most about 29 years.
	Retention time.Duration
}

// DefaultRetention is the retention of the default Storage.
const DefaultRetention = 35 * 24 * time.Hour

// maxCells bounds the retention's cells, so that a unit mistake is an
// error rather than gigabytes.
const maxCells = 1 << 20

// withDefaults returns s with zero fields replaced by defaults, or an error
// naming the first invalid field.
func (s Storage) withDefaults() (Storage, error) {
	switch {
	case s.Retention == 0:
		s.Retention = DefaultRetention
	case s.Retention < time.Hour:
		return s, fmt.Errorf("%w: Retention %v is under 1 hour", ErrInvalidStorage, s.Retention)
	case s.Retention/(15*time.Minute) > maxCells:
		return s, fmt.Errorf("%w: Retention %v needs more than %d cells of 15 minutes", ErrInvalidStorage, s.Retention, maxCells)
	}
	return s, nil
}

// Option configures an SLI. Options are applied in order; a later option
// overrides an earlier one of the same kind.
type Option interface {
	apply(*config)
}

type config struct {
	now        func() time.Time
	storage    Storage
	storageSet bool
	hist       histogram.Config
	histSet    bool
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithClock makes the SLI read time from now instead of the wall clock. Use
// it to test with a fake clock or to replay events with their own times.
// With a clock set, every Record reads it (RecordAt is the same call with a
// time you supply); with the default clock, Record reads no clock at all and
// a timer moves the current bucket along. nil restores the wall clock.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) { c.now = now })
}

// WithStorage sets the SLI's buckets and retention; zero fields keep their
// defaults. Invalid values fail the constructor with ErrInvalidStorage.
func WithStorage(s Storage) Option {
	return optionFunc(func(c *config) { c.storage, c.storageSet = s, true })
}

// WithHistogram sets the range, precision and windows of a latency SLI's
// histogram; zero fields keep their defaults (1 µs to 1 h, two significant
// digits, windows of 1m, 5m and 1h). Invalid values fail NewLatency with
// histogram.ErrInvalidConfig. Only NewLatency takes it: other constructors
// fail with ErrInvalidOption.
func WithHistogram(c histogram.Config) Option {
	return optionFunc(func(cfg *config) { cfg.hist, cfg.histSet = c, true })
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}
