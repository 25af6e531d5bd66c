package statuspage_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nines-slo/nines/exporter/statuspage"
	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// everyCondition returns a registry with an objective in each condition,
// in an order that is not the page's, on a clock at its end.
func everyCondition(t testing.TB) (*slo.Registry, *ninestest.Clock) {
	t.Helper()
	end := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clock := ninestest.NewClock(end)
	ratio := func() *sli.Ratio {
		r, err := sli.NewRatio(sli.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// record counts good and bad events spread over [from, to) before end.
	record := func(r *sli.Ratio, from, to time.Duration, good, bad int) {
		n := good + bad
		step := (from - to) / time.Duration(n)
		for i := range n {
			at := end.Add(-from + time.Duration(i)*step)
			o := sli.Good
			if (i+1)*bad/n > i*bad/n { // bad events evenly spread, exactly bad of them
				o = sli.Bad
			}
			r.RecordAt(at, o)
		}
	}
	met, breached, paging, ticketed, atRisk, quiet := ratio(), ratio(), ratio(), ratio(), ratio(), ratio()
	record(met, 10*24*time.Hour, 0, 10000, 0)
	record(breached, 2*24*time.Hour, 0, 900, 100)
	record(paging, 20*24*time.Hour, 2*time.Hour, 100000, 0) // a quiet past, then
	record(paging, time.Hour, 0, 1000, 20)                  // 2% bad at 99.9%: burn 20
	record(ticketed, 20*24*time.Hour, 3*24*time.Hour, 100000, 0)
	record(ticketed, 3*24*time.Hour, 0, 100000, 150) // 0.15% at 99.9%: burn 1.5
	record(atRisk, 25*24*time.Hour, 24*24*time.Hour, 10000, 80)
	record(atRisk, 10*24*time.Hour, 0, 90000, 0) // 80 of the 100 allowed spent, long ago
	objective := func(name string, src sli.Source, target float64) *slo.Objective {
		o, err := slo.New(slo.Config{Name: name, SLI: src, Target: target}, slo.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	reg, err := slo.NewRegistry(
		objective("met", met, 0.99),
		objective("quiet", quiet, 0.99),
		objective("ticketed", ticketed, 0.999),
		objective("breached", breached, 0.99),
		objective("at risk", atRisk, 0.999),
		objective("failing", failingSource{}, 0.99),
		objective("paging", paging, 0.999),
	)
	if err != nil {
		t.Fatal(err)
	}
	return reg, clock
}

// The page for people in a hurry: a summary of how many objectives are in
// each condition, the objectives most urgent first, each condition told
// apart, traffic as a rate over the last 5 minutes, and the terms
// explained.
func TestPageForPeopleInAHurry(t *testing.T) {
	reg, clock := everyCondition(t)
	h, err := statuspage.Handler(reg, statuspage.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	_, body := get(t, srv.URL+"/", "text/html")
	page := string(body)

	summary := regexp.MustCompile(`data-condition="([a-z-]+)" data-count="(\d+)"`).FindAllStringSubmatch(page, -1)
	var got []string
	for _, m := range summary {
		got = append(got, m[2]+" "+m[1])
	}
	want := []string{"1 failed", "1 breached", "1 page", "1 ticket", "1 at-risk", "1 no-data", "1 met"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("summary %v, want %v", got, want)
	}
	order := regexp.MustCompile(`<section class="objective ([a-z-]+)" data-condition="[a-z-]+">\s*<div class="head"><span class="name">([^<]+)</span>`).FindAllStringSubmatch(page, -1)
	var names []string
	for _, m := range order {
		names = append(names, m[2])
	}
	if want := "failing, breached, paging, ticketed, at risk, quiet, met"; strings.Join(names, ", ") != want {
		t.Errorf("objectives in the order %v, want %s", names, want)
	}
	for _, w := range []string{
		`<span class="state page">page alert firing</span>`,
		`<span class="state ticket">ticket alert firing</span>`,
		`<span class="state at-risk">at risk</span>`,
		`<summary>What the numbers mean</summary>`,
		`id="burn"`, `fires above 14.4`,
	} {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %s", w)
		}
	}
	// The paging objective had 1,020 requests in its last hour, 85 in its
	// last 5 minutes: 0.28 a second, not its 30 days' mean, 0.04.
	s, _ := reg.Objectives()[6].Status()
	rate := s.BurnRates[0].Valid / 300
	if w := strconv.FormatFloat(rate, 'g', 3, 64) + "/s over the last 5m"; rate < 0.25 || !strings.Contains(page, w) {
		t.Errorf("page lacks the paging objective's rate, %s", w)
	}
}

// The HTML page is served as computed for DefaultCache, computed again
// after (or, with WithClock, once the clock moves); WithCache(0) computes
// it every time; the JSON is computed for every request.
func TestPageCache(t *testing.T) {
	reg, clock := everyCondition(t)
	for _, c := range []struct {
		opts  []statuspage.Option
		fresh bool // a change shows at once
	}{
		{nil, false},
		{[]statuspage.Option{statuspage.WithCache(0)}, true},
		{[]statuspage.Option{statuspage.WithClock(clock.Now)}, false},
	} {
		h, err := statuspage.Handler(reg, c.opts...)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		_, first := get(t, srv.URL+"/", "text/html")
		_, firstDoc := get(t, srv.URL+"/?format=json", "")
		met := reg.Objectives()[0].SLI().(*sli.Ratio)
		for range 50 {
			met.RecordAt(clock.Now(), sli.Bad)
		}
		_, second := get(t, srv.URL+"/", "text/html")
		if changed := !bytes.Equal(first, second); changed != c.fresh {
			t.Errorf("options %d: a second view changed %v, want %v", len(c.opts), changed, c.fresh)
		}
		if _, doc := get(t, srv.URL+"/?format=json", ""); bytes.Equal(doc, firstDoc) {
			t.Errorf("options %d: the JSON is not computed again", len(c.opts))
		}
		srv.Close()
	}
	if _, err := statuspage.Handler(reg, statuspage.WithCache(-time.Second)); err == nil {
		t.Error("WithCache(-1s) accepted")
	}
}

// A view of the page of 100 objectives, served as computed, allocates
// under 1 MB (see BenchmarkPage for its time).
func TestPageViewAllocations(t *testing.T) {
	h := hundred(t)
	view(h) // computed once
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const views = 20
	for range views {
		view(h)
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / views; per > 1<<20 {
		t.Errorf("a view allocates %d bytes, want at most 1 MiB", per)
	}
}

// hundred is the page of 100 objectives over a day of traffic each.
func hundred(t testing.TB, opts ...statuspage.Option) *recorderHandler {
	clock := ninestest.NewClock(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	reg, _ := slo.NewRegistry()
	for i := range 100 {
		r, _ := sli.NewRatio(sli.WithClock(clock.Now))
		for m := range 24 * 6 {
			at := clock.Now().Add(-24*time.Hour + time.Duration(m)*10*time.Minute)
			for k := range 10 {
				r.RecordAt(at, sli.Outcome(1+btoi(k == 0 && m%7 == i%7)))
			}
		}
		o, _ := slo.New(slo.Config{Name: fmt.Sprintf("route %d availability", i), SLI: r, Target: 0.99}, slo.WithClock(clock.Now))
		reg.Add(o)
	}
	h, err := statuspage.Handler(reg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &recorderHandler{h}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// recorderHandler serves views whose body goes nowhere, so that what a
// view allocates is the handler's.
type recorderHandler struct{ h http.Handler }

type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

var viewRequest = httptest.NewRequest("GET", "/", nil)

func view(h *recorderHandler) { h.h.ServeHTTP(&discard{header: http.Header{}}, viewRequest) }

// BenchmarkPage is one view of the page of 100 objectives: served as
// computed (within WithCache's interval, the usual view), and computed
// afresh.
func BenchmarkPage(b *testing.B) {
	b.Run("cached", func(b *testing.B) {
		h := hundred(b)
		view(h)
		b.ReportAllocs()
		for b.Loop() {
			view(h)
		}
	})
	b.Run("computed", func(b *testing.B) {
		h := hundred(b, statuspage.WithCache(0))
		b.ReportAllocs()
		for b.Loop() {
			view(h)
		}
	})
}
