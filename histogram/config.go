package histogram

import (
	"fmt"
	"slices"
	"time"

	"github.com/nines-slo/nines/internal/window"
)

// Config describes a Recorder: the range and precision of its histograms
// and the windows it keeps. Zero fields take the defaults.
type Config struct {
	// Lowest is the smallest value tracked at full precision. Smaller
	// values are counted at Lowest and in Underflow. Default 1 µs; at least
	// 1 ns.
	Lowest time.Duration
	// Highest is the largest value tracked. Larger values are counted at
	// Highest and in Overflow. Default 1 hour; at least 2 × Lowest.
	Highest time.Duration
	// Digits is the precision in significant decimal digits, 1 to 3.
	// Default 2: every value is held within 1/128 (0.78%), which keeps
	// quantiles within 1% in 14 KiB per histogram; 3 digits hold 0.1% in
	// about 94 KiB.
	Digits int
	// Windows are the spans of recent time the recorder answers for, at
	// most 8, each a whole number of seconds, at least 10. Default 1
	// minute, 5 minutes and 1 hour. Each window is kept in cells of a
	// tenth of it (rounded down to a multiple of the previous window's
	// cells), so that its far edge, rounded to the nearest cell boundary,
	// is within 5% of its length; the shortest window's cells are the
	// recorder's tick.
	Windows []time.Duration
}

// Defaults.
const (
	DefaultLowest  = time.Microsecond
	DefaultHighest = time.Hour
	DefaultDigits  = 2
)

// DefaultWindows returns the default windows: 1m, 5m and 1h.
func DefaultWindows() []time.Duration {
	return []time.Duration{time.Minute, 5 * time.Minute, time.Hour}
}

// cellsPerWindow is how many cells each window is kept in, at least: its
// far edge is rounded to the nearest cell boundary, half a cell, 5% of it.
// Ten, not the fifty that 2% would take, because a cell of latencies
// costs a byte or two per occupied bucket where a cell of counts costs four
// bytes: memory comes first.
const cellsPerWindow = 10

const maxWindows = 8

// withDefaults fills zero fields and validates the rest.
func (c Config) withDefaults() (Config, layout, error) {
	if c.Lowest == 0 {
		c.Lowest = DefaultLowest
	}
	if c.Highest == 0 {
		c.Highest = DefaultHighest
	}
	if c.Digits == 0 {
		c.Digits = DefaultDigits
	}
	if len(c.Windows) == 0 {
		c.Windows = DefaultWindows()
	} else {
		c.Windows = slices.Clone(c.Windows)
		slices.Sort(c.Windows)
	}
	switch {
	case c.Lowest < 0:
		return c, layout{}, fmt.Errorf("%w: Lowest %v is negative", ErrInvalidConfig, c.Lowest)
	case c.Highest < 2*c.Lowest:
		return c, layout{}, fmt.Errorf("%w: Highest %v is below twice Lowest %v", ErrInvalidConfig, c.Highest, c.Lowest)
	case c.Digits < 1 || c.Digits > 3:
		return c, layout{}, fmt.Errorf("%w: Digits %d not in [1, 3]", ErrInvalidConfig, c.Digits)
	case len(c.Windows) > maxWindows:
		return c, layout{}, fmt.Errorf("%w: %d Windows, at most %d", ErrInvalidConfig, len(c.Windows), maxWindows)
	}
	for i, w := range c.Windows {
		switch {
		case w < 10*time.Second || w%time.Second != 0 || w > 100*24*time.Hour:
			return c, layout{}, fmt.Errorf("%w: Windows[%d] %v is not a whole number of seconds from 10s to 100 days", ErrInvalidConfig, i, w)
		case i > 0 && w == c.Windows[i-1]:
			return c, layout{}, fmt.Errorf("%w: Windows has %v twice", ErrInvalidConfig, w)
		}
	}
	lay, err := newLayout(int64(c.Lowest), int64(c.Highest), int32(c.Digits))
	if err != nil {
		return c, layout{}, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	return c, lay, nil
}

// levels returns the recorder's ladder of cells: per window, cells of a
// tenth of it (a multiple of the previous window's), kept for the window
// and one cell more.
func (c Config) levels() []window.Level {
	var levels []window.Level
	width := time.Duration(0)
	for _, w := range c.Windows {
		if width == 0 {
			width = max(w/cellsPerWindow/time.Second, 1) * time.Second
		} else {
			width *= max(w/cellsPerWindow/width, 1)
		}
		span := w + width
		if n := len(levels); n > 0 && levels[n-1].Width == width {
			levels[n-1].Span = span // a window too close to the previous one for wider cells
			continue
		}
		levels = append(levels, window.Level{Width: width, Span: span, Block: 1})
	}
	return levels
}

// Option configures a Recorder.
type Option interface {
	apply(*options)
}

type options struct {
	now func() time.Time
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithClock makes the recorder read time from now instead of the wall
// clock, for tests and for replaying values with their own times. With a
// clock set, every Record reads it; with the default clock, Record reads no
// clock and a timer rotates the windows. nil restores the wall clock.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(o *options) { o.now = now })
}
