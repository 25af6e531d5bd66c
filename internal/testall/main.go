// Command testall runs the tests of every module in this repository and
// says what ran and what did not:
//
//	go run ./internal/testall            # every module's tests
//	go run ./internal/testall -race      # flags after it go to go test
//
// It prints a line per package as go test does, the whole output of any
// test that failed, and a summary: how many tests passed, failed and were
// skipped, and each skipped test with its reason (an integration test
// whose server, Prometheus or Chromium, is not installed, say). Under
// CI=true a missing server fails its test instead. The exit status is 1
// when a test failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout)) }

// event is one line of go test -json.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

type result struct {
	passed, failed, skipped int
	skips                   []string // "pkg TestX: reason"
	failures                []string // a failed test's output
}

func run(args []string, out io.Writer) int {
	mods, err := modules(".")
	if err != nil {
		fmt.Fprintln(out, "testall:", err)
		return 2
	}
	start := time.Now()
	var all result
	broken := false
	for _, dir := range mods {
		cmd := exec.Command("go", append(append([]string{"test", "-json"}, args...), "./...")...)
		cmd.Dir = dir
		cmd.Stderr = out // build errors
		pipe, err := cmd.StdoutPipe()
		if err != nil {
			fmt.Fprintln(out, "testall:", err)
			return 2
		}
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(out, "testall:", err)
			return 2
		}
		read(pipe, out, &all)
		if err := cmd.Wait(); err != nil {
			broken = true // a failed test, or a package that did not build
		}
	}
	for _, f := range all.failures {
		fmt.Fprint(out, f)
	}
	fmt.Fprintf(out, "\n%d modules in %v: %d tests passed, %d failed, %d skipped\n",
		len(mods), time.Since(start).Round(time.Second), all.passed, all.failed, all.skipped)
	if len(all.skips) > 0 {
		sort.Strings(all.skips)
		fmt.Fprintln(out, "skipped, and why (under CI=true an integration test whose server is missing fails instead):")
		for _, s := range all.skips {
			fmt.Fprintln(out, "  "+s)
		}
	}
	if broken || all.failed > 0 {
		fmt.Fprintln(out, "FAIL")
		return 1
	}
	fmt.Fprintln(out, "ok")
	return 0
}

// read follows one module's go test -json stream: package lines as go
// test prints them, and per test its result and, for skips and failures,
// what it said.
func read(r io.Reader, out io.Writer, res *result) {
	said := map[string]*strings.Builder{} // package/test → its output
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		key := e.Package + " " + e.Test
		switch {
		case e.Action == "output" && e.Test != "":
			if said[key] == nil {
				said[key] = &strings.Builder{}
			}
			said[key].WriteString(e.Output)
		case e.Action == "output" && (strings.HasPrefix(e.Output, "ok  ") || strings.HasPrefix(e.Output, "FAIL\t") || strings.HasPrefix(e.Output, "?   ")):
			fmt.Fprint(out, e.Output)
		case e.Test == "":
		case e.Action == "pass":
			res.passed++
		case e.Action == "fail":
			res.failed++
			if b := said[key]; b != nil {
				res.failures = append(res.failures, b.String())
			}
		case e.Action == "skip":
			res.skipped++
			res.skips = append(res.skips, e.Package+" "+e.Test+": "+reason(said[key]))
		}
	}
}

// reason is the message a skipped test gave: the last line it logged.
func reason(b *strings.Builder) string {
	if b == nil {
		return "no reason given"
	}
	var last string
	for _, line := range strings.Split(b.String(), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "=== ") && !strings.HasPrefix(line, "--- SKIP") {
			last = line
		}
	}
	if last == "" {
		return "no reason given"
	}
	return last
}

// modules returns the directories under root holding a go.mod, root's
// first.
func modules(root string) ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && d.Name() == "go.mod" {
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	return dirs, err
}
