package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nines-slo/nines/exporter/statuspage"
	"github.com/nines-slo/nines/histogram"
	"github.com/nines-slo/nines/internal/demo"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

// replica is one running demo service with its status page.
type replica struct {
	svc           *demo.Service
	statusHandler http.Handler
	url           string // the service
	status        string // its status page
}

var replicas int

func newReplica(t *testing.T) *replica {
	t.Helper()
	svc, err := demo.New()
	if err != nil {
		t.Fatal(err)
	}
	replicas++ // each its own instance, as separate processes would be
	status, err := statuspage.Handler(svc.Registry, statuspage.WithInstance(fmt.Sprintf("replica-%d", replicas)))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", svc.Handler)
	mux.Handle("GET /slo", status)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &replica{svc: svc, statusHandler: status, url: srv.URL, status: srv.URL + "/slo"}
}

// hit makes n requests to path, every failEvery-th (if > 0) failing.
func (r *replica) hit(t *testing.T, path string, n, failEvery int) {
	t.Helper()
	if path == "/work" {
		requests(t, n, func(k int) string {
			if failEvery > 0 && k%failEvery == 0 {
				return r.url + "/work?status=500"
			}
			return r.url + "/work"
		})
		return
	}
	requests(t, n, func(int) string { return r.url + path })
}

func runGate(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := gate(args, &out, &errOut)
	t.Logf("nines gate %s → %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
	return code, out.String() + errOut.String()
}

const hello, work = "demo GET /hello availability", "demo GET /work availability"

// TestGate runs the gate against two live replicas: it allows on a
// healthy route, denies on one failing 5% of requests against 99%, cannot
// decide on too little traffic or a bad source, and reaches the same
// verdict from the replicas' snapshot files as from their status pages.
func TestGate(t *testing.T) {
	a, b := newReplica(t), newReplica(t)
	for _, r := range []*replica{a, b} {
		r.hit(t, "/hello", 150, 0)
		r.hit(t, "/work", 200, 20)
	}

	code, out := runGate(t, "-objective", hello, a.status, b.status)
	if code != allow || !strings.Contains(out, "ALLOW  "+hello+" (2 source(s), 300 valid events)") || !strings.Contains(out, "verdict: release allowed") {
		t.Errorf("healthy route: exit %d, want %d", code, allow)
	}
	code, out = runGate(t, "-objective", work, a.status, b.status)
	if code != deny || !strings.Contains(out, "DENY   "+work+" (2 source(s), 400 valid events)") {
		t.Errorf("failing route: exit %d, want %d", code, deny)
	}
	// Every objective at once: one denial denies the release.
	if code, _ := runGate(t, a.status, b.status); code != deny {
		t.Errorf("all objectives: exit %d, want %d", code, deny)
	}

	// Too little traffic: 50 requests at 99% need 100 to decide.
	c := newReplica(t)
	c.hit(t, "/hello", 50, 0)
	if code, out := runGate(t, "-objective", hello, c.status); code != undecided || !strings.Contains(out, "UNDECIDED") {
		t.Errorf("little traffic: exit %d, want %d", code, undecided)
	}

	// Snapshot files give the same verdicts as the status pages.
	dir := t.TempDir()
	var files []string
	for i, r := range []*replica{a, b} {
		path := filepath.Join(dir, "replica"+string(rune('a'+i))+".snap")
		if err := slo.WriteFile(r.svc.Registry, path); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	if code, out := runGate(t, append([]string{"-target", "0.99", "-window", "30d", "-objective", work}, files...)...); code != deny ||
		!strings.Contains(out, "(1 source(s), 400 valid events)") {
		t.Errorf("snapshots, failing route: exit %d, want %d with 400 events", code, deny)
	}
	if code, _ := runGate(t, append([]string{"-target", "0.99", "-objective", hello}, files...)...); code != allow {
		t.Errorf("snapshots, healthy route: exit %d, want %d", code, allow)
	}
	if code, _ := runGate(t, files...); code != undecided {
		t.Errorf("snapshots without -target: exit %d, want %d", code, undecided)
	}
}

// TestGateCannotDecide feeds the gate sources it cannot use: it exits 2.
func TestGateCannotDecide(t *testing.T) {
	a := newReplica(t)
	a.hit(t, "/hello", 150, 0)
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{"schema": "x"}`)) }))
	defer garbage.Close()
	notFound := httptest.NewServer(http.NotFoundHandler())
	defer notFound.Close()
	badFile := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(badFile, []byte("NINESNAP-truncated"), 0o644)
	for name, args := range map[string][]string{
		"unreachable":       {a.status, "http://" + freeAddr(t) + "/slo"},
		"malformed":         {a.status, garbage.URL},
		"HTTP 404":          {notFound.URL},
		"missing file":      {filepath.Join(t.TempDir(), "none.json")},
		"corrupt snapshot":  {"-target", "0.99", badFile},
		"unknown objective": {"-objective", "nope", a.status},
		"no source":         {},
		"bad policy":        {"-min-remaining", "2", a.status},
	} {
		if code, _ := runGate(t, args...); code != undecided {
			t.Errorf("%s: exit %d, want %d", name, code, undecided)
		}
	}
}

// TestGatePageAlert denies a release while a page alert fires on the
// merged numbers, though the budget alone would allow it: thirty healthy
// days, then an hour failing 20% of requests.
func TestGatePageAlert(t *testing.T) {
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	now := start.Add(30 * 24 * time.Hour) // events are recorded at their own, past, times
	clock := func() time.Time { return now }
	r, _ := sli.NewRatio(sli.WithClock(clock))
	for h := range 30 * 24 {
		for k := range 1000 {
			o := sli.Good
			if h == 30*24-1 && k%5 == 0 { // the last hour: 20% bad
				o = sli.Bad
			}
			r.RecordAt(start.Add(time.Duration(h)*time.Hour+time.Duration(k)*3600*time.Millisecond), o)
		}
	}
	o, _ := slo.New(slo.Config{Name: "checkout", SLI: r, Target: 0.99}, slo.WithClock(clock), slo.WithLogger(discardLogger))
	reg, _ := slo.NewRegistry(o)
	h, _ := statuspage.Handler(reg)
	srv := httptest.NewServer(h)
	defer srv.Close()

	code, out := runGate(t, srv.URL)
	if code != deny || !strings.Contains(out, "page alert firing: page-1h") {
		t.Errorf("exit %d, want %d for the firing page alert", code, deny)
	}
	if code, _ := runGate(t, "-allow-page", srv.URL); code != allow {
		t.Errorf("-allow-page: exit %d, want %d (97%% of the budget is left)", code, allow)
	}
}

// TestGateSnapshotEdges: a latency SLI with a non-default histogram is
// judged from its snapshot, and windows the SLIs cannot hold or that
// overflow are refused, not a crash.
func TestGateSnapshotEdges(t *testing.T) {
	reg, _ := slo.NewRegistry()
	mw, err := middleware.New(middleware.Config{Registry: reg, Latency: 0.9, Histogram: histogram.Config{Digits: 3}})
	if err != nil {
		t.Fatal(err)
	}
	h := mw.Wrap("GET /x", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	for range 200 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil))
	}
	path := filepath.Join(t.TempDir(), "a.snap")
	if err := slo.WriteFile(reg, path); err != nil {
		t.Fatal(err)
	}
	name := mw.Routes()[0].Name() + " latency"
	var obj string
	for _, o := range reg.Objectives() {
		if strings.HasSuffix(o.Name(), "latency") && strings.Contains(o.Name(), "GET /x") {
			obj = o.Name()
		}
	}
	if obj == "" {
		t.Fatalf("no latency objective for GET /x (route %q)", name)
	}
	if code, out := runGate(t, "-target", "0.9", "-objective", obj, path); code != allow || !strings.Contains(out, "200 valid events") {
		t.Errorf("latency snapshot with a 3-digit histogram: exit %d, want %d", code, allow)
	}
	for _, w := range []string{"50000d", "200000d", "-3d", "0d", "1e9h"} {
		if code, _ := runGate(t, "-target", "0.9", "-window", w, path); code != undecided {
			t.Errorf("-window %s: exit %d, want %d", w, code, undecided)
		}
	}
}

// TestGateCannotBeFooled: every source counts once, whatever it is
// listed as; an objective missing on a replica or failed on one makes the
// verdict "cannot decide", naming it; and no source is read past
// -max-bytes, an endless file included.
func TestGateCannotBeFooled(t *testing.T) {
	a := newReplica(t)
	a.hit(t, "/hello", 60, 0) // 60 valid events: 100 are needed at 99%

	// One replica twice, by the same URL or by another that serves the
	// same instance: 60 events, not 120, so still too few to decide.
	alias := httptest.NewServer(a.statusHandler)
	defer alias.Close()
	for name, srcs := range map[string][]string{"same URL": {a.status, a.status}, "same instance": {a.status, alias.URL}} {
		code, out := runGate(t, append([]string{"-objective", hello}, srcs...)...)
		if code != undecided || !strings.Contains(out, "counted once") || !strings.Contains(out, "(1 source(s), 60 valid events)") {
			t.Errorf("%s: exit %d, want %d with the replica counted once", name, code, undecided)
		}
	}
	// A document with no instance (written by a tool, not served), listed
	// twice under two spellings of its path.
	doc := statuspage.NewDocument(time.Now(), must(a.svc.Registry.Status()))
	body, _ := json.Marshal(doc)
	docFile := filepath.Join(t.TempDir(), "status.json")
	os.WriteFile(docFile, body, 0o600)
	twice := filepath.Join(filepath.Dir(docFile), ".", "status.json")
	copied := filepath.Join(filepath.Dir(docFile), "copy.json")
	os.WriteFile(copied, body, 0o600)
	if code, out := runGate(t, "-objective", hello, docFile, twice, copied); code != undecided || !strings.Contains(out, "listed twice") ||
		!strings.Contains(out, "holds the same bytes") || !strings.Contains(out, "(1 source(s), 60 valid events)") {
		t.Errorf("one document file twice and a copy: exit %d, want %d with it counted once", code, undecided)
	}
	if code, _ := runGate(t, "-max-bytes", "0", docFile); code != undecided {
		t.Errorf("-max-bytes 0: exit %d, want %d", code, undecided)
	}
	// "new" is missing from one replica (it runs the previous version):
	// judged on the other alone it would be allowed.
	both, lone := registryNamed(t, "checkout", "new"), registryNamed(t, "checkout")
	hb, _ := statuspage.Handler(both, statuspage.WithInstance("v2"))
	hl, _ := statuspage.Handler(lone, statuspage.WithInstance("v1"))
	sb, sl := httptest.NewServer(hb), httptest.NewServer(hl)
	defer sb.Close()
	defer sl.Close()
	if code, out := runGate(t, sb.URL, sl.URL); code != undecided || !strings.Contains(out, `objective "new" is missing from `+sl.URL) {
		t.Errorf("an objective missing on one replica: exit %d, want %d naming it", code, undecided)
	}
	if code, _ := runGate(t, "-objective", "checkout", sb.URL, sl.URL); code != allow {
		t.Errorf("the objective both replicas have: exit %d, want %d", code, allow)
	}
	// One objective failed on a replica.
	broken, _ := slo.New(slo.Config{Name: hello, SLI: failingSource{}, Target: 0.99}, slo.WithLogger(discardLogger))
	reg, _ := slo.NewRegistry(broken)
	h, _ := statuspage.Handler(reg)
	failed := httptest.NewServer(h)
	defer failed.Close()
	if code, out := runGate(t, "-objective", hello, a.status, failed.URL); code != undecided || !strings.Contains(out, "failed there") {
		t.Errorf("an objective failed on one replica: exit %d, want %d", code, undecided)
	}
	// Another objective failed there: not the one asked about. Judged on
	// a and b, which both report it, and have its traffic.
	both2, _ := statuspage.Handler(registryNamed(t, "checkout", hello), statuspage.WithInstance("w1"))
	half, _ := slo.NewRegistry(broken, must(slo.New(slo.Config{Name: "checkout", SLI: ratioOf(500), Target: 0.99}, slo.WithLogger(discardLogger))))
	halfBroken, _ := statuspage.Handler(half, statuspage.WithInstance("w2"))
	s1, s2 := httptest.NewServer(both2), httptest.NewServer(halfBroken)
	defer s1.Close()
	defer s2.Close()
	if code, out := runGate(t, "-objective", "checkout", s1.URL, s2.URL); code != allow {
		t.Errorf("-objective checkout beside a failed %q: exit %d, want %d\n%s", hello, code, allow, out)
	}

	// Snapshots: the same file twice, or a copy, counts once; an
	// objective in one snapshot of two cannot be judged.
	dir := t.TempDir()
	snap := func(r *replica, name string) string {
		path := filepath.Join(dir, name)
		if err := slo.WriteFile(r.svc.Registry, path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	pa := snap(a, "a.snap")
	copyA := filepath.Join(dir, "copy.snap")
	data, _ := os.ReadFile(pa)
	os.WriteFile(copyA, data, 0o600)
	if code, out := runGate(t, "-target", "0.99", "-objective", hello, pa, pa, copyA); code != undecided || !strings.Contains(out, "(1 source(s), 60 valid events)") {
		t.Errorf("one snapshot three times: exit %d, want %d with 60 events", code, undecided)
	}
	pBoth, pLone := filepath.Join(dir, "both.snap"), filepath.Join(dir, "lone.snap")
	if err := errors.Join(slo.WriteFile(both, pBoth), slo.WriteFile(lone, pLone)); err != nil {
		t.Fatal(err)
	}
	if code, out := runGate(t, "-target", "0.99", pBoth, pLone); code != undecided || !strings.Contains(out, `objective "new" is in 1 of the 2 snapshots`) {
		t.Errorf("an objective in one snapshot of two: exit %d, want %d naming it", code, undecided)
	}

	// Bounded reads: an endless device and a file over the limit.
	big := filepath.Join(dir, "big.json")
	os.WriteFile(big, bytes.Repeat([]byte(" "), 2<<20), 0o600)
	for _, src := range []string{"/dev/zero", big} {
		if _, err := os.Stat(src); err != nil {
			continue
		}
		if code, out := runGate(t, "-max-bytes", "1048576", src); code != undecided || !strings.Contains(out, "larger than its limit") {
			t.Errorf("%s with -max-bytes 1 MiB: exit %d, want %d refusing it", src, code, undecided)
		}
	}
}

// ratioOf returns a ratio SLI with n good events.
func ratioOf(n int) *sli.Ratio {
	r, _ := sli.NewRatio()
	for range n {
		r.Record(sli.Good)
	}
	return r
}

// registryNamed returns a registry of ratio objectives at 99% with the
// names given, each with 500 good events.
func registryNamed(t *testing.T, names ...string) *slo.Registry {
	t.Helper()
	reg, _ := slo.NewRegistry()
	for _, n := range names {
		o, err := slo.New(slo.Config{Name: n, SLI: ratioOf(500), Target: 0.99}, slo.WithLogger(discardLogger))
		if err != nil {
			t.Fatal(err)
		}
		reg.Add(o)
	}
	return reg
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// failingSource is an SLI that cannot answer.
type failingSource struct{}

func (failingSource) CountsAt(time.Time, time.Duration) (sli.Counts, error) {
	return sli.Counts{}, errors.New("log source unreachable")
}
