package slo

import (
	"fmt"
	"time"
)

// DefaultWindow is the window of an objective that names none: 30 days,
// rolling.
const DefaultWindow = 30 * 24 * time.Hour

// MinWindow is the shortest rolling window an objective takes. A window
// is a budget period, not a burn window: shorter ones hold too few events
// to judge, and the sli package's counts are exact to a 10-second cell
// only from about 4 minutes up.
const MinWindow = time.Minute

// Period is a calendar period for a calendar window.
type Period uint8

// Calendar periods. Weeks start on Monday (ISO 8601); quarters start in
// January, April, July and October.
const (
	Day Period = iota + 1
	Week
	Month
	Quarter
	Year
)

// String returns "day", "week", "month", "quarter" or "year".
func (p Period) String() string {
	switch p {
	case Day:
		return "day"
	case Week:
		return "week"
	case Month:
		return "month"
	case Quarter:
		return "quarter"
	case Year:
		return "year"
	}
	return fmt.Sprintf("Period(%d)", uint8(p))
}

// Window is the span an objective is measured over: rolling (the last 30
// days, whenever you look) or calendar (this month so far, in a time zone).
// A calendar budget starts full at each period boundary. The zero Window is
// the default, 30 days rolling. A Window is a plain value.
type Window struct {
	rolling time.Duration
	set     bool // Rolling was called: a zero d is an error, not the default
	period  Period
	loc     *time.Location // set by Calendar only
}

// Rolling returns a window of the last d, whenever the objective is looked
// at. d must be at least [MinWindow] and a whole number of seconds (a
// Prometheus range names it exactly); [New] refuses another.
func Rolling(d time.Duration) Window { return Window{rolling: d, set: true} }

// Calendar returns a window that runs from the start of the current period
// in loc (UTC if nil) to now, and starts over at each boundary; p must be
// one of [Day], [Week], [Month], [Quarter] and [Year]. Over the
// sli package's SLIs it is exact for the whole period: their counts have a
// cell boundary at every quarter hour, and every local midnight in use
// falls on one (zones 5:30, 5:45 or 8:45 from UTC, and days of 23 or 25
// hours, included).
func Calendar(p Period, loc *time.Location) Window {
	if loc == nil {
		loc = time.UTC
	}
	return Window{period: p, loc: loc}
}

// IsCalendar reports whether the window is a calendar window.
func (w Window) IsCalendar() bool { return w.period != 0 }

// Period returns a calendar window's period, 0 for a rolling one.
func (w Window) Period() Period { return w.period }

func (w Window) check() error {
	switch {
	case w.loc != nil && (w.period < Day || w.period > Year):
		return fmt.Errorf("%w: Window: calendar period %v is not one of day, week, month, quarter and year", ErrInvalidConfig, w.period)
	case w.loc != nil:
	case w.rolling < 0 || w.set && w.rolling == 0:
		return fmt.Errorf("%w: Window %v is not positive", ErrInvalidConfig, w.rolling)
	case w.set && w.rolling < MinWindow:
		return fmt.Errorf("%w: Window %v is shorter than MinWindow %v", ErrInvalidConfig, w.rolling, MinWindow)
	case w.rolling%time.Second != 0:
		return fmt.Errorf("%w: Window %v is not a whole number of seconds", ErrInvalidConfig, w.rolling)
	}
	return nil
}

func (w Window) orDefault() Window {
	if w.period == 0 && w.rolling == 0 {
		return Rolling(DefaultWindow)
	}
	return w
}

// Bounds returns the period the window covers at t: for a rolling window
// (t − d, t]; for a calendar window the calendar period that holds t, from
// its first instant to the first instant of the next.
func (w Window) Bounds(t time.Time) (start, end time.Time) {
	w = w.orDefault()
	if w.period == 0 {
		return t.Add(-w.rolling), t
	}
	l := t.In(w.loc)
	y, m, d := l.Date()
	switch w.period {
	case Day:
		start = time.Date(y, m, d, 0, 0, 0, 0, w.loc)
		end = start.AddDate(0, 0, 1)
	case Week:
		back := (int(l.Weekday()) + 6) % 7 // days since Monday
		start = time.Date(y, m, d-back, 0, 0, 0, 0, w.loc)
		end = start.AddDate(0, 0, 7)
	case Month:
		start = time.Date(y, m, 1, 0, 0, 0, 0, w.loc)
		end = start.AddDate(0, 1, 0)
	case Quarter:
		start = time.Date(y, (m-1)/3*3+1, 1, 0, 0, 0, 0, w.loc)
		end = start.AddDate(0, 3, 0)
	case Year:
		start = time.Date(y, 1, 1, 0, 0, 0, 0, w.loc)
		end = start.AddDate(1, 0, 0)
	}
	return start, end
}

// Length returns the length of the budget period at t: d for a rolling
// window; the whole calendar period (a 31-day month, a 25-hour day of a
// daylight-saving change) for a calendar window.
func (w Window) Length(t time.Time) time.Duration {
	w = w.orDefault()
	if w.period == 0 {
		return w.rolling
	}
	start, end := w.Bounds(t)
	return end.Sub(start)
}

// longest returns the longest span the window can ask its SLI for.
func (w Window) longest() time.Duration {
	w = w.orDefault()
	switch w.period {
	case 0:
		return w.rolling
	case Day:
		return 25 * time.Hour
	case Week:
		return 7*24*time.Hour + time.Hour
	case Month:
		return 31*24*time.Hour + time.Hour
	case Quarter:
		return 92*24*time.Hour + time.Hour
	}
	return 366*24*time.Hour + time.Hour
}

// String describes the window: "30d rolling", "calendar month (Europe/Paris)".
func (w Window) String() string {
	w = w.orDefault()
	if w.period == 0 {
		if w.rolling%(24*time.Hour) == 0 {
			return fmt.Sprintf("%dd rolling", w.rolling/(24*time.Hour))
		}
		return w.rolling.String() + " rolling"
	}
	return "calendar " + w.period.String() + " (" + w.loc.String() + ")"
}
