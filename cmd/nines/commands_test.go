package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	ninesopenslo "github.com/nines-slo/nines/contrib/openslo"
	"github.com/nines-slo/nines/exporter/promrules"
	"github.com/nines-slo/nines/exporter/statuspage"
	"github.com/nines-slo/nines/internal/demo"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// nines runs the command line args and returns its exit status and what
// it printed on each stream.
func nines(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	t.Logf("nines %s → %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
	return code, out.String(), errOut.String()
}

// Every command says what it takes with -h, and exits 0 doing so; a
// command line nines cannot follow exits 2 with the list of commands.
func TestHelp(t *testing.T) {
	for _, c := range commands {
		code, _, help := nines(t, c.name, "-h")
		if code != 0 || !strings.HasPrefix(help, "usage: nines "+c.name) {
			t.Errorf("nines %s -h: exit %d, help %q", c.name, code, help)
		}
		if code, _, help2 := nines(t, "help", c.name); code != 0 || help2 != help {
			t.Errorf("nines help %s: exit %d, not the -h text", c.name, code)
		}
	}
	if code, out, _ := nines(t, "help"); code != 0 || !strings.Contains(out, "gate ") || !strings.Contains(out, "rules ") {
		t.Errorf("nines help: exit %d:\n%s", code, out)
	}
	for _, args := range [][]string{{}, {"frobnicate"}, {"merge"}, {"inspect"}, {"status"}, {"rules"}, {"merge", "-nonsense"}} {
		if code, _, _ := nines(t, args...); code != 2 {
			t.Errorf("nines %v: exit %d, want 2", args, code)
		}
	}
}

// replicaWith returns a demo replica's registry after requests to
// /work, one in failEvery failing.
func replicaWith(t *testing.T, n, failEvery int) *slo.Registry {
	t.Helper()
	svc, err := demo.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc.Handler)
	defer srv.Close()
	requests(t, n, func(k int) string {
		if k%failEvery == 0 {
			return srv.URL + "/work?status=500"
		}
		return srv.URL + "/work"
	})
	return svc.Registry
}

// merge writes the fleet's snapshot from the replicas' files, and inspect
// shows its counts: the sums of the replicas'. A corrupt input merges
// nothing and leaves no file.
func TestMergeAndInspect(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.snap"), filepath.Join(dir, "b.snap")
	if err := slo.WriteFile(replicaWith(t, 100, 10), a); err != nil {
		t.Fatal(err)
	}
	if err := slo.WriteFile(replicaWith(t, 60, 4), b); err != nil {
		t.Fatal(err)
	}
	fleet := filepath.Join(dir, "fleet.snap")
	os.WriteFile(fleet, []byte("an older merge"), 0o640)
	if code, out, _ := nines(t, "merge", "-o", fleet, a, b); code != 0 || !strings.Contains(out, "merged 2 snapshots") {
		t.Fatalf("merge: exit %d", code)
	}
	if fi, err := os.Stat(fleet); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("the merged file replaced one of mode 0640 with %v (%v)", fi.Mode(), err)
	}
	code, out, _ := nines(t, "inspect", fleet)
	// 10 + 15 failures of 160 requests; the latency SLI counts the 135
	// successes (none slow) and leaves the failures out.
	rows := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if name, rest, ok := strings.Cut(strings.TrimSpace(line), "  "); ok {
			rows[name] = strings.Join(strings.Fields(rest), " ")
		}
	}
	for name, want := range map[string]string{
		"demo GET /work availability": "events 135 25 0 0",
		"demo GET /work latency":      "latencies (1µs–1h0m0s, 2 digits) 135 0 25 0",
	} {
		if code != 0 || rows[name] != want {
			t.Errorf("inspect: exit %d, %s: %q, want %q", code, name, rows[name], want)
		}
	}
	corrupt := filepath.Join(dir, "corrupt.snap")
	data, _ := os.ReadFile(a)
	data[len(data)/2] ^= 0xff
	os.WriteFile(corrupt, data, 0o644)
	bad := filepath.Join(dir, "bad.snap")
	if code, _, msg := nines(t, "merge", "-o", bad, a, corrupt); code != 2 || !strings.Contains(msg, "corrupt.snap: slo: corrupt") {
		t.Errorf("merge of a corrupt file: exit %d, %q", code, msg)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("merge of a corrupt file left %s: %v", bad, err)
	}
	if code, out, _ := nines(t, "inspect", corrupt, fleet); code != 2 || !strings.Contains(out, "fleet.snap:") {
		t.Errorf("inspect of a corrupt and a good file: exit %d; the good one shown: %v", code, strings.Contains(out, "fleet.snap:"))
	}
}

// status shows the objectives worst first, with a summary, and exits 1
// when one needs attention.
func TestStatusWorstFirst(t *testing.T) {
	clock := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	objective := func(name string, good, bad int) *slo.Objective {
		r, _ := sli.NewRatio(sli.WithClock(now))
		for range good {
			r.Record(sli.Good)
		}
		for range bad {
			r.Record(sli.Bad)
		}
		return must(slo.New(slo.Config{Name: name, SLI: r, Target: 0.99}, slo.WithClock(now)))
	}
	reg := must(slo.NewRegistry(objective("fine", 1000, 0), objective("quiet", 0, 0), objective("broken", 900, 100), objective("wobbly", 1000, 8)))
	h := must(statuspage.Handler(reg, statuspage.WithClock(now)))
	srv := httptest.NewServer(h)
	defer srv.Close()
	code, out, _ := nines(t, "status", srv.URL)
	if code != 1 {
		t.Errorf("exit %d, want 1 with an objective breached", code)
	}
	if !strings.Contains(out, "4 objectives: 1 breached, 1 at risk, 1 no data, 1 met") {
		t.Errorf("no summary of the states in:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{"BREACHED  broken", "AT RISK   wobbly", "no data   quiet", "met       fine"}
	for i, w := range want {
		if i+2 >= len(lines) || !strings.HasPrefix(lines[i+2], w) {
			t.Errorf("line %d is not %q:\n%s", i+2, w, out)
		}
	}
	healthy := must(slo.NewRegistry(objective("fine", 1000, 0)))
	srv2 := httptest.NewServer(must(statuspage.Handler(healthy, statuspage.WithClock(now))))
	defer srv2.Close()
	if code, _, _ := nines(t, "status", srv2.URL); code != 0 {
		t.Errorf("every objective met: exit %d, want 0", code)
	}
	if code, _, _ := nines(t, "status", "http://"+freeAddr(t)+"/slo"); code != 2 {
		t.Errorf("an unreachable source: exit %d, want 2", code)
	}
}

// The rules from a replica's status page, and from the OpenSLO file of its
// objectives, are the rules its registry writes, and promtool accepts
// them.
func TestRulesFromEveryDeclaration(t *testing.T) {
	reg := replicaWith(t, 10, 5)
	var want bytes.Buffer
	if err := promrules.Write(&want, reg, promrules.Config{}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(must(statuspage.Handler(reg)))
	defer srv.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "slos.yaml")
	var openslo bytes.Buffer
	if err := ninesopenslo.Write(&openslo, reg, ninesopenslo.Config{}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(file, openslo.Bytes(), 0o644)
	for _, src := range []string{srv.URL, file} {
		code, got, _ := nines(t, "rules", src)
		if code != 0 || got != want.String() {
			t.Errorf("rules from %s: exit %d; differ from the registry's:\n%s", src, code, diffLines(want.String(), got))
		}
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("promtool not found (apt-get install prometheus; .ci/run does)")
		}
		t.Skip("promtool not found: apt-get install prometheus")
	}
	rulesFile := filepath.Join(dir, "rules.yml")
	os.WriteFile(rulesFile, want.Bytes(), 0o644)
	if out, err := exec.Command(promtool, "check", "rules", rulesFile).CombinedOutput(); err != nil {
		t.Errorf("promtool check rules: %v\n%s", err, out)
	}
	for _, format := range []string{"operator", "inhibitions", "dashboard"} {
		args := []string{"rules", "-format", format, file}
		if format == "operator" {
			args = []string{"rules", "-format", format, "-name", "shop-slos", file}
		}
		if code, out, _ := nines(t, args...); code != 0 || len(out) == 0 {
			t.Errorf("rules -format %s: exit %d", format, code)
		}
	}
}

// diffLines returns the first lines where a and b differ.
func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "line " + strconv.Itoa(i+1) + ":\n- " + al[i] + "\n+ " + bl[i]
		}
	}
	return "lengths " + strconv.Itoa(len(al)) + " and " + strconv.Itoa(len(bl))
}

// A composite in a status document has no rules of its own: nines rules
// writes its components' and says so.
func TestRulesSkipComposites(t *testing.T) {
	a := must(slo.New(slo.Config{Name: "cart", SLI: ratioOf(100), Target: 0.99}))
	b := must(slo.New(slo.Config{Name: "pay", SLI: ratioOf(100), Target: 0.99}))
	both := must(slo.New(slo.Config{Name: "checkout", Components: []slo.Component{{Objective: a}, {Objective: b}}, Target: 0.99}))
	srv := httptest.NewServer(must(statuspage.Handler(must(slo.NewRegistry(a, b, both)))))
	defer srv.Close()
	code, out, msg := nines(t, "rules", srv.URL)
	if code != 0 || !strings.Contains(out, `name: "nines-slo-pay"`) || !strings.Contains(msg, "composites have no rules (their components do): checkout") {
		t.Errorf("rules with a composite: exit %d, %q", code, msg)
	}
}
