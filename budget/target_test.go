package budget_test

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nines-slo/nines/budget"
)

const (
	day     = 24 * time.Hour
	year    = 365 * day
	quarter = 90 * day
	month   = 30 * day
)

// TestAllowedDowntimeTable reproduces every cell of the error-budget table in
// docs/concepts.md: exactly to the nanosecond, and as printed there (the printed
// cells are rounded to the digits shown).
func TestAllowedDowntimeTable(t *testing.T) {
	tests := []struct {
		objective float64
		period    time.Duration
		exact     time.Duration
		printed   string
	}{
		{0.90, year, 876 * time.Hour, "36.5 days"},
		{0.90, quarter, 216 * time.Hour, "9 days"},
		{0.90, month, 72 * time.Hour, "3 days"},
		{0.95, year, 438 * time.Hour, "18.25 days"},
		{0.95, quarter, 108 * time.Hour, "4.5 days"},
		{0.95, month, 36 * time.Hour, "1.5 days"},
		{0.99, year, 87*time.Hour + 36*time.Minute, "3.65 days"},
		{0.99, quarter, 21*time.Hour + 36*time.Minute, "21.6 hours"},
		{0.99, month, 7*time.Hour + 12*time.Minute, "7.2 hours"},
		{0.995, year, 43*time.Hour + 48*time.Minute, "1.83 days"},
		{0.995, quarter, 10*time.Hour + 48*time.Minute, "10.8 hours"},
		{0.995, month, 3*time.Hour + 36*time.Minute, "3.6 hours"},
		{0.999, year, 8*time.Hour + 45*time.Minute + 36*time.Second, "8.76 hours"},
		{0.999, quarter, 2*time.Hour + 9*time.Minute + 36*time.Second, "2.16 hours"},
		{0.999, month, 43*time.Minute + 12*time.Second, "43.2 minutes"},
		{0.9995, year, 4*time.Hour + 22*time.Minute + 48*time.Second, "4.38 hours"},
		{0.9995, quarter, time.Hour + 4*time.Minute + 48*time.Second, "1.08 hours"},
		{0.9995, month, 21*time.Minute + 36*time.Second, "21.6 minutes"},
		{0.9999, year, 52*time.Minute + 33*time.Second + 600*time.Millisecond, "52.6 minutes"},
		{0.9999, quarter, 12*time.Minute + 57*time.Second + 600*time.Millisecond, "12.96 minutes"},
		{0.9999, month, 4*time.Minute + 19*time.Second + 200*time.Millisecond, "4.32 minutes"},
		{0.99999, year, 5*time.Minute + 15*time.Second + 360*time.Millisecond, "5.26 minutes"},
		{0.99999, quarter, time.Minute + 17*time.Second + 760*time.Millisecond, "1.30 minutes"},
		{0.99999, month, 25*time.Second + 920*time.Millisecond, "25.9 seconds"},
	}
	for _, tt := range tests {
		name := strconv.FormatFloat(tt.objective*100, 'f', -1, 64) + "%/" + (tt.period / day).String()
		t.Run(name, func(t *testing.T) {
			target, err := budget.NewTarget(tt.objective, tt.period)
			if err != nil {
				t.Fatal(err)
			}
			got := target.AllowedDowntime()
			if got != tt.exact {
				t.Errorf("AllowedDowntime() = %v, want exactly %v", got, tt.exact)
			}
			checkPrinted(t, got, tt.printed)
		})
	}
}

// checkPrinted checks that d, expressed in the unit of printed, rounds to
// the digits printed.
func checkPrinted(t *testing.T, d time.Duration, printed string) {
	t.Helper()
	num, unit, _ := strings.Cut(printed, " ")
	units := map[string]time.Duration{"days": day, "hours": time.Hour, "minutes": time.Minute, "seconds": time.Second}
	want, err := strconv.ParseFloat(num, 64)
	if err != nil || units[unit] == 0 {
		t.Fatalf("bad printed cell %q", printed)
	}
	decimals := 0
	if _, frac, ok := strings.Cut(num, "."); ok {
		decimals = len(frac)
	}
	got := float64(d) / float64(units[unit])
	if tol := 0.5*math.Pow(10, -float64(decimals)) + 1e-9; math.Abs(got-want) > tol {
		t.Errorf("%v is %v %s, printed as %s", d, got, unit, printed)
	}
}

func TestNewTargetRejects(t *testing.T) {
	tests := []struct {
		name      string
		objective float64
		period    time.Duration
		want      error
	}{
		{"objective zero", 0, month, budget.ErrInvalidObjective},
		{"objective one", 1, month, budget.ErrInvalidObjective},
		{"objective NaN", math.NaN(), month, budget.ErrInvalidObjective},
		{"objective +Inf", math.Inf(1), month, budget.ErrInvalidObjective},
		{"objective -Inf", math.Inf(-1), month, budget.ErrInvalidObjective},
		{"objective negative", -0.5, month, budget.ErrInvalidObjective},
		{"objective a percent", 99.9, month, budget.ErrInvalidObjective},
		{"period zero", 0.999, 0, budget.ErrInvalidPeriod},
		{"period negative", 0.999, -time.Hour, budget.ErrInvalidPeriod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := budget.NewTarget(tt.objective, tt.period)
			if !errors.Is(err, tt.want) {
				t.Fatalf("NewTarget(%v, %v) error = %v, want %v", tt.objective, tt.period, err, tt.want)
			}
			field := "objective"
			if tt.want == budget.ErrInvalidPeriod {
				field = "period"
			}
			if !strings.Contains(err.Error(), field) {
				t.Errorf("error %q does not name the field %q", err, field)
			}
		})
	}
}

func TestNewTargetAcceptsAnyRatio(t *testing.T) {
	for _, o := range []float64{math.SmallestNonzeroFloat64, 0.5, 0.9, 0.99999, math.Nextafter(1, 0)} {
		target, err := budget.NewTarget(o, month)
		if err != nil {
			t.Errorf("NewTarget(%v) = %v", o, err)
			continue
		}
		if r := target.ErrorRate(); !(r > 0) {
			t.Errorf("NewTarget(%v).ErrorRate() = %v, want > 0", o, r)
		}
	}
}

func TestBurnRate(t *testing.T) {
	target := budget.MustTarget(0.999, month)
	tests := []struct {
		name        string
		good, valid float64
		want        float64
		err         error
	}{
		{"no errors", 1000, 1000, 0, nil},
		{"exactly sustainable", 999, 1000, 1, nil},
		{"page threshold", 9856, 10000, 14.4, nil},
		{"everything failing", 0, 10, 1000, nil},
		{"no data", 0, 0, 0, budget.ErrNoData},
		{"good above valid", 11, 10, 0, budget.ErrInvalidEvents},
		{"negative", -1, 10, 0, budget.ErrInvalidEvents},
		{"NaN", 1, math.NaN(), 0, budget.ErrInvalidEvents},
		{"Inf", math.Inf(1), math.Inf(1), 0, budget.ErrInvalidEvents},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := target.BurnRate(tt.good, tt.valid)
			if !errors.Is(err, tt.err) {
				t.Fatalf("BurnRate error = %v, want %v", err, tt.err)
			}
			if math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("BurnRate(%v, %v) = %v, want %v", tt.good, tt.valid, got, tt.want)
			}
		})
	}
}

// TestWorkbookBurnFigures reproduces the SRE Workbook's worked figures for a
// 99.9% objective over 30 days.
func TestWorkbookBurnFigures(t *testing.T) {
	target := budget.MustTarget(0.999, month)
	// One hour at burn rate 14.4 spends 2% of the budget: 10,000 requests
	// an hour for 30 days, 144 of them failed in one hour.
	perHour := 10000.0
	hour, err := target.BurnRate(perHour-144, perHour)
	if err != nil || math.Abs(hour-14.4) > 1e-9 {
		t.Fatalf("burn rate of the bad hour = %v, %v; want 14.4", hour, err)
	}
	month, err := target.Budget(perHour*720-144, perHour*720)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := month.Consumed(); got != 0.02 {
		t.Errorf("one hour at 14.4x spends %v of the budget, want 0.02", got)
	}
	// 10 requests an hour, one failed: 13.9% of the 30-day budget spent.
	b, err := target.Budget(10*24*30-1, 10*24*30)
	if err != nil {
		t.Fatal(err)
	}
	c, err := b.Consumed()
	if err != nil {
		t.Fatal(err)
	}
	if math.Round(c*1000)/10 != 13.9 {
		t.Errorf("one failure in 7200 requests consumed %v of the budget, want 13.9%%", c)
	}
}

// TestZeroTarget: the zero Target is refused, never a burn rate of +Inf.
func TestZeroTarget(t *testing.T) {
	var zero budget.Target
	if r, err := zero.BurnRate(90, 100); !errors.Is(err, budget.ErrInvalidObjective) {
		t.Errorf("zero Target's BurnRate = %v, %v; want ErrInvalidObjective", r, err)
	}
	if _, err := zero.Budget(90, 100); !errors.Is(err, budget.ErrInvalidObjective) {
		t.Errorf("zero Target's Budget: %v; want ErrInvalidObjective", err)
	}
}
