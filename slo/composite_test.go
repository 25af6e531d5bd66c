package slo_test

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// journey is a cart at 99% and a payment at 99.9%, weighted 1 and 3, in a
// composite at 99.5%.
type journey struct {
	clock          *ninestest.Clock
	cart, pay      *sli.Ratio
	cartO, payO, c *slo.Objective
}

func newJourney(t *testing.T, policy slo.NoDataPolicy) *journey {
	t.Helper()
	j := &journey{clock: ninestest.NewClock(t0.Add(2 * day))}
	j.cart, j.pay = ratio(t, j.clock), ratio(t, j.clock)
	j.cartO = objective(t, slo.Config{Name: "cart", SLI: j.cart, Target: 0.99}, j.clock)
	j.payO = objective(t, slo.Config{Name: "pay", SLI: j.pay, Target: 0.999}, j.clock)
	j.c = objective(t, slo.Config{Name: "checkout journey", Target: 0.995, Components: []slo.Component{
		{Objective: j.cartO}, {Objective: j.payO, Weight: 3, WhenNoData: policy}}}, j.clock)
	return j
}

// TestCompositeBurnsAtTheWeightedMean: the composite's burn rate is the
// weighted mean of its components', its budget left the weighted mean of
// theirs, and its counts carry them so that every number of its status
// follows.
func TestCompositeBurnsAtTheWeightedMean(t *testing.T) {
	j := newJourney(t, slo.NoDataIgnore)
	steady(j.cart, j.clock, 48, 2000, 10) // 0.5% bad: burn 0.5 of 1%
	steady(j.pay, j.clock, 48, 1000, 2)   // 0.2% bad: burn 2 of 0.1%
	st, err := j.c.Status()
	if err != nil {
		t.Fatal(err)
	}
	const burn = (0.5 + 3*2) / 4.0
	wantValid := (48*2000 + 3*48*1000) / 4.0
	if !near(st.Valid, wantValid) || !near(st.Valid-st.Good, 0.005*burn*wantValid) {
		t.Errorf("counts %v good of %v, want %v valid, %v bad", st.Good, st.Valid, wantValid, 0.005*burn*wantValid)
	}
	if r, _ := st.Remaining(); !near(r, 1-burn) || st.Attainment != slo.Breached {
		t.Errorf("remaining %v, %v; want %v, breached", r, st.Attainment, 1-burn)
	}
	cartLeft, _ := mustStatus(t, j.cartO).Remaining()
	payLeft, _ := mustStatus(t, j.payO).Remaining()
	if r, _ := st.Remaining(); !near(r, (cartLeft+3*payLeft)/4) {
		t.Errorf("remaining %v, the components' weighted mean %v", r, (cartLeft+3*payLeft)/4)
	}
	for _, b := range st.BurnRates {
		if b.Window == 24*time.Hour && !near(b.Rate, burn) {
			t.Errorf("burn over 1d %v, want %v", b.Rate, burn)
		}
	}
	if len(st.Components) != 2 || st.Components[0].Name != "cart" || !near(st.Components[0].Rate, 0.5) ||
		st.Components[1].Weight != 3 || !near(st.Components[1].Rate, 2) {
		t.Errorf("components %+v", st.Components)
	}

	// A payment outage in the last hour pages on the composite, though
	// the cart alone is fine: (0 + 3 × 1000) ÷ 4 = 750 over 5 minutes.
	for k := range 600 {
		j.pay.RecordAt(j.clock.Now().Add(-time.Duration(k)*time.Second), sli.Bad)
	}
	st, _ = j.c.Status()
	if a := alertNamed(st, "page-1h"); a == nil || !a.Firing {
		t.Errorf("page-1h on the composite: %+v", a)
	}
}

func mustStatus(t *testing.T, o *slo.Objective) slo.Status {
	t.Helper()
	s, err := o.Status()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func alertNamed(s slo.Status, name string) *slo.Alert {
	for i := range s.Alerts {
		if s.Alerts[i].Rule.Name == name {
			return &s.Alerts[i]
		}
	}
	return nil
}

// TestCompositeNoData: a component without events counts as its policy
// says; with no component's events there is no data.
func TestCompositeNoData(t *testing.T) {
	for _, tc := range []struct {
		policy slo.NoDataPolicy
		burn   float64
	}{{slo.NoDataIgnore, 0.5}, {slo.NoDataGood, 0.5 / 4}, {slo.NoDataBad, (0.5 + 3*1000) / 4}} {
		j := newJourney(t, tc.policy)
		if st := mustStatus(t, j.c); !st.NoData {
			t.Errorf("%v: no events anywhere, and data: %+v", tc.policy, st)
		}
		steady(j.cart, j.clock, 48, 2000, 10)
		st := mustStatus(t, j.c)
		if r, _ := st.Remaining(); !near(r, 1-math.Min(tc.burn, 1/0.005)) {
			t.Errorf("%v: remaining %v, want %v", tc.policy, r, 1-tc.burn)
		}
		if got := st.Components[1]; !got.NoData || got.Excluded != (tc.policy == slo.NoDataIgnore) {
			t.Errorf("%v: the payment %+v", tc.policy, got)
		}
	}
}

// TestCompositeSnapshot: a registry that holds only the composite
// snapshots its components' SLIs, and a restore brings its status back.
func TestCompositeSnapshot(t *testing.T) {
	j := newJourney(t, slo.NoDataIgnore)
	steady(j.cart, j.clock, 48, 2000, 10)
	steady(j.pay, j.clock, 48, 1000, 2)
	reg, _ := slo.NewRegistry(j.c)
	var buf bytes.Buffer
	if err := reg.Snapshot(&buf); err != nil {
		t.Fatal(err)
	}
	k := newJourney(t, slo.NoDataIgnore)
	k.clock.Set(j.clock.Now())
	reg2, _ := slo.NewRegistry(k.c)
	if skipped, err := reg2.Restore(&buf); err != nil || len(skipped) != 0 {
		t.Fatalf("Restore: skipped %v, %v", skipped, err)
	}
	before, after := mustStatus(t, j.c), mustStatus(t, k.c)
	if !near(before.Good, after.Good) || !near(before.Valid, after.Valid) {
		t.Errorf("restored %v of %v, before %v of %v", after.Good, after.Valid, before.Good, before.Valid)
	}
}

// TestCompositeOfComposites: a composite may be a component, and a
// time-slice objective too.
func TestCompositeOfComposites(t *testing.T) {
	j := newJourney(t, slo.NoDataIgnore)
	steady(j.cart, j.clock, 48, 2000, 10)
	steady(j.pay, j.clock, 48, 1000, 2)
	minutes, err := sli.NewRatioSlices(0.9, sli.WithClock(j.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	for m := range 100 {
		o := sli.Good
		if m < 10 {
			o = sli.Bad // 10 bad minutes of 100: 10% at a 95% target, burn 2
		}
		minutes.RecordAt(j.clock.Now().Add(-time.Duration(m)*time.Minute-time.Second), o)
	}
	mo := objective(t, slo.Config{Name: "minutes", SLI: minutes, Target: 0.95}, j.clock)
	top := objective(t, slo.Config{Name: "site", Target: 0.99, Components: []slo.Component{{Objective: j.c}, {Objective: mo}}}, j.clock)
	st := mustStatus(t, top)
	const inner = (0.5 + 3*2) / 4.0
	if r, _ := st.Remaining(); !near(r, 1-(inner+2)/2) {
		t.Errorf("remaining %v, want %v", r, 1-(inner+2)/2)
	}
}

// TestCompositeConfig: what a composite cannot be is refused, naming the
// field.
func TestCompositeConfig(t *testing.T) {
	clock := ninestest.NewClock(t0)
	r := ratio(t, clock)
	a := objective(t, slo.Config{Name: "a", SLI: r, Target: 0.99}, clock)
	hours, _ := sli.NewRatioSlices(0.9, sli.WithClock(clock.Now), sli.WithSlice(time.Hour))
	h := objective(t, slo.Config{Name: "hours", SLI: hours, Target: 0.99, Alerts: []slo.AlertRule{}}, clock)
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	inner := objective(t, slo.Config{Name: "inner", Target: 0.99, Components: []slo.Component{{Objective: h}}}, clock)
	for _, tc := range []struct {
		name string
		c    slo.Config
	}{
		{"SLI and Components", slo.Config{SLI: r, Components: []slo.Component{{Objective: a}}}},
		{"nil objective", slo.Config{Components: []slo.Component{{}}}},
		{"twice", slo.Config{Components: []slo.Component{{Objective: a}, {Objective: a}}}},
		{"negative weight", slo.Config{Components: []slo.Component{{Objective: a, Weight: -1}}}},
		{"weight NaN", slo.Config{Components: []slo.Component{{Objective: a, Weight: math.NaN()}}}},
		{"policy 9", slo.Config{Components: []slo.Component{{Objective: a, WhenNoData: 9}}}},
		{"hour slices in a Kolkata month", slo.Config{Window: slo.Calendar(slo.Month, kolkata), Components: []slo.Component{{Objective: h}}}},
		{"an alert shorter than a component's slice", slo.Config{Components: []slo.Component{{Objective: h}},
			Alerts: []slo.AlertRule{{Name: "fast", Severity: slo.Page, Long: 6 * time.Hour, Short: 30 * time.Minute, BudgetFraction: 0.05}}}},
		{"a component that does not retain the window", slo.Config{Window: slo.Rolling(90 * day), Components: []slo.Component{{Objective: a}}}},
		// A composite's slices, at any depth, tile the window as its own do.
		{"hour slices in 90 minutes, a level down", slo.Config{Window: slo.Rolling(90 * time.Minute), Components: []slo.Component{{Objective: inner}}}},
		{"hour slices in a Kolkata month, a level down", slo.Config{Window: slo.Calendar(slo.Month, kolkata), Components: []slo.Component{{Objective: inner}}}},
	} {
		tc.c.Name, tc.c.Target = "x", 0.99
		if _, err := slo.New(tc.c, slo.WithClock(clock.Now)); !errors.Is(err, slo.ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", tc.name, err)
		}
	}
}

// TestCompositeComponentShorterThanItsSlices: over a window shorter than a
// component's slices (mostly none of them, now and then one) the component
// is left out, whatever its WhenNoData; one level down too, where a
// composite of such components has no data.
func TestCompositeComponentShorterThanItsSlices(t *testing.T) {
	for _, policy := range []slo.NoDataPolicy{slo.NoDataIgnore, slo.NoDataGood, slo.NoDataBad} {
		clock := ninestest.NewClock(t0.Add(2 * day))
		cart := ratio(t, clock)
		steady(cart, clock, 48, 1000, 0) // perfect
		days, err := sli.NewRatioSlices(0.9, sli.WithClock(clock.Now), sli.WithSlice(day))
		if err != nil {
			t.Fatal(err)
		}
		for h := range 48 {
			days.RecordAt(clock.Now().Add(-time.Duration(h)*time.Hour-time.Second), sli.Good) // perfect
		}
		cartO := objective(t, slo.Config{Name: "cart", SLI: cart, Target: 0.99}, clock)
		daysO := objective(t, slo.Config{Name: "days", SLI: days, Target: 0.8}, clock)
		daysOnly := objective(t, slo.Config{Name: "days only", Target: 0.8, Components: []slo.Component{{Objective: daysO, WhenNoData: policy}}}, clock)
		for _, c := range []*slo.Objective{
			objective(t, slo.Config{Name: "direct", Target: 0.99, Components: []slo.Component{{Objective: cartO}, {Objective: daysO, WhenNoData: policy}}}, clock),
			objective(t, slo.Config{Name: "nested", Target: 0.99, Components: []slo.Component{{Objective: cartO}, {Objective: daysOnly, WhenNoData: policy}}}, clock),
		} {
			st := mustStatus(t, c)
			if len(st.Alerts) != 0 {
				t.Errorf("%s, %v: alerts %+v; every default rule reads a window shorter than a day", c.Name(), policy, st.Alerts)
			}
			for _, b := range st.BurnRates {
				if b.NoData || b.Rate != 0 {
					t.Errorf("%s, %v: burn over %v %+v, want 0: both components are perfect", c.Name(), policy, b.Window, b)
				}
			}
			if got := st.Components[1]; got.Excluded || got.NoData || got.Rate != 0 {
				t.Errorf("%s, %v: over the 30-day window, the day component %+v", c.Name(), policy, got)
			}
			// Over 5 minutes, mid-day and 2 minutes after midnight (when the
			// window holds the day's slice), the composite is its cart.
			for _, at := range []time.Time{clock.Now(), clock.Now().Add(-8*time.Hour - 58*time.Minute)} {
				got, err := c.SLI().CountsAt(at, 5*time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				if want, _ := cart.CountsAt(at, 5*time.Minute); got != want {
					t.Errorf("%s, %v: at %v, over 5 minutes %+v, want the cart's %+v", c.Name(), policy, at.Format(time.Kitchen), got, want)
				}
			}
		}
	}
}
