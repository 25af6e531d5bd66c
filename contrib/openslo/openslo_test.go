package ninesopenslo_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	ninesopenslo "github.com/nines-slo/nines/contrib/openslo"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

const day = 24 * time.Hour

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with the file, or rewrites it under -update. The
// files are also what the schematest module validates against
// OpenSLO's JSON schema.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(name, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s (-want +got):\n%s", name, cmp.Diff(string(want), string(got)))
	}
}

// at is the time the tests write calendar thresholds for.
var at = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// fleet is a registry of every kind of objective Write writes.
func fleet(t testing.TB) *slo.Registry {
	t.Helper()
	kolkata, stJohns := zone(t, "Asia/Kolkata"), zone(t, "America/St_Johns")
	configs := []slo.Config{{
		Name:   "checkout GET /cart availability",
		SLI:    must(sli.NewRatio()),
		Target: 0.9995,
		Metadata: slo.Metadata{
			Service: "checkout", Owner: "team-payments", Description: "the cart loads",
			Requests: "GET /cart", Source: "middleware", Runbook: "https://runbooks.example/cart",
		},
		AlertLabels:      map[string]string{"tier": "1"},
		AlertAnnotations: map[string]string{"dashboard": "https://grafana.example/d/cart"},
	}, {
		Name:   "checkout GET /cart latency",
		SLI:    must(sli.NewLatency(300 * time.Millisecond)),
		Target: 0.99,
		Window: slo.Calendar(slo.Month, kolkata),
		AtRisk: 0.5, ExhaustionWindow: time.Hour,
		Metadata: slo.Metadata{Service: "checkout", Owner: "team-payments"},
		Alerts: []slo.AlertRule{
			{Name: "page-1h", Severity: slo.Page, Long: time.Hour, Short: 5 * time.Minute, BudgetFraction: 0.02, MinEvents: 50},
			{Name: "page-gone-in-4h", Severity: slo.Page, Long: time.Hour, Short: 5 * time.Minute, Exhaustion: 4 * time.Hour},
		},
	}, {
		Name:   "search p99 minutes",
		SLI:    must(sli.NewLatencySlices(0.99, 250*time.Millisecond, sli.WithSlice(5*time.Minute), sli.WithEmptySlices(sli.EmptyGood))),
		Target: 0.99,
		Window: slo.Rolling(28 * day),
	}, {
		Name:     "search good half-minutes",
		SLI:      must(sli.NewRatioSlices(0.95, sli.WithSlice(30*time.Second))),
		Target:   0.999,
		Window:   slo.Calendar(slo.Week, stJohns),
		Metadata: slo.Metadata{Service: "search"},
		Alerts:   []slo.AlertRule{},
	}, {
		Name:   "Batch/Nightly", // a name that needs its annotation
		SLI:    must(sli.NewRatio(sli.WithStorage(sli.Storage{Retention: 400 * day}))),
		Target: 0.95,
		Window: slo.Calendar(slo.Quarter, time.UTC),
	}}
	r := must(slo.NewRegistry())
	for _, c := range configs {
		if err := r.Add(must(slo.New(c))); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// kind describes an SLI by what Read builds it from.
func kind(s sli.Source) string {
	switch s := s.(type) {
	case *sli.Ratio:
		return "ratio"
	case *sli.Latency:
		return fmt.Sprintf("latency ≤ %v", s.Threshold())
	case sli.SliceSource:
		sl := s.Slicing()
		return fmt.Sprintf("%T %v, empty %v", s, sl, sl.Empty)
	}
	return fmt.Sprintf("%T", s)
}

var configDiff = cmp.Options{
	cmp.Comparer(func(a, b slo.Window) bool {
		start, end := a.Bounds(at)
		start2, end2 := b.Bounds(at)
		return a.String() == b.String() && start.Equal(start2) && end.Equal(end2)
	}),
	cmp.Transformer("kind", func(s sli.Source) string { return kind(s) }),
}

func configs(r *slo.Registry) []slo.Config {
	var cs []slo.Config
	for _, o := range r.Objectives() {
		cs = append(cs, o.Config())
	}
	return cs
}

func write(t testing.TB, r *slo.Registry) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := ninesopenslo.Write(&buf, r, ninesopenslo.Config{At: at}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Objectives written and read back are the same objectives: name, target,
// window, SLI kind and parameters, metadata, alert rules and settings;
// and writing what was read writes the same bytes.
func TestRoundTripFromNines(t *testing.T) {
	r := fleet(t)
	out := write(t, r)
	golden(t, "testdata/fleet.yaml", out)
	read, err := ninesopenslo.Read(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("Read: %v\n%s", err, out)
	}
	again := must(slo.NewRegistry())
	for _, c := range read {
		if err := again.Add(must(slo.New(c))); err != nil {
			t.Fatal(err)
		}
	}
	want, got := configs(r), configs(again)
	sortConfigs(want)
	sortConfigs(got)
	if diff := cmp.Diff(want, got, configDiff); diff != "" {
		t.Errorf("read back (-written +read):\n%s\n%s", diff, out)
	}
	if out2 := write(t, again); !bytes.Equal(out, out2) {
		t.Errorf("written again differs:\n%s", cmp.Diff(string(out), string(out2)))
	}
}

func sortConfigs(cs []slo.Config) {
	for i := range cs {
		for j := i + 1; j < len(cs); j++ {
			if cs[j].Name < cs[i].Name {
				cs[i], cs[j] = cs[j], cs[i]
			}
		}
	}
}

// What Write writes for one objective, in full: the mapping table's
// promises, field by field.
func TestWriteGolden(t *testing.T) {
	r := must(slo.NewRegistry(must(slo.New(slo.Config{
		Name:     "checkout GET /cart availability",
		SLI:      must(sli.NewRatio()),
		Target:   0.9995,
		Metadata: slo.Metadata{Service: "checkout", Owner: "team-payments", Description: "the cart loads"},
		Alerts:   slo.DefaultAlerts()[:1],
	}))))
	golden(t, "testdata/golden.yaml", write(t, r))
}

// A file written elsewhere, the way OpenSLO's own examples write them:
// references and inline objects, threshold metrics, targetPercent, a
// calendar month in New York, conditions by reference.
func TestReadForeign(t *testing.T) {
	f, err := os.Open("testdata/foreign.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ninesopenslo.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	newYork := zone(t, "America/New_York")
	want := []slo.Config{{
		Name:     "web-availability",
		SLI:      must(sli.NewRatio()),
		Target:   0.9995,
		Window:   slo.Calendar(slo.Month, newYork),
		Metadata: slo.Metadata{Service: "web-shop", Description: "Pages load without a server error."},
		Alerts: []slo.AlertRule{
			{Name: "fast-burn", Severity: slo.Page, Long: time.Hour, Short: 5 * time.Minute, BudgetFraction: 14.4 * float64(time.Hour) / float64(31*day)},
			{Name: "slow-burn", Severity: slo.Ticket, Long: 3 * day, Short: 6 * time.Hour, BudgetFraction: 0.1 * 30 / 31},
		},
	}, {
		Name:     "web-latency",
		SLI:      must(sli.NewLatency(400 * time.Millisecond)),
		Target:   0.99,
		Window:   slo.Rolling(28 * day),
		Metadata: slo.Metadata{Service: "web-shop"},
		Alerts:   []slo.AlertRule{},
	}, {
		Name:     "api-p95-minutes",
		SLI:      must(sli.NewLatencySlices(0.95, 250*time.Millisecond, sli.WithSlice(time.Minute))),
		Target:   0.999,
		Window:   slo.Rolling(7 * day),
		Metadata: slo.Metadata{Service: "api"},
		Alerts:   []slo.AlertRule{},
	}, {
		Name:     "api-good-slices",
		SLI:      must(sli.NewRatioSlices(0.9, sli.WithSlice(2*time.Minute))),
		Target:   0.95,
		Window:   slo.Rolling(slo.DefaultWindow),
		Metadata: slo.Metadata{Service: "api"},
		Alerts:   []slo.AlertRule{},
	}}
	// The month's thresholds depend on its length now; the file's
	// thresholds were written for December's 31 days.
	month := float64(slo.Calendar(slo.Month, newYork).Length(time.Now()))
	for i, f := range []float64{14.4 * float64(time.Hour), 1 * float64(3*day)} {
		want[0].Alerts[i].BudgetFraction = round15(f / month)
	}
	if diff := cmp.Diff(want, got, configDiff); diff != "" {
		t.Errorf("Read (-want +got):\n%s", diff)
	}
}

func round15(f float64) float64 {
	var g float64
	fmt.Sscanf(fmt.Sprintf("%.15g", f), "%g", &g)
	return g
}

// OpenSLO names are DNS labels; nines names are anything printable.
// Every written name is a label, distinct, and reads back as the nines
// name.
func TestNames(t *testing.T) {
	long := strings.Repeat("very long objective name ", 5)
	names := []string{
		"checkout GET /users/{id} availability",
		"checkout-get-users-id-availability", // meets the one above
		"Checkout GET /users/{id} availability",
		long + "one", long + "two", // share a 63-character beginning
		"ünïcode ✓", "--", "a",
	}
	r := must(slo.NewRegistry())
	for _, n := range names {
		if err := r.Add(must(slo.New(slo.Config{Name: n, SLI: must(sli.NewRatio()), Target: 0.99, Alerts: []slo.AlertRule{}}))); err != nil {
			t.Fatal(err)
		}
	}
	out := write(t, r)
	for _, line := range strings.Split(string(out), "\n") {
		name, ok := strings.CutPrefix(line, "  name: ")
		if !ok {
			continue
		}
		if !dnsLabel(name) {
			t.Errorf("name %q is not a DNS label", name)
		}
	}
	read, err := ninesopenslo.Read(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range read {
		got = append(got, c.Name)
	}
	want := append([]string(nil), names...)
	sortStrings(want)
	sortStrings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names read back (-want +got):\n%s\n%s", diff, out)
	}
	for _, want := range []string{
		"name: checkout-get-users-id-availability\n",
		"name: checkout-get-users-id-availability-",
		"name: n-code\n",
		"name: default\n",
		"name: a\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output has no %q", want)
		}
	}
}

func dnsLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func sortStrings(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

// What OpenSLO cannot say is left out of the file with an error naming
// it, and everything else is written.
func TestWriteLeavesOutWhatDoesNotMap(t *testing.T) {
	ratio := must(sli.NewRatio())
	plain := must(slo.New(slo.Config{Name: "plain", SLI: ratio, Target: 0.99}))
	agg := must(sli.NewAggregated([]sli.Part{{Name: "only", SLI: ratio}}))
	for _, c := range []struct {
		config slo.Config
		want   string
	}{
		{slo.Config{Name: "aggregated", SLI: agg, Target: 0.99}, "Aggregated"},
		{slo.Config{Name: "composite", Components: []slo.Component{{Objective: plain}}, Target: 0.99}, "composite"},
		{slo.Config{Name: "ninety seconds", SLI: ratio, Target: 0.99, Window: slo.Rolling(90 * time.Second), Alerts: []slo.AlertRule{}}, "whole number of minutes"},
		{slo.Config{Name: "local", SLI: ratio, Target: 0.99, Window: slo.Calendar(slo.Day, time.Local)}, "Local"},
		{slo.Config{Name: "short alert", SLI: ratio, Target: 0.99, Alerts: []slo.AlertRule{
			{Name: "odd", Severity: slo.Page, Long: time.Hour, Short: 90 * time.Second, BudgetFraction: 0.02}}}, "whole number of minutes"},
	} {
		r := must(slo.NewRegistry(plain, must(slo.New(c.config))))
		var buf bytes.Buffer
		err := ninesopenslo.Write(&buf, r, ninesopenslo.Config{At: at})
		if !errors.Is(err, ninesopenslo.ErrUnsupported) || !strings.Contains(err.Error(), c.config.Name) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Write error %v, want ErrUnsupported naming it and %q", c.config.Name, err, c.want)
		}
		read, err := ninesopenslo.Read(&buf)
		if err != nil || len(read) != 1 || read[0].Name != "plain" {
			t.Errorf("%s: the rest was not written: %v, %d objectives", c.config.Name, err, len(read))
		}
	}
}

// Two objectives whose names and rule names join into the same words
// still get alert policies of their own, and read back.
func TestPolicyNamesStayApart(t *testing.T) {
	ratio := must(sli.NewRatio())
	rule := func(name string) []slo.AlertRule {
		return []slo.AlertRule{{Name: name, Severity: slo.Page, Long: time.Hour, Short: 5 * time.Minute, BudgetFraction: 0.02}}
	}
	r := must(slo.NewRegistry(
		must(slo.New(slo.Config{Name: "a b", SLI: ratio, Target: 0.99, Alerts: rule("c")})),
		must(slo.New(slo.Config{Name: "a", SLI: ratio, Target: 0.99, Alerts: rule("b c")})),
	))
	read, err := ninesopenslo.Read(bytes.NewReader(write(t, r)))
	if err != nil || len(read) != 2 || len(read[0].Alerts) != 1 || len(read[1].Alerts) != 1 {
		t.Fatalf("read back %d objectives: %v", len(read), err)
	}
	if read[0].Alerts[0].Name != "c" || read[1].Alerts[0].Name != "b c" {
		t.Errorf("rules %q and %q", read[0].Alerts[0].Name, read[1].Alerts[0].Name)
	}
}
