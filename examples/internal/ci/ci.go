// Package ci holds what the examples' integration tests share: finding the
// third-party programs they run against (skipping with a clear message
// when one is missing locally, failing under CI=true, where .ci/run
// installs them), starting processes, and waiting without sleeping blind.
package ci

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Need returns the path of program, or skips the test saying how to get
// it. Under CI=true a missing program fails the test instead.
func Need(t testing.TB, program, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err == nil {
		return path
	}
	msg := fmt.Sprintf("%s not found: install Debian's %s package (.ci/run does) to run this test", program, debianPackage)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// Build compiles the main package in dir (relative to the test's package)
// and returns the binary's path.
func Build(t testing.TB, dir string) string {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), filepath.Base(abs))
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", dir, err, out)
	}
	return bin
}

// Process is a program a test started.
type Process struct {
	Cmd   *exec.Cmd
	first chan string
}

// Start runs a program until the test ends, its output going to the test
// log. It is killed and waited for at cleanup.
func Start(t testing.TB, name string, args ...string) *Process {
	t.Helper()
	cmd := exec.Command(name, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &Process{Cmd: cmd, first: make(chan string, 1)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(p.first)
		sc := bufio.NewScanner(out)
		for n := 0; sc.Scan(); n++ {
			if n == 0 {
				p.first <- sc.Text()
			}
			t.Logf("%s: %s", filepath.Base(name), sc.Text())
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		cmd.Wait()
	})
	return p
}

// FirstLine returns the first line the process printed, waiting up to a
// minute.
func (p *Process) FirstLine(t testing.TB) string {
	t.Helper()
	select {
	case l, ok := <-p.first:
		if !ok {
			t.Fatalf("%s printed nothing", p.Cmd.Path)
		}
		return l
	case <-time.After(time.Minute):
		t.Fatalf("%s printed nothing in a minute", p.Cmd.Path)
	}
	return ""
}

// FreeAddr returns a loopback address with a port free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Get fetches url and returns its body; an error or a status other than
// 200 fails the test.
func Get(t testing.TB, url string) []byte {
	t.Helper()
	body, err := HTTPGet(url)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// HTTPGet fetches url, failing on an error or a status other than 200,
// whose body the error quotes.
func HTTPGet(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	return body, nil
}

// Eventually calls check every 100 ms until it returns nil, for at most
// limit; then it fails the test with check's last error.
func Eventually(t testing.TB, limit time.Duration, what string, check func() error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		err := check()
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not within %v: %v", what, limit, err)
		case <-tick.C:
		}
	}
}

// Requests makes n GET requests, the k-th to url(k), at most 16 at a time,
// and fails the test on any error. Statuses are the server's business.
func Requests(t testing.TB, n int, url func(k int) string) {
	t.Helper()
	errs := make(chan error, n)
	sem := make(chan struct{}, 16)
	for k := range n {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			resp, err := http.Get(url(k))
			if err != nil {
				errs <- err
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
	}
	for range cap(sem) {
		sem <- struct{}{}
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Work returns a url function for the demo service's GET /work at base:
// every failEvery-th request (if > 0) answers 500, every slowEvery-th
// other one (if > 0) takes 110 ms, over the 100 ms latency threshold.
func Work(base string, failEvery, slowEvery int) func(int) string {
	return func(k int) string {
		switch {
		case failEvery > 0 && k%failEvery == 0:
			return base + "/work?status=500"
		case slowEvery > 0 && k%slowEvery == 1:
			return base + "/work?delay=110ms"
		}
		return base + "/work"
	}
}
