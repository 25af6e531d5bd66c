package slo_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// TestCalendarPeriodsExactInEveryZone puts 50 failures in the last 30
// minutes of a period and good events through the next, and checks that
// the next period's status counts exactly its own events (its budget is
// whole; the rolling burn-rate windows may see the failures), in zones whose
// offsets are whole hours, half hours and quarter hours, on the days
// daylight saving time begins and ends, from the period's first hour to its
// last.
func TestCalendarPeriodsExactInEveryZone(t *testing.T) {
	zones := []string{"UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "Asia/Kathmandu", "Australia/Eucla", "Australia/Lord_Howe"}
	periods := []struct {
		p     slo.Period
		start func(*time.Location) time.Time
	}{
		{slo.Day, func(l *time.Location) time.Time { return time.Date(2026, 3, 29, 0, 0, 0, 0, l) }},  // Europe springs forward: 23 hours
		{slo.Day, func(l *time.Location) time.Time { return time.Date(2026, 10, 25, 0, 0, 0, 0, l) }}, // and falls back: 25 hours
		{slo.Week, func(l *time.Location) time.Time { return time.Date(2026, 3, 23, 0, 0, 0, 0, l) }},
		{slo.Month, func(l *time.Location) time.Time { return time.Date(2026, 2, 1, 0, 0, 0, 0, l) }},
		{slo.Quarter, func(l *time.Location) time.Time { return time.Date(2026, 4, 1, 0, 0, 0, 0, l) }},
		{slo.Year, func(l *time.Location) time.Time { return time.Date(2027, 1, 1, 0, 0, 0, 0, l) }},
	}
	for _, zone := range zones {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatalf("time zone %s: %v", zone, err)
		}
		for _, pp := range periods {
			w := slo.Calendar(pp.p, loc)
			start := pp.start(loc)
			if s, _ := w.Bounds(start.Add(time.Hour)); !s.Equal(start) {
				t.Fatalf("%s: period starts %v, the test assumed %v", w, s, start)
			}
			_, end := w.Bounds(start)
			for _, into := range []time.Duration{time.Hour, 7 * time.Hour, end.Sub(start) / 2, end.Sub(start) - time.Minute} {
				t.Run(fmt.Sprintf("%s/%s/%v", zone, pp.p, into), func(t *testing.T) {
					at := start.Add(into)
					clock := ninestest.NewClock(at)
					r := ratio(t, clock, sli.WithStorage(sli.Storage{Retention: 400 * day}))
					o := objective(t, slo.Config{Name: "a", SLI: r, Target: 0.99, Window: w}, clock)
					for k := range 50 { // the last 30 minutes of the previous period
						r.RecordAt(start.Add(-time.Nanosecond-time.Duration(k)*36*time.Second), sli.Bad)
					}
					good := 0
					step := max(into/500, time.Minute)
					for ts := start; !ts.After(at); ts = ts.Add(step) {
						r.RecordAt(ts, sli.Good)
						good++
					}
					s, err := o.Status()
					if err != nil {
						t.Fatal(err)
					}
					left, _ := s.Remaining()
					if !s.Start.Equal(start) || s.Good != float64(good) || s.Valid != float64(good) || left != 1 {
						t.Errorf("status at %v (%v into the period): start %v, %v good of %v valid, %v of the budget left; want start %v, %d of %d, all of it",
							at, into, s.Start, s.Good, s.Valid, left, start, good, good)
					}
				})
			}
		}
	}
}
