package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nines-slo/nines/examples/internal/ci"
	"github.com/nines-slo/nines/exporter/statuspage"
)

// TestStatusPageInChromium renders the quickstart's status page in a real
// headless Chromium while traffic runs: the page renders with a row per
// objective and its SVG charts, and a screenshot is written to the test's
// temporary directory.
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
	// Wait for traffic on both routes, so that there is something to chart.
	ci.Eventually(t, time.Minute, "traffic on both routes", func() error {
		resp, err := http.Get(m[1] + "?format=json")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		doc, err := statuspage.Decode(resp.Body)
		if err != nil {
			return err
		}
		for _, o := range doc.Objectives {
			if strings.Contains(o.Name, "/api/") && o.Valid < 20 {
				return fmt.Errorf("%s: %v valid events", o.Name, o.Valid)
			}
		}
		return nil
	})

	dir := t.TempDir()
	browse := func(extra ...string) []byte {
		args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir=" + filepath.Join(dir, "profile"), "--window-size=1400,2400"}, extra...)
		cctx, ccancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer ccancel()
		var stdout, stderr bytes.Buffer
		cmd := exec.CommandContext(cctx, chromium, append(args, m[1])...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v\n%s", extra, err, stderr.String())
		}
		return stdout.Bytes()
	}
	dom := string(browse("--dump-dom"))
	for _, want := range []string{
		"<h1>Service level objectives</h1>",
		"shop GET /api/search availability", "shop GET /api/items latency",
		`<span class="state breached">breached</span>`,
		`<svg`, `id="budget"`, `id="sli"`, `id="latency"`, "<polyline",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page Chromium rendered lacks %s", want)
		}
	}
	if n := strings.Count(dom, `<tr class="objective">`); n < 4 {
		t.Errorf("%d objective rows rendered, want at least 4", n)
	}
	shot := filepath.Join(dir, "status.png")
	browse("--screenshot=" + shot)
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatal(err)
	}
	if len(png) < 10_000 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("screenshot %s: %d bytes, not a PNG of the page", shot, len(png))
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))
	if os.Getenv("NINES_KEEP_SCREENSHOT") != "" {
		os.WriteFile(os.Getenv("NINES_KEEP_SCREENSHOT"), png, 0o644)
	}
}
