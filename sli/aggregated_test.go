package sli_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nines-slo/nines/sli"
)

// journey records good events out of valid ones into a new ratio SLI.
func journey(t *testing.T, clock *fakeClock, good, valid int) *sli.Ratio {
	t.Helper()
	r, err := sli.NewRatio(sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	for k := range valid {
		if k < good {
			r.Record(sli.Good)
		} else {
			r.Record(sli.Bad)
		}
	}
	return r
}

// TestBrowseAggregate reproduces the "browse" SLI of docs/concepts.md: four
// journeys, 39980 good of 40000 valid events, 99.95%.
func TestBrowseAggregate(t *testing.T) {
	clock := newFakeClock(t0)
	parts := []sli.Part{
		{Name: "home", SLI: journey(t, clock, 9994, 10000)},
		{Name: "search", SLI: journey(t, clock, 9989, 10000)},
		{Name: "category", SLI: journey(t, clock, 9997, 10000)},
		{Name: "detail", SLI: journey(t, clock, 10000, 10000)},
	}
	browse, err := sli.NewAggregated(parts, sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	got, err := browse.Counts(30 * 24 * time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sli.Counts{Good: 39980, Valid: 40000}, got); diff != "" {
		t.Errorf("browse counts (-want +got):\n%s", diff)
	}
	ratio, err := got.Ratio()
	if err != nil {
		t.Fatal(err)
	}
	if ratio != 0.9995 {
		t.Errorf("browse SLI = %v, want 0.9995", ratio)
	}
	// An aggregate is a Source too: roll it up once more.
	site, err := sli.NewAggregated([]sli.Part{{Name: "browse", SLI: browse}, {Name: "checkout", SLI: journey(t, clock, 990, 1000), Weight: 10}})
	if err != nil {
		t.Fatal(err)
	}
	gotSite, err := site.CountsAt(clock.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sli.Counts{Good: 39980 + 9900, Valid: 50000}, gotSite); diff != "" {
		t.Errorf("weighted site counts (-want +got):\n%s", diff)
	}
	if ps := site.Parts(); ps[0].Weight != 1 || ps[1].Weight != 10 {
		t.Errorf("Parts() weights = %v, %v; want 1 (the default) and 10", ps[0].Weight, ps[1].Weight)
	}
}

func TestNewAggregatedRejects(t *testing.T) {
	r, _ := sli.NewRatio()
	tests := []struct {
		name  string
		parts []sli.Part
		opts  []sli.AggregatedOption
		want  error
	}{
		{"no parts", nil, nil, sli.ErrInvalidConfig},
		{"no name", []sli.Part{{SLI: r}}, nil, sli.ErrInvalidConfig},
		{"duplicate name", []sli.Part{{Name: "a", SLI: r}, {Name: "a", SLI: r}}, nil, sli.ErrInvalidConfig},
		{"no SLI", []sli.Part{{Name: "a"}}, nil, sli.ErrInvalidConfig},
		{"negative weight", []sli.Part{{Name: "a", SLI: r, Weight: -1}}, nil, sli.ErrInvalidConfig},
		{"NaN weight", []sli.Part{{Name: "a", SLI: r, Weight: math.NaN()}}, nil, sli.ErrInvalidConfig},
		{"Inf weight", []sli.Part{{Name: "a", SLI: r, Weight: math.Inf(1)}}, nil, sli.ErrInvalidConfig},
		{"weight 1e308", []sli.Part{{Name: "a", SLI: r, Weight: 1e308}}, nil, sli.ErrInvalidConfig},
		{"weight over MaxWeight", []sli.Part{{Name: "a", SLI: r, Weight: sli.MaxWeight * 1.5}}, nil, sli.ErrInvalidConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := sli.NewAggregated(tt.parts, tt.opts...); !errors.Is(err, tt.want) {
				t.Errorf("NewAggregated error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestAggregatedPartError(t *testing.T) {
	r, _ := sli.NewRatio()
	a, err := sli.NewAggregated([]sli.Part{{Name: "home", SLI: r}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Counts(-time.Hour); !errors.Is(err, sli.ErrInvalidWindow) {
		t.Errorf("Counts(-1h) error = %v, want ErrInvalidWindow", err)
	}
}
