package sli

import (
	"fmt"
	"time"

	"github.com/nines-slo/nines/histogram"
)

// Storage describes how an SLI keeps its good and valid counts: fine buckets
// for recent time, coarse buckets beyond, for as long as the retention.
// Counts move from fine to coarse buckets as they age (downsampling); every
// recorded event is in exactly one bucket. Zero fields take the defaults.
//
// Memory is 16 bytes per bucket — FineSpan/Fine fine buckets and
// (Retention−FineSpan)/Coarse + 2 coarse ones — plus 128 bytes of counters
// per shard (four per CPU, 4 to 64 shards). The defaults need about 19 KiB of
// buckets (360 fine, 836 coarse); a 400-day retention about 156 KiB.
type Storage struct {
	// Fine is the width of the recent buckets. Default 1 minute; at least
	// one second.
	Fine time.Duration
	// FineSpan is how far back fine buckets reach: windows up to this long
	// are exact to the Fine bucket. Default 6 hours; a multiple of Fine.
	FineSpan time.Duration
	// Coarse is the width of the older buckets. Default 1 hour; a multiple
	// of Fine.
	Coarse time.Duration
	// Retention is the longest window the SLI answers. Default 35 days
	// (a 30-day objective plus margin); 400 days covers calendar quarters
	// and years. At least FineSpan.
	Retention time.Duration
}

// Default storage.
const (
	DefaultFine      = time.Minute
	DefaultFineSpan  = 6 * time.Hour
	DefaultCoarse    = time.Hour
	DefaultRetention = 35 * 24 * time.Hour
)

// maxBuckets bounds each ring, so that a unit mistake (nanoseconds for
// seconds) is an error rather than gigabytes.
const maxBuckets = 1 << 20

// withDefaults returns s with zero fields replaced by defaults, or an error
// naming the first invalid field.
func (s Storage) withDefaults() (Storage, error) {
	fields := []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"Fine", &s.Fine, DefaultFine},
		{"FineSpan", &s.FineSpan, DefaultFineSpan},
		{"Coarse", &s.Coarse, DefaultCoarse},
		{"Retention", &s.Retention, DefaultRetention},
	}
	for _, f := range fields {
		if *f.v < 0 {
			return s, fmt.Errorf("%w: %s %v is negative", ErrInvalidStorage, f.name, *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	switch {
	case s.Fine < time.Second:
		return s, fmt.Errorf("%w: Fine %v is under one second", ErrInvalidStorage, s.Fine)
	case s.FineSpan%s.Fine != 0:
		return s, fmt.Errorf("%w: FineSpan %v is not a multiple of Fine %v", ErrInvalidStorage, s.FineSpan, s.Fine)
	case s.Coarse%s.Fine != 0:
		return s, fmt.Errorf("%w: Coarse %v is not a multiple of Fine %v", ErrInvalidStorage, s.Coarse, s.Fine)
	case s.Retention < s.FineSpan:
		return s, fmt.Errorf("%w: Retention %v is shorter than FineSpan %v", ErrInvalidStorage, s.Retention, s.FineSpan)
	case s.FineSpan/s.Fine > maxBuckets:
		return s, fmt.Errorf("%w: FineSpan %v ÷ Fine %v needs more than %d buckets", ErrInvalidStorage, s.FineSpan, s.Fine, maxBuckets)
	case s.Retention/s.Coarse > maxBuckets:
		return s, fmt.Errorf("%w: Retention %v ÷ Coarse %v needs more than %d buckets", ErrInvalidStorage, s.Retention, s.Coarse, maxBuckets)
	}
	return s, nil
}

// fineBuckets and coarseBuckets size the two rings. The fine ring holds the
// FineSpan before the current bucket; the coarse ring holds the rest of the
// retention, plus one bucket for each end that may be cut by a bucket
// boundary.
func (s Storage) fineBuckets() int { return int(s.FineSpan / s.Fine) }

func (s Storage) coarseBuckets() int {
	rest := s.Retention - s.FineSpan
	return int((rest+s.Coarse-1)/s.Coarse) + 2
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
