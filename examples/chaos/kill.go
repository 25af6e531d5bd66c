package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// childEnv names the snapshot a child process persists until killed.
const childEnv = "NINES_CHAOS_PERSIST"

// persisted returns a registry with a day of traffic in it, the same in
// parent and child.
func persisted() (*slo.Registry, *sli.Ratio) {
	svc := mustService()
	avail, lat := svc.avail, svc.lat
	now := time.Now()
	for m := range 24 * 60 {
		at := now.Add(-time.Duration(m) * time.Minute)
		for k := range 10 {
			o := sli.Good
			if k == 0 && m%7 == 0 {
				o = sli.Bad
			}
			avail.RecordAt(at, o)
			lat.RecordAt(at, time.Duration(k*13)*time.Millisecond)
		}
	}
	return svc.reg, avail
}

// persistUntilKilled is the child: it rewrites the snapshot at path
// until it is killed, for at most 30 seconds.
func persistUntilKilled(path string) {
	reg, _ := persisted()
	os.Stdout.WriteString("writing\n")
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); {
		if err := slo.WriteFile(reg, path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// killScenario kills, with SIGKILL, a process rewriting its snapshot, at
// random moments: the snapshot is whole after every kill, and the next
// write leaves no temporary file behind.
func killScenario(s *suite) ([]figure, []string) {
	var broken []string
	self, err := os.Executable()
	if err != nil {
		return nil, []string{err.Error()}
	}
	dir := filepath.Join(s.dir, "persist")
	os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, "slo.snap")
	reg, avail := persisted()
	if err := slo.WriteFile(reg, path); err != nil {
		return nil, []string{err.Error()}
	}
	want := avail.Totals()
	rounds := s.n(40)
	rng := rand.New(rand.NewPCG(5, 6))
	orphans, kills := 0, 0
	for round := range rounds {
		cmd := exec.Command(self)
		cmd.Env = append(os.Environ(), childEnv+"="+path)
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			return nil, []string{err.Error()}
		}
		started := make(chan bool, 1)
		go func() {
			line, _ := bufio.NewReader(stdout).ReadString('\n')
			started <- strings.HasPrefix(line, "writing")
		}()
		select {
		case ok := <-started:
			if !ok {
				broken = append(broken, fmt.Sprintf("round %d: the child did not start writing", round))
			}
		case <-time.After(20 * time.Second):
			broken = append(broken, fmt.Sprintf("round %d: the child did not start within 20 s", round))
		}
		time.Sleep(time.Duration(2+rng.IntN(40)) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		kills++
		orphans += len(debris(dir, path))
		fresh := mustService()
		if _, err := slo.ReadFile(fresh.reg, path); err != nil {
			broken = append(broken, fmt.Sprintf("round %d: after the kill the snapshot is unreadable: %v", round, err))
		} else if got := fresh.avail.Totals(); got.Good != want.Good || got.Bad != want.Bad {
			broken = append(broken, fmt.Sprintf("round %d: the snapshot holds %+v, want %+v", round, got, want))
		}
		if err := slo.WriteFile(reg, path); err != nil {
			broken = append(broken, err.Error())
		}
		if left := debris(dir, path); len(left) > 0 {
			broken = append(broken, fmt.Sprintf("round %d: after the next write, temporary files remain: %v", round, left))
		}
		if len(broken) > 0 {
			break
		}
	}
	return []figure{
		fig("crashes", "%d", kills),
		fig("orphans left by them", "%d", orphans),
		fig("orphans after the next write", "%d", len(debris(dir, path))),
	}, broken
}

// debris lists the files in dir other than path.
func debris(dir, path string) []string {
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if e.Name() != filepath.Base(path) {
			out = append(out, e.Name())
		}
	}
	return out
}
