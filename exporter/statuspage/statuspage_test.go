package statuspage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/trace"

	"github.com/nines-slo/nines/exporter/internal/fixture"
	"github.com/nines-slo/nines/exporter/statuspage"
	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

func serveStatus(t *testing.T, reg *slo.Registry) *httptest.Server {
	t.Helper()
	h, err := statuspage.Handler(reg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url, accept string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// TestStatusJSON checks the JSON document against the objectives' Status,
// and that Decode reads it back.
func TestStatusJSON(t *testing.T) {
	f := fixture.New(t)
	srv := serveStatus(t, f.Registry)
	for _, req := range []struct{ path, accept string }{{"/?format=json", ""}, {"/", "application/json"}} {
		resp, body := get(t, srv.URL+req.path, req.accept)
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("GET %s (Accept %q): Content-Type %q", req.path, req.accept, ct)
		}
		doc, err := statuspage.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("Decode: %v\n%s", err, body)
		}
		var statuses []slo.Status // as the handler computes them
		for _, o := range f.Registry.Objectives() {
			s, _ := o.Status()
			statuses = append(statuses, s)
		}
		want := statuspage.NewDocument(statuses[0].At, statuses)
		want.Instance = doc.Instance // the handler's own, TestInstance checks it
		if diff := cmp.Diff(want, doc); diff != "" {
			t.Errorf("document (-want +got):\n%s", diff)
		}
	}
	_, body := get(t, srv.URL+"/?format=json", "")
	var raw map[string]any
	json.Unmarshal(body, &raw)
	objs := raw["objectives"].([]any)
	search := objs[1].(map[string]any)
	budget := search["budget"].(map[string]any)
	// search: 500 bad of 1000 at 99%: 49 budgets overspent; 10 bad allowed.
	if raw["schema"] != "nines.status/v1" || search["name"] != "search" || search["state"] != "breached" ||
		search["sli"] != 0.5 || budget["remaining"] != -49.0 || budget["allowedEvents"] != 10.0 || budget["remainingEvents"] != -490.0 {
		t.Errorf("search in the document: %v", search)
	}
	lat := objs[2].(map[string]any)["latency"].([]any)[0].(map[string]any)
	if lat["window"] != "1m" || lat["count"] != 100.0 {
		t.Errorf("latency in the document: %v", lat)
	}
}

// TestStatusActsOnNoAlert loads the page and the document of a registry
// whose alerts' conditions hold: the alert handler is never called.
func TestStatusActsOnNoAlert(t *testing.T) {
	clock := ninestest.NewClock(fixture.T0)
	r, _ := sli.NewRatio(sli.WithClock(clock.Now))
	for k := range 1000 {
		r.Record(fixture.Outcome(k%2 == 0))
	}
	calls := 0
	o, _ := slo.New(slo.Config{Name: "search", SLI: r, Target: 0.99}, slo.WithClock(clock.Now),
		slo.WithAlertHandler(func(slo.AlertEvent) { calls++ }))
	reg, _ := slo.NewRegistry(o)
	srv := serveStatus(t, reg)
	get(t, srv.URL+"/", "")
	_, body := get(t, srv.URL+"/?format=json", "")
	if calls != 0 {
		t.Errorf("loading the status called the alert handler %d times", calls)
	}
	if !strings.Contains(string(body), `"firing": true`) {
		t.Errorf("the document shows no alert firing:\n%s", body)
	}
}

// TestStatusNoDataIsNull checks that an objective without events has null
// SLI, budget and burn rates in the document.
func TestStatusNoDataIsNull(t *testing.T) {
	g := fixture.Empty(t, ninestest.NewClock(fixture.T0))
	_, body := get(t, serveStatus(t, g.Registry).URL+"/?format=json", "")
	for _, want := range []string{`"sli": null`, `"budget": null`, `"rate": null`, `"state": "no data"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("document lacks %s:\n%s", want, body)
		}
	}
}

// TestStatusPage checks the HTML page: a row per objective with its state,
// the three kinds of chart as inline SVG, no script and no external asset,
// names escaped, and read-only.
func TestStatusPage(t *testing.T) {
	clock := ninestest.NewClock(fixture.T0)
	lat, _ := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
	avail, _ := sli.NewRatio(sli.WithClock(clock.Now))
	// A day of traffic, a bad hour in the middle.
	for m := range 24 * 60 {
		for k := range 10 {
			bad := m >= 600 && m < 660 && k < 3
			avail.Record(fixture.Outcome(!bad))
			lat.Record(time.Duration(5+k*20+m%7) * time.Millisecond)
		}
		clock.Advance(time.Minute)
	}
	hostile := `<script>alert("x")</script> & "quotes"`
	o1, _ := slo.New(slo.Config{Name: hostile, SLI: avail, Target: 0.99, Window: slo.Rolling(24 * time.Hour),
		Metadata: slo.Metadata{Service: "<b>svc</b>", Description: "<img src=x onerror=alert(1)>"}}, slo.WithClock(clock.Now))
	o2, _ := slo.New(slo.Config{Name: "latency", SLI: lat, Target: 0.3, Window: slo.Rolling(24 * time.Hour), Alerts: []slo.AlertRule{}}, slo.WithClock(clock.Now))
	reg, _ := slo.NewRegistry(o1, o2)
	srv := serveStatus(t, reg)
	resp, body := get(t, srv.URL+"/", "text/html")
	page := string(body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("Content-Type %q", ct)
	}
	for _, want := range []string{
		`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;`,
		`&lt;b&gt;svc&lt;/b&gt;`,
		`<span class="state breached">breached</span>`,
		`<span class="state met">met</span>`,
		`id="budget"`, `id="sli"`, `id="latency"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, banned := range []string{"<script", "<img", "<link", "href=", "http://", "https://"} {
		if strings.Contains(strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, ""), banned) {
			t.Errorf("page contains %q", banned)
		}
	}
	if n := strings.Count(page, "<polyline"); n < 7 {
		t.Errorf("%d polylines, want budget, SLI and target for each objective and p50/p95/p99", n)
	}
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		req, _ := http.NewRequest(m, srv.URL+"/", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s: %s, want 405", m, resp.Status)
		}
	}
}

// TestDecodeStatusRejects checks that malformed documents are refused.
func TestDecodeStatusRejects(t *testing.T) {
	f := fixture.New(t)
	_, body := get(t, serveStatus(t, f.Registry).URL+"/?format=json", "")
	for name, mutate := range map[string]func(string) string{
		"not json":      func(s string) string { return s[:len(s)/2] },
		"other schema":  func(s string) string { return strings.Replace(s, "nines.status/v1", "nines.status/v9", 1) },
		"target 99.9":   func(s string) string { return strings.Replace(s, `"target": 0.99`, `"target": 99`, 1) },
		"good > valid":  func(s string) string { return strings.Replace(s, `"good": 995`, `"good": 1995`, 1) },
		"unknown state": func(s string) string { return strings.Replace(s, `"state": "met"`, `"state": "fine"`, 1) },
		"repeated name": func(s string) string {
			var doc map[string]any
			json.Unmarshal([]byte(s), &doc)
			objs := doc["objectives"].([]any)
			doc["objectives"] = append(objs, objs[0])
			out, _ := json.Marshal(doc)
			return string(out)
		},
	} {
		bad := mutate(string(body))
		if bad == string(body) {
			t.Fatalf("%s: mutation changed nothing", name)
		}
		if _, err := statuspage.Decode(strings.NewReader(bad)); !errors.Is(err, statuspage.ErrInvalidDocument) {
			t.Errorf("%s: error %v, want ErrInvalidDocument", name, err)
		}
	}
}

// FuzzDecodeStatus feeds Decode arbitrary bytes: it never panics,
// and what it accepts keeps the invariants a release gate relies on.
func FuzzDecodeStatus(f *testing.F) {
	reg := fixture.New(f).Registry
	statuses, _ := reg.Status()
	good, _ := json.Marshal(statuspage.NewDocument(fixture.T0, statuses))
	f.Add(good)
	f.Add([]byte(`{"schema":"nines.status/v1","objectives":[]}`))
	f.Add([]byte(`{"schema":"nines.status/v1","objectives":[{"name":"x","target":0.9,"periodSeconds":1,"state":"met","good":1,"valid":1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := statuspage.Decode(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, statuspage.ErrInvalidDocument) {
				t.Fatalf("error %v does not wrap ErrInvalidDocument", err)
			}
			return
		}
		for _, o := range doc.Objectives {
			if o.Name == "" || !(o.Target > 0 && o.Target < 1) || !(o.Good >= 0 && o.Good <= o.Valid) || !(o.Period > 0) {
				t.Fatalf("accepted an objective that breaks the invariants: %+v", o)
			}
		}
	})
}

// failingSource is a user's SLI that cannot answer.
type failingSource struct{}

func (failingSource) CountsAt(time.Time, time.Duration) (sli.Counts, error) {
	return sli.Counts{}, errors.New("backend <unreachable>")
}

// TestStatusOneFailure: an objective whose SLI fails is shown failed with
// its error, escaped, on the page and in the document, and every other
// objective is shown as it is.
func TestStatusOneFailure(t *testing.T) {
	clock := ninestest.NewClock(fixture.T0)
	avail, _ := sli.NewRatio(sli.WithClock(clock.Now))
	avail.Record(sli.Good)
	broken, _ := slo.New(slo.Config{Name: "broken", SLI: failingSource{}, Target: 0.99}, slo.WithClock(clock.Now))
	ok, _ := slo.New(slo.Config{Name: "ok", SLI: avail, Target: 0.99}, slo.WithClock(clock.Now))
	reg, _ := slo.NewRegistry(broken, ok)
	srv := serveStatus(t, reg)
	resp, body := get(t, srv.URL+"/", "text/html")
	page := string(body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("page: %s", resp.Status)
	}
	for _, want := range []string{`<span class="state failed">failed</span>`, `backend &lt;unreachable&gt;`, `<span class="state met">met</span>`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	resp, body = get(t, srv.URL+"/?format=json", "")
	doc, err := statuspage.Decode(bytes.NewReader(body))
	if resp.StatusCode != http.StatusOK || err != nil || len(doc.Objectives) != 2 {
		t.Fatalf("document: %s, %v, %d objectives:\n%s", resp.Status, err, len(doc.Objectives), body)
	}
	if b := doc.Objectives[0]; b.State != "failed" || !strings.Contains(b.Error, "backend <unreachable>") || b.SLI != nil || b.Budget != nil {
		t.Errorf("failed objective in the document: %+v", b)
	}
	if o := doc.Objectives[1]; o.State != "met" || o.Error != "" || o.SLI == nil || *o.SLI != 1 {
		t.Errorf("the other objective: %+v", o)
	}
}

// TestInstance: the document says which handler served it, as set or
// by default, one of its own for each handler of the process.
func TestInstance(t *testing.T) {
	f := fixture.New(t)
	set, _ := statuspage.Handler(f.Registry, statuspage.WithInstance("web-1"))
	first, _ := statuspage.Handler(f.Registry)
	second, _ := statuspage.Handler(f.Registry)
	instance := func(h http.Handler) string {
		srv := httptest.NewServer(h)
		defer srv.Close()
		_, body := get(t, srv.URL+"/?format=json", "")
		doc, err := statuspage.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return doc.Instance
	}
	if got := instance(set); got != "web-1" {
		t.Errorf("WithInstance(web-1): instance %q", got)
	}
	a, b := instance(first), instance(second)
	if a == "" || b == "" || a == b || strings.Count(a, "/") != 3 {
		t.Errorf("default instances %q and %q, want two of host/pid/random/n", a, b)
	}
	if again := instance(first); again != a {
		t.Errorf("one handler served instance %q, then %q", a, again)
	}
}

// TestDocumentNonFinite: numbers JSON cannot carry are null, and the
// document still encodes.
func TestDocumentNonFinite(t *testing.T) {
	s := slo.Status{Name: "x", Target: 0.99, SLI: math.NaN(), Alerts: []slo.Alert{{Threshold: math.Inf(1), MinEvents: math.NaN()}},
		BurnRates: []slo.BurnRate{{Window: time.Hour, Valid: 1, Rate: math.Inf(1)}}}
	body, err := json.Marshal(statuspage.NewDocument(fixture.T0, []slo.Status{s}))
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	for _, want := range []string{`"sli":null`, `"threshold":null`, `"minEvents":null`, `"rate":null`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("document lacks %s: %s", want, body)
		}
	}
}

// TestExhaustionShown: the time to exhaustion at the 6-hour rate is in the
// document and on the page: checkout burns half its budget at rate 0.5
// (what is left lasts the 30 days), search has spent its own.
func TestExhaustionShown(t *testing.T) {
	f := fixture.New(t)
	srv := serveStatus(t, f.Registry)
	_, body := get(t, srv.URL+"/?format=json", "")
	doc, err := statuspage.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]statuspage.Objective{}
	for _, o := range doc.Objectives {
		byName[o.Name] = o
	}
	if e := byName["checkout"].Exhaustion; e == nil || e.Window != "6h" || e.Never || e.In == nil || *e.In != 30*24*3600 || e.BurnRate != 0.5 {
		t.Errorf("checkout's exhaustion: %+v", e)
	}
	if e := byName["search"].Exhaustion; e == nil || e.In == nil || *e.In != 0 {
		t.Errorf("search's exhaustion: %+v, want spent", e)
	}
	// A calendar month says what is left at its end: checkout's events
	// again, half its budget left, burning at 0.5 for the month's rest.
	month, _ := slo.New(slo.Config{Name: "checkout monthly", SLI: f.Registry.Objectives()[0].SLI(), Target: 0.99,
		Window: slo.Calendar(slo.Month, nil)}, slo.WithClock(f.Clock.Now))
	f.Registry.Add(month)
	st, _ := month.Status()
	wantEnd := fmt.Sprintf("%.0f%% left when the month ends", st.Exhaustion.LeftAtEnd*100)
	_, page := get(t, srv.URL+"/", "text/html")
	for _, want := range []string{"gone in 30d 0h at the 6h rate", ">spent<", wantEnd} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// TestTimeSlicesShown: a time-slice objective's document says its counts
// are slices, what makes one good and its events; the page says so too.
func TestTimeSlicesShown(t *testing.T) {
	clock := ninestest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	s, err := sli.NewLatencySlices(0.99, 300*time.Millisecond, sli.WithClock(clock.Now), sli.WithEmptySlices(sli.EmptyGood))
	if err != nil {
		t.Fatal(err)
	}
	for m := range 10 {
		for k := range 100 {
			d := 20 * time.Millisecond
			if m == 4 && k < 2 {
				d = time.Second
			}
			s.Record(d)
		}
		clock.Advance(time.Minute)
	}
	o, _ := slo.New(slo.Config{Name: "p99 minutes", SLI: s, Target: 0.9}, slo.WithClock(clock.Now))
	reg, _ := slo.NewRegistry(o)
	srv := serveStatus(t, reg)
	_, body := get(t, srv.URL+"/?format=json", "")
	doc, err := statuspage.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got := doc.Objectives[0]
	want := &statuspage.Slices{Length: "1m", Seconds: 60, Good: "p99 ≤ 300ms in each 1m0s slice", MinGood: 0.99,
		Threshold: ptr(0.3), Empty: "good", GoodEvents: 998, ValidEvents: 1000}
	if diff := cmp.Diff(want, got.Slices); diff != "" || got.Good != 9 || got.Valid != 10 {
		t.Errorf("%v of %v slices; slices (-want +got):\n%s", got.Good, got.Valid, diff)
	}
	_, page := get(t, srv.URL+"/", "text/html")
	for _, w := range []string{"9 of 10 slices good", "p99 ≤ 300ms in each 1m0s slice; empty slices good; 1000 valid events"} {
		if !strings.Contains(string(page), w) {
			t.Errorf("page lacks %q", w)
		}
	}
	// A document whose slices hold more good events than valid is refused.
	bad := bytes.Replace(body, []byte(`"goodEvents": 998`), []byte(`"goodEvents": 1998`), 1)
	if bytes.Equal(bad, body) {
		t.Fatalf("no goodEvents in %s", body)
	}
	if _, err := statuspage.Decode(bytes.NewReader(bad)); !errors.Is(err, statuspage.ErrInvalidDocument) {
		t.Errorf("Decode of %d more good events than valid: %v", 1000, err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestCompositeShown: a composite's document lists its components with
// their burn rates, and the page says so.
func TestCompositeShown(t *testing.T) {
	f := fixture.New(t)
	objs := f.Registry.Objectives()
	c, err := slo.New(slo.Config{Name: "journey", Target: 0.99, Components: []slo.Component{
		{Objective: objs[0]}, {Objective: objs[1], Weight: 2}}}, slo.WithClock(f.Clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := slo.NewRegistry(c)
	srv := serveStatus(t, reg)
	_, body := get(t, srv.URL+"/?format=json", "")
	doc, err := statuspage.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	st, _ := c.Status()
	got := doc.Objectives[0].Components
	if len(got) != 2 || got[0].Name != objs[0].Name() || got[1].Weight != 2 || got[1].BurnRate == nil || *got[1].BurnRate != st.Components[1].Rate {
		t.Errorf("components %+v, status %+v", got, st.Components)
	}
	_, page := get(t, srv.URL+"/", "text/html")
	want := "composite: " + objs[0].Name() + " burn " + strconv.FormatFloat(st.Components[0].Rate, 'g', 3, 64) + " (weight 1)"
	if !strings.Contains(string(page), want) {
		t.Errorf("page lacks %q", want)
	}
}

// TestExemplarsShown: the document lists an objective's recent failures
// with their traces, the page links them to the tracing backend, and
// Decode refuses an exemplar whose ID is not one.
func TestExemplarsShown(t *testing.T) {
	clock := ninestest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	l, _ := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	l.RecordContext(ctx, 1500*time.Millisecond)
	clock.Advance(time.Minute)
	o, _ := slo.New(slo.Config{Name: "checkout latency", SLI: l, Target: 0.99}, slo.WithClock(clock.Now))
	reg, _ := slo.NewRegistry(o)
	if _, err := statuspage.Handler(reg, statuspage.WithTraceURL("jaeger/trace")); !errors.Is(err, statuspage.ErrInvalidOption) {
		t.Errorf("a trace URL without {traceID}: %v", err)
	}
	h, err := statuspage.Handler(reg, statuspage.WithTraceURL("https://jaeger.example/trace/{traceID}?span={spanID}"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	_, body := get(t, srv.URL+"/?format=json", "")
	doc, err := statuspage.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []statuspage.Exemplar{{Time: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), TraceID: tid.String(), SpanID: sid.String(), Seconds: ptr(1.5)}}
	if diff := cmp.Diff(want, doc.Objectives[0].Exemplars); diff != "" {
		t.Errorf("exemplars (-want +got):\n%s", diff)
	}
	_, page := get(t, srv.URL+"/", "text/html")
	if w := `09:00:00 <a href="https://jaeger.example/trace/4bf92f3577b34da6a3ce929d0e0e4736?span=00f067aa0ba902b7" rel="noopener noreferrer">4bf92f3577b34da6a3ce929d0e0e4736</a> (1.5s)`; !strings.Contains(string(page), w) {
		t.Errorf("page lacks %s", w)
	}
	bad := bytes.Replace(body, []byte(tid.String()), []byte("not-a-trace"), 1)
	if _, err := statuspage.Decode(bytes.NewReader(bad)); !errors.Is(err, statuspage.ErrInvalidDocument) {
		t.Errorf("Decode of an exemplar of trace %q: %v", "not-a-trace", err)
	}
}
