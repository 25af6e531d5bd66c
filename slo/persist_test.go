package slo_test

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/slo"
)

func TestWriteAndReadFile(t *testing.T) {
	clock := ninestest.NewClock(t0.Add(10 * day))
	a := newFleet(t, clock)
	a.traffic(clock, 0)
	path := filepath.Join(t.TempDir(), "slo.snap")
	b := newFleet(t, clock)
	if _, err := slo.ReadFile(b.reg, path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile of a missing file: %v, want fs.ErrNotExist", err)
	}
	if err := slo.WriteFile(a.reg, path); err != nil {
		t.Fatal(err)
	}
	if _, err := slo.ReadFile(b.reg, path); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(view(t, a.reg, clock.Now()), view(t, b.reg, clock.Now())); diff != "" {
		t.Errorf("read back (-written +read):\n%s", diff)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d files after WriteFile, want only the snapshot", len(entries))
	}
}

// TestPersister writes at an interval and on Close, and leaves no goroutine
// behind.
func TestPersister(t *testing.T) {
	clock := ninestest.NewClock(t0.Add(10 * day))
	a := newFleet(t, clock)
	a.traffic(clock, 0)
	path := filepath.Join(t.TempDir(), "slo.snap")
	before := runtime.NumGoroutine()
	var errs []error
	p, err := slo.NewPersister(a.reg, path, slo.WithPersistInterval(time.Hour), slo.WithPersistErrors(func(err error) { errs = append(errs, err) }))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	b := newFleet(t, clock)
	if _, err := slo.ReadFile(b.reg, path); err != nil {
		t.Fatalf("the snapshot Close wrote: %v", err)
	}
	if diff := cmp.Diff(view(t, a.reg, clock.Now()), view(t, b.reg, clock.Now())); diff != "" {
		t.Errorf("persisted (-live +read):\n%s", diff)
	}
	// The goroutine is gone (allow the runtime a moment to reap it).
	for i := 0; runtime.NumGoroutine() > before && i < 100; i++ {
		runtime.Gosched()
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close, %d before NewPersister", n, before)
	}
	if _, err := slo.NewPersister(a.reg, path, slo.WithPersistInterval(0)); !errors.Is(err, slo.ErrInvalidConfig) {
		t.Errorf("NewPersister(interval 0): %v, want ErrInvalidConfig", err)
	}
	if len(errs) != 0 {
		t.Errorf("periodic errors: %v", errs)
	}
}

// TestKilledWhilePersisting kills, with SIGKILL, a process that rewrites
// the snapshot in a loop: whenever it dies, the file is a whole snapshot,
// the previous one or the next.
func TestKilledWhilePersisting(t *testing.T) {
	if path := os.Getenv("NINES_PERSIST_CHILD"); path != "" {
		persistForever(t, path)
		return
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := filepath.Join(t.TempDir(), "slo.snap")
	clock := ninestest.NewClock(t0.Add(10 * day))
	seed := newFleet(t, clock)
	seed.traffic(clock, 0)
	if err := slo.WriteFile(seed.reg, path); err != nil {
		t.Fatal(err)
	}
	const rounds = 8
	orphans := 0
	for round := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWhilePersisting$", "-test.count=1")
		cmd.Env = append(os.Environ(), "NINES_PERSIST_CHILD="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait for it to start writing (it writes continuously), let it
		// write a while, then kill it, most likely mid-write.
		started := make(chan bool, 1)
		go func() {
			line, _ := bufio.NewReader(stdout).ReadString('\n')
			started <- strings.HasPrefix(line, "writing")
			io.Copy(io.Discard, stdout)
		}()
		select {
		case ok := <-started:
			if !ok {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("round %d: the child did not start writing", round)
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("round %d: the child did not start writing within 20s", round)
		}
		time.Sleep(time.Duration(20+round*37) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		fresh := newFleet(t, clock)
		if _, err := slo.ReadFile(fresh.reg, path); err != nil {
			t.Fatalf("round %d: after a kill mid-write the snapshot is unreadable: %v", round, err)
		}
		if got := view(t, fresh.reg, clock.Now())["availability"][1]; got != 14400 {
			t.Fatalf("round %d: the snapshot read back holds %v events, want 14400", round, got)
		}
		orphans += len(debris(t, path))
		// The next successful write removes whatever the crash left.
		if err := slo.WriteFile(seed.reg, path); err != nil {
			t.Fatal(err)
		}
		if left := debris(t, path); len(left) != 0 {
			t.Fatalf("round %d: after the next write, temporary files remain: %v", round, left)
		}
	}
	t.Logf("%d kills, %d temporary files left by them, 0 after the next write", rounds, orphans)
}

// debris lists the files beside path other than path itself.
func debris(t *testing.T, path string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Name() != filepath.Base(path) {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestWriteFileKeepsTheFile: rewriting a snapshot keeps its mode, writes
// through a symbolic link (relative or absolute, even dangling) and keeps
// the link, removes the temporary files a crash left and nothing else,
// and refuses a loop of links.
func TestWriteFileKeepsTheFile(t *testing.T) {
	clock := ninestest.NewClock(t0.Add(10 * day))
	f := newFleet(t, clock)
	f.traffic(clock, 0)
	dir := t.TempDir()
	path := filepath.Join(dir, "slo.snap")
	if err := slo.WriteFile(f.reg, path); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("a new snapshot has mode %v, want 0600", fi.Mode().Perm())
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	crashed := filepath.Join(dir, ".slo.snap.nines-tmp-123456")
	foreign := filepath.Join(dir, ".slo.snap.tmp-123456")             // not nines' pattern
	other := filepath.Join(dir, ".other.snap.nines-tmp-1")            // another snapshot's
	nested := filepath.Join(dir, ".slo.snap.nines-tmp-x.nines-tmp-1") // snapshot slo.snap.nines-tmp-x's
	for _, p := range []string{crashed, foreign, other, nested} {
		if err := os.WriteFile(p, []byte("debris"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := slo.WriteFile(f.reg, path); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("a rewritten snapshot has mode %v, want its 0644 kept", fi.Mode().Perm())
	}
	if _, err := os.Stat(crashed); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a crashed write's temporary file survived the next write: %v", err)
	}
	for _, p := range []string{foreign, other, nested} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("WriteFile removed %s, which is not its own: %v", filepath.Base(p), err)
		}
	}

	for _, c := range []struct{ name, link string }{{"relative", "real/slo.snap"}, {"absolute", filepath.Join(dir, "real", "abs.snap")}, {"dangling", "real/new.snap"}} {
		os.MkdirAll(filepath.Join(dir, "real"), 0o755)
		linkPath := filepath.Join(dir, c.name+".snap")
		if err := os.Symlink(c.link, linkPath); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
		if err := slo.WriteFile(f.reg, linkPath); err != nil {
			t.Fatalf("%s link: %v", c.name, err)
		}
		if fi, err := os.Lstat(linkPath); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s link: replaced by a regular file (%v)", c.name, err)
		}
		target := c.link
		if !filepath.IsAbs(target) {
			target = filepath.Join(dir, target)
		}
		b := newFleet(t, clock)
		if _, err := slo.ReadFile(b.reg, target); err != nil {
			t.Errorf("%s link: the file it names: %v", c.name, err)
		}
	}
	a, b := filepath.Join(dir, "loop-a"), filepath.Join(dir, "loop-b")
	os.Symlink(b, a)
	os.Symlink(a, b)
	if err := slo.WriteFile(f.reg, a); err == nil || !strings.Contains(err.Error(), "symbolic links") {
		t.Errorf("a loop of links: %v, want an error", err)
	}
	os.Symlink(filepath.Join(dir, "real"), filepath.Join(dir, "to-dir"))
	for _, p := range []string{filepath.Join(dir, "real"), filepath.Join(dir, "real") + "/", filepath.Join(dir, "to-dir")} {
		if err := slo.WriteFile(f.reg, p); err == nil || !strings.Contains(err.Error(), "is a directory") {
			t.Errorf("WriteFile(%s): %v, want it refused as a directory", p, err)
		}
	}
}

// persistForever is the child: it rewrites the snapshot until killed, for
// at most 30 seconds.
func persistForever(t *testing.T, path string) {
	clock := ninestest.NewClock(t0.Add(10 * day))
	f := newFleet(t, clock)
	f.traffic(clock, 0)
	os.Stdout.WriteString("writing\n")
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); {
		if err := slo.WriteFile(f.reg, path); err != nil {
			t.Fatal(err)
		}
	}
}
