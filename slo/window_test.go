package slo_test

import (
	"testing"
	"time"

	"github.com/nines-slo/nines/slo"
)

func TestCalendarBounds(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	at := time.Date(2026, 11, 19, 15, 4, 5, 0, time.UTC) // a Thursday
	tests := []struct {
		w          slo.Window
		start, end time.Time
		length     time.Duration
	}{
		{slo.Calendar(slo.Day, nil), time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), 24 * time.Hour},
		{slo.Calendar(slo.Week, nil), time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), 7 * 24 * time.Hour},
		{slo.Calendar(slo.Month, nil), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), 30 * 24 * time.Hour},
		{slo.Calendar(slo.Quarter, nil), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 92 * 24 * time.Hour},
		{slo.Calendar(slo.Year, nil), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 365 * 24 * time.Hour},
		{slo.Calendar(slo.Month, paris), time.Date(2026, 11, 1, 0, 0, 0, 0, paris), time.Date(2026, 12, 1, 0, 0, 0, 0, paris), 30 * 24 * time.Hour},
		{slo.Rolling(time.Hour), at.Add(-time.Hour), at, time.Hour},
		{slo.Window{}, at.Add(-30 * 24 * time.Hour), at, 30 * 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.w.String(), func(t *testing.T) {
			start, end := tt.w.Bounds(at)
			if !start.Equal(tt.start) || !end.Equal(tt.end) {
				t.Errorf("Bounds = [%v, %v), want [%v, %v)", start, end, tt.start, tt.end)
			}
			if got := tt.w.Length(at); got != tt.length {
				t.Errorf("Length = %v, want %v", got, tt.length)
			}
		})
	}
	// A Sunday belongs to the week that began on Monday.
	sunday := time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)
	if start, _ := slo.Calendar(slo.Week, nil).Bounds(sunday); !start.Equal(time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("week of Sunday 22nd starts %v, want Monday 16th", start)
	}
	// The day clocks go back in Paris has 25 hours.
	if got := slo.Calendar(slo.Day, paris).Length(time.Date(2026, 10, 25, 12, 0, 0, 0, paris)); got != 25*time.Hour {
		t.Errorf("25 October 2026 in Paris lasts %v, want 25h", got)
	}
}
