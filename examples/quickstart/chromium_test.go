package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nines-slo/nines/examples/internal/ci"
)

// TestStatusPageInChromium renders the quickstart's status page in a real
// headless Chromium while traffic runs: the page renders with a section
// per objective and its SVG charts; at 1280 and at 400 px it has no
// sideways scrolling, its summary counts the objectives it shows and they
// come the most urgent first; a screenshot at each width is written to
// $NINES_ARTIFACTS (the test's temporary directory without it), which
// .ci/run keeps.
func TestStatusPageInChromium(t *testing.T) {
	chromium := ci.Need(t, "chromium", "chromium")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-duration", "2m"}, pw)
		pw.CloseWithError(err)
		done <- err
	}()
	defer func() {
		cancel()
		io.Copy(io.Discard, pr)
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatal("no output")
	}
	m := regexp.MustCompile(`the status page is (http://127\.0\.0\.1:\d+/slo) `).FindStringSubmatch(sc.Text())
	if m == nil {
		t.Fatalf("no status page in %q", sc.Text())
	}
	go io.Copy(io.Discard, pr)
	waitForTraffic(t, m[1]) // something to chart

	dir := t.TempDir()
	browse := func(url string, width int, extra ...string) []byte {
		args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
			"--user-data-dir=" + filepath.Join(dir, "profile"), fmt.Sprintf("--window-size=%d,2400", width)}, extra...)
		cctx, ccancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer ccancel()
		var stdout, stderr bytes.Buffer
		cmd := exec.CommandContext(cctx, chromium, append(args, url)...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v\n%s", extra, err, stderr.String())
		}
		return stdout.Bytes()
	}
	dom := string(browse(m[1], 1280, "--dump-dom"))
	for _, want := range []string{
		"<h1>Service level objectives</h1>", `id="summary"`, "What the numbers mean",
		"shop GET /api/search availability", "shop GET /api/items latency",
		`<span class="state breached">breached</span>`,
		`<svg`, `id="budget"`, `id="sli"`, `id="burn"`, `id="latency"`, "<polyline",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page Chromium rendered lacks %s", want)
		}
	}
	if n := strings.Count(dom, `<section class="objective`); n < 4 {
		t.Errorf("%d objectives rendered, want at least 4", n)
	}

	// The layout, measured in the browser at a desktop's width and a
	// phone's: the page as served, with a script added that reports what
	// it laid out (the page itself runs none).
	resp, err := http.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	const probe = `<script>
const summary = [...document.querySelectorAll('#summary [data-condition]')].map(e => [e.dataset.condition, +e.dataset.count]);
const order = [...document.querySelectorAll('section.objective')].map(e => e.dataset.condition);
const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '.' + e.className);
window.parent.document.body.setAttribute('data-probe', JSON.stringify({width: window.innerWidth, scroll: document.documentElement.scrollWidth, summary, order, wide}));
</script></body>`
	// Headless Chromium's windows are at least 500 px wide: the page is
	// laid out in a frame of the width measured.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /page", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(bytes.Replace(page, []byte("</body>"), []byte(probe), 1))
	})
	mux.HandleFunc("GET /frame/{width}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><body style="margin:0"><iframe src="/page" width="%s" height="2400" style="border:0"></iframe></body></html>`, r.PathValue("width"))
	})
	harness := httptest.NewServer(mux)
	defer harness.Close()
	rank := map[string]int{"failed": 0, "breached": 1, "page": 2, "ticket": 3, "at-risk": 4, "no-data": 5, "met": 6}
	artifacts := os.Getenv("NINES_ARTIFACTS")
	if artifacts == "" {
		artifacts = dir
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int{1280, 400} {
		out := string(browse(fmt.Sprintf("%s/frame/%d", harness.URL, width), width+100, "--dump-dom", "--virtual-time-budget=5000"))
		mm := regexp.MustCompile(`data-probe="([^"]*)"`).FindStringSubmatch(out)
		if mm == nil {
			t.Fatalf("at %d px the probe reported nothing", width)
		}
		var got struct {
			Width, Scroll int
			Summary       [][2]any
			Order         []string
			Wide          []string
		}
		if err := json.Unmarshal([]byte(html.UnescapeString(mm[1])), &got); err != nil {
			t.Fatal(err)
		}
		if got.Width != width || got.Scroll > got.Width {
			t.Errorf("at %d px: the page is %d px wide in a %d px window: sideways scrolling (too wide: %v)", width, got.Scroll, got.Width, got.Wide)
		}
		total := 0
		for _, c := range got.Summary {
			total += int(c[1].(float64))
		}
		if total != len(got.Order) || total < 4 {
			t.Errorf("at %d px: the summary counts %d objectives, the page shows %d", width, total, len(got.Order))
		}
		for i := 1; i < len(got.Order); i++ {
			if rank[got.Order[i]] < rank[got.Order[i-1]] {
				t.Errorf("at %d px: %s after %s: not the most urgent first (%v)", width, got.Order[i], got.Order[i-1], got.Order)
			}
		}
		shot := filepath.Join(artifacts, fmt.Sprintf("status-%dpx.png", width))
		browse(fmt.Sprintf("%s/frame/%d", harness.URL, width), width+100, "--screenshot="+shot)
		png, err := os.ReadFile(shot)
		if err != nil {
			t.Fatal(err)
		}
		if len(png) < 10_000 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Errorf("screenshot %s: %d bytes, not a PNG of the page", shot, len(png))
		}
		t.Logf("screenshot at %d px: %s (%d bytes)", width, shot, len(png))
	}
}
