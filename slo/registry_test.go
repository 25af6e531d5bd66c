package slo_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

func TestRegistry(t *testing.T) {
	clock := ninestest.NewClock(t0)
	a := objective(t, slo.Config{Name: "a", SLI: ratio(t, clock), Target: 0.99}, clock)
	b := objective(t, slo.Config{Name: "b", SLI: ratio(t, clock), Target: 0.999}, clock)
	again := objective(t, slo.Config{Name: "a", SLI: ratio(t, clock), Target: 0.9}, clock)
	reg, err := slo.NewRegistry(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Add(again); !errors.Is(err, slo.ErrDuplicateName) {
		t.Errorf("Add(duplicate) error = %v, want ErrDuplicateName", err)
	}
	if _, err := slo.NewRegistry(a, again); !errors.Is(err, slo.ErrDuplicateName) {
		t.Errorf("NewRegistry(duplicates) error = %v, want ErrDuplicateName", err)
	}
	if got, err := reg.Get("b"); err != nil || got != b {
		t.Errorf("Get(b) = %v, %v", got, err)
	}
	if _, err := reg.Get("c"); !errors.Is(err, slo.ErrNotFound) {
		t.Errorf("Get(c) error = %v, want ErrNotFound", err)
	}
	if objs := reg.Objectives(); len(objs) != 2 || objs[0] != a || objs[1] != b {
		t.Errorf("Objectives() = %v, want [a b]", objs)
	}
	st, err := reg.Status()
	if err != nil || len(st) != 2 || st[0].Name != "a" || st[1].Target != 0.999 {
		t.Errorf("Status() = %+v, %v", st, err)
	}
	var zero slo.Registry
	if err := zero.Add(a); err != nil {
		t.Errorf("zero Registry Add: %v", err)
	}
}

// TestSystemAndComponentBudgets keeps, as docs/concepts.md describes, a budget
// for the whole system (an aggregated SLI over its journeys) beside budgets
// for its critical components: an outage in search spends search's budget
// fast and the system's slowly.
func TestSystemAndComponentBudgets(t *testing.T) {
	clock := ninestest.NewClock(t0.Add(30 * day))
	search, catalog := ratio(t, clock), ratio(t, clock)
	system, err := sli.NewAggregated([]sli.Part{{Name: "search", SLI: search}, {Name: "catalog", SLI: catalog}}, sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := slo.NewRegistry(
		objective(t, slo.Config{Name: "system", SLI: system, Target: 0.999, Metadata: slo.Metadata{Service: "shop"}}, clock),
		objective(t, slo.Config{Name: "search", SLI: search, Target: 0.999, Metadata: slo.Metadata{Service: "search", Owner: "team-search"}}, clock),
		objective(t, slo.Config{Name: "catalog", SLI: catalog, Target: 0.999, Metadata: slo.Metadata{Service: "catalog"}}, clock),
	)
	if err != nil {
		t.Fatal(err)
	}
	steady(search, clock, 720, 100, 0)
	steady(catalog, clock, 720, 900, 0)
	// An incident 20 days ago: 54 failed searches, 75% of search's budget.
	for i := range 55 {
		search.RecordAt(clock.Now().Add(-20*day+time.Duration(i)*time.Minute), sli.Bad)
	}
	st, err := reg.Status()
	if err != nil {
		t.Fatal(err)
	}
	left := map[string]float64{}
	for _, s := range st {
		left[s.Name], _ = s.Remaining()
	}
	if got := left["search"]; got > 0.25 || got < 0.23 {
		t.Errorf("search has %v of its budget left, want 24%%", got)
	}
	if got := left["system"]; got > 0.93 || got < 0.92 {
		t.Errorf("the system has %v of its budget left, want 92.5%%", got)
	}
	if left["catalog"] != 1 {
		t.Errorf("catalog has %v of its budget left, want all", left["catalog"])
	}
	if st[1].Attainment != slo.AtRisk || st[0].Attainment != slo.Met {
		t.Errorf("attainment: system %v, search %v; want met, at risk", st[0].Attainment, st[1].Attainment)
	}
	if st[1].Metadata.Owner != "team-search" {
		t.Errorf("status lost the metadata: %+v", st[1].Metadata)
	}
}

func TestLatencyObjective(t *testing.T) {
	clock := ninestest.NewClock(t0)
	l, err := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	o := objective(t, slo.Config{Name: "profile-latency", SLI: l, Target: 0.90,
		Metadata: slo.Metadata{Service: "user-profile", Requests: "GET /users/{id}"}}, clock)
	for ms := 1; ms <= 1000; ms++ {
		l.Record(time.Duration(ms%200) * time.Millisecond) // half within 100 ms
	}
	s, err := o.Status()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Latency) != 3 || s.Latency[0].Window != time.Minute {
		t.Fatalf("latency percentiles = %+v, want one per histogram window", s.Latency)
	}
	if p99 := s.Latency[0].P99; p99 < 195*time.Millisecond || p99 > 200*time.Millisecond {
		t.Errorf("p99 = %v, want about 198ms", p99)
	}
	if s.Attainment != slo.Breached || s.SLI < 0.50 || s.SLI > 0.51 {
		t.Errorf("SLI %v, attainment %v; want about 50%% and breached", s.SLI, s.Attainment)
	}
}

// TestCalendarBudgetStartsFull: a calendar month's budget is full again at
// the first instant of the next month.
func TestCalendarBudgetStartsFull(t *testing.T) {
	clock := ninestest.NewClock(time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC))
	r := ratio(t, clock)
	o := objective(t, slo.Config{Name: "monthly", SLI: r, Target: 0.99, Window: slo.Calendar(slo.Month, nil)}, clock)
	steady(r, clock, 24, 100, 5)
	s, _ := o.Status()
	if left, _ := s.Remaining(); left > 0.6 {
		t.Errorf("end of November: %v of the budget left, want it mostly spent", left)
	}
	if got := s.Budget.Target().AllowedDowntime(); got != 7*time.Hour+12*time.Minute {
		t.Errorf("November allows %v, want 7h12m (1%% of 30 days)", got)
	}
	clock.Set(time.Date(2026, 12, 1, 0, 30, 0, 0, time.UTC))
	for range 100 {
		r.Record(sli.Good)
	}
	s, _ = o.Status()
	if left, _ := s.Remaining(); left != 1 || s.Valid != 100 {
		t.Errorf("December 1st: %v of the budget left over %v events, want all of it over 100", left, s.Valid)
	}
	if got := s.Budget.Target().AllowedDowntime(); got != 7*time.Hour+26*time.Minute+24*time.Second {
		t.Errorf("December allows %v, want 7h26m24s (1%% of 31 days)", got)
	}
}

// failingSource is a user's SLI that cannot answer.
type failingSource struct{ err error }

func (f failingSource) CountsAt(time.Time, time.Duration) (sli.Counts, error) {
	return sli.Counts{}, f.err
}

// TestOneFailureStaysOne: an objective whose SLI fails, registered before
// one in a total outage, is reported failed with its error, and the
// outage is still computed, shown breached and evaluated: its page alert
// fires.
func TestOneFailureStaysOne(t *testing.T) {
	clock := ninestest.NewClock(t0.Add(30 * day))
	boom := errors.New("backend unreachable")
	healthy, down := ratio(t, clock), ratio(t, clock)
	steady(healthy, clock, 2, 600, 0)
	steady(down, clock, 2, 600, 600)
	var fired []string
	handler := slo.WithAlertHandler(func(e slo.AlertEvent) {
		if e.Firing {
			fired = append(fired, e.Objective+"/"+e.Rule.Name)
		}
	})
	reg, err := slo.NewRegistry(
		objective(t, slo.Config{Name: "healthy", SLI: healthy, Target: 0.99}, clock, handler),
		objective(t, slo.Config{Name: "broken", SLI: failingSource{boom}, Target: 0.99, Metadata: slo.Metadata{Owner: "team-x"}}, clock, handler),
		objective(t, slo.Config{Name: "down", SLI: down, Target: 0.99, Alerts: slo.DefaultAlerts()[:1]}, clock, handler),
	)
	if err != nil {
		t.Fatal(err)
	}
	for name, read := range map[string]func() ([]slo.Status, error){
		"Status": reg.Status, "StatusAt": func() ([]slo.Status, error) { return reg.StatusAt(clock.Now()) }, "Evaluate": reg.Evaluate,
	} {
		st, err := read()
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), `"broken"`) {
			t.Errorf("%s error = %v, want the broken objective's", name, err)
		}
		if len(st) != 3 {
			t.Fatalf("%s returned %d statuses, want 3", name, len(st))
		}
		if got := st[1]; got.Attainment != slo.Failed || !errors.Is(got.Err, boom) || got.Name != "broken" ||
			got.Metadata.Owner != "team-x" || got.Target != 0.99 || got.Budget.Target().Period() != 30*day || !got.Exhaustion.NoData {
			t.Errorf("%s: the failed status = %+v", name, got)
		}
		if st[0].Attainment != slo.Met || st[0].Err != nil {
			t.Errorf("%s: healthy = %v, %v", name, st[0].Attainment, st[0].Err)
		}
		if st[2].Attainment != slo.Breached || !st[2].Alerts[0].Firing {
			t.Errorf("%s: down = %v, page alert firing %v", name, st[2].Attainment, st[2].Alerts[0].Firing)
		}
	}
	if len(fired) != 1 || fired[0] != "down/page-1h" {
		t.Errorf("alerts delivered: %v, want down/page-1h once", fired)
	}
	if got := slo.Failed.String(); got != "failed" {
		t.Errorf("Failed.String() = %q", got)
	}
}
