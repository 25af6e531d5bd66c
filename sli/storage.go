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
// Memory follows traffic: a closed cell takes its counts' varint bytes (2
// bytes empty, about 4 at 100 events a second), kept only from the first
// event on, and once a block of 15-minute cells is closed for good it keeps
// only each cell's differences from the one before, in as few bits as they
// need (about 2 bytes a cell at 100 events a second); 35 days at 100 events
// a second take about 8 KiB when the traffic is steady and 15 KiB when it
// varies by 10% from second to second, plus 128 bytes of counters per
// processor (GOMAXPROCS when the SLI was made) and 128 shared by any
// processor past those. Blocks are packed one per 10-second rotation, and
// a block that changes (a state added into its past) is unpacked until its
// turn comes again, so an SLI that takes in states every few minutes holds
// more.
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
		return s, fmt.Errorf("%w: Retention %v is under 1 hour", ErrInvalidConfig, s.Retention)
	case s.Retention/(15*time.Minute) > maxCells:
		return s, fmt.Errorf("%w: Retention %v needs more than %d cells of 15 minutes", ErrInvalidConfig, s.Retention, maxCells)
	}
	return s, nil
}

// Each constructor takes options of its own type, so that an option that
// does not apply to it does not compile: [NewRatio] takes [RatioOption],
// [NewLatency] [LatencyOption], [NewAggregated] [AggregatedOption], the
// time-slice SLIs [SlicesOption]. [WithClock] is an Option, which all take;
// [WithStorage] a [RecordingOption], which all but [NewAggregated] take;
// [WithHistogram] a [LatencyOption]; [WithSlice] and [WithEmptySlices]
// SlicesOptions. Options are
// applied in order; a later one overrides an earlier one of the same kind.
type (
	// RatioOption configures [NewRatio].
	RatioOption interface{ applyRatio(*config) }
	// LatencyOption configures [NewLatency].
	LatencyOption interface{ applyLatency(*config) }
	// AggregatedOption configures [NewAggregated].
	AggregatedOption interface{ applyAggregated(*config) }
	// SlicesOption configures the time-slice SLIs: [NewRatioSlices] and
	// [NewLatencySlices].
	SlicesOption interface{ applySlices(*config) }
	// RecordingOption configures the SLIs that record: [NewRatio],
	// [NewLatency] and the time-slice SLIs.
	RecordingOption interface {
		RatioOption
		LatencyOption
		SlicesOption
	}
	// Option configures every SLI.
	Option interface {
		RecordingOption
		AggregatedOption
	}
)

type config struct {
	now     func() time.Time
	storage Storage
	hist    histogram.Config
	slice   time.Duration // time-slice SLIs: WithSlice
	empty   EmptySlices   // time-slice SLIs: WithEmptySlices
}

// optionFunc is every option: which constructors take it is the type its
// With function returns.
type optionFunc func(*config)

func (f optionFunc) applyRatio(c *config)      { f(c) }
func (f optionFunc) applyLatency(c *config)    { f(c) }
func (f optionFunc) applyAggregated(c *config) { f(c) }
func (f optionFunc) applySlices(c *config)     { f(c) }

// WithClock makes the SLI read time from now instead of the wall clock. Use
// it to test with a fake clock or to replay events with their own times.
// With a clock set, every Record reads it (RecordAt is the same call with a
// time you supply); with the default clock, Record reads no clock at all and
// a timer moves the current cell along. nil restores the wall clock. For
// an Aggregated it sets what Counts calls now.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) { c.now = now })
}

// WithStorage sets the SLI's retention; zero fields keep their defaults.
// Invalid values fail the constructor with [ErrInvalidConfig]. An
// Aggregated has none of its own: its parts hold the data.
func WithStorage(s Storage) RecordingOption {
	return optionFunc(func(c *config) { c.storage = s })
}

// WithHistogram sets the range, precision and windows of a latency SLI's
// histogram; zero fields keep their defaults (1 µs to 1 h, two significant
// digits, windows of 1m, 5m and 1h). Invalid values fail [NewLatency] with
// [histogram.ErrInvalidConfig].
func WithHistogram(c histogram.Config) LatencyOption {
	return optionFunc(func(cfg *config) { cfg.hist = c })
}

// newConfig applies opts with apply, skipping nil ones.
func newConfig[O any](opts []O, apply func(O, *config)) config {
	var c config
	for _, o := range opts {
		if any(o) != nil {
			apply(o, &c)
		}
	}
	return c
}
