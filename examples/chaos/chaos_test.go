package main

import (
	"bytes"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" { // the kill scenario's child
		persistUntilKilled(path)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestChaos runs every scenario at a twentieth of its load, so that the
// suite itself is tested with the others; CI runs it whole with go run.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers and child processes")
	}
	var out, errOut bytes.Buffer
	code := run([]string{"-scale", "0.05"}, &out, &errOut)
	t.Logf("\n%s%s", out.String(), errOut.String())
	if code != 0 {
		t.Errorf("chaos exited %d", code)
	}
}
