//go:build ignore

// Command mutate checks that the tests notice planted bugs: for each
// change listed in .ci/mutations.txt it applies the change to a copy of
// the repository, runs the packages' tests, and expects them to fail. It
// prints one line a change, caught or survived, and exits 1 if any
// survived or no longer applies. Run it on demand from the repository's
// root (it takes a few minutes):
//
//	go run .ci/mutate.go            # every change
//	go run .ci/mutate.go -run persist   # those whose line matches
//
// A line of mutations.txt is "file | text | replacement | packages": the
// text must occur exactly once in the file; an empty replacement deletes
// it; packages are go test patterns from the root (the go.work there
// spans every module). Lines starting with # are comments.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

type mutation struct {
	line             int
	file, text, repl string
	pkgs             []string
}

func main() {
	list := flag.String("list", ".ci/mutations.txt", "the changes to plant")
	run := flag.String("run", "", "plant only the changes whose line contains this")
	timeout := flag.Duration("timeout", 5*time.Minute, "the longest a change's tests may take")
	flag.Parse()
	muts, err := read(*list, *run)
	if err != nil {
		fail(err)
	}
	dir, err := copyRepo()
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	survived := 0
	for _, m := range muts {
		verdict, took := plant(dir, m, *timeout)
		if verdict != "caught" {
			survived++
		}
		repl := m.repl
		if repl == "" {
			repl = "(deleted)"
		}
		fmt.Printf("%-8s %5.1fs  %s:%d  %s → %s\n", verdict, took.Seconds(), m.file, m.line, m.text, repl)
	}
	fmt.Printf("%d of %d planted changes caught\n", len(muts)-survived, len(muts))
	if survived > 0 {
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mutate:", err)
	os.Exit(2)
}

func read(path, only string) ([]mutation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []mutation
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || !strings.Contains(line, only) {
			continue
		}
		parts := strings.Split(line, " | ")
		if len(parts) != 4 {
			return nil, fmt.Errorf("%s:%d: want file | text | replacement | packages", path, n)
		}
		out = append(out, mutation{line: n, file: strings.TrimSpace(parts[0]), text: strings.TrimSpace(parts[1]),
			repl: strings.TrimSpace(parts[2]), pkgs: strings.Fields(parts[3])})
	}
	return out, sc.Err()
}

// copyRepo copies the files git tracks (with the working tree's changes)
// into a temporary directory.
func copyRepo() (string, error) {
	files, err := exec.Command("git", "ls-files", "-z").Output()
	if err != nil {
		return "", fmt.Errorf("git ls-files: %w", err)
	}
	dir, err := os.MkdirTemp("", "nines-mutate-")
	if err != nil {
		return "", err
	}
	for _, f := range bytes.Split(bytes.TrimRight(files, "\x00"), []byte{0}) {
		name := string(f)
		data, err := os.ReadFile(name)
		if err != nil {
			continue // deleted in the working tree
		}
		fi, _ := os.Stat(name)
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(dst, data, fi.Mode().Perm()); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// plant applies m in dir, runs its tests and restores the file.
func plant(dir string, m mutation, timeout time.Duration) (string, time.Duration) {
	path := filepath.Join(dir, m.file)
	orig, err := os.ReadFile(path)
	if err != nil {
		return "missing", 0
	}
	if n := bytes.Count(orig, []byte(m.text)); n != 1 {
		return fmt.Sprintf("stale(%d)", n), 0
	}
	if err := os.WriteFile(path, bytes.Replace(orig, []byte(m.text), []byte(m.repl), 1), 0o644); err != nil {
		return "error", 0
	}
	defer os.WriteFile(path, orig, 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", append([]string{"test", "-count=1", "-short"}, m.pkgs...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	switch {
	case ctx.Err() != nil:
		return "timeout", took
	case err == nil:
		return "SURVIVED", took
	case bytes.Contains(out, []byte("[build failed]")) || bytes.Contains(out, []byte("[setup failed]")):
		return "nobuild", took // the change does not compile: fix the list
	}
	return "caught", took
}
