package main

import (
	"strings"
	"testing"
)

// A go test -json stream tallied: passes, failures with their output,
// skips with their reasons, and the package lines.
func TestRead(t *testing.T) {
	stream := `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestB","Output":"=== RUN   TestB\n"}
{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:9: chromium not found: apt-get install chromium\n"}
{"Action":"output","Package":"p","Test":"TestB","Output":"--- SKIP: TestB (0.00s)\n"}
{"Action":"skip","Package":"p","Test":"TestB"}
{"Action":"run","Package":"p","Test":"TestC"}
{"Action":"output","Package":"p","Test":"TestC","Output":"    c_test.go:3: 2 + 2 = 5\n"}
{"Action":"fail","Package":"p","Test":"TestC"}
{"Action":"output","Package":"p","Output":"FAIL\tp\t0.01s\n"}
not json
{"Action":"fail","Package":"p"}
`
	var out strings.Builder
	var r result
	read(strings.NewReader(stream), &out, &r)
	if r.passed != 1 || r.failed != 1 || r.skipped != 1 {
		t.Errorf("%d passed, %d failed, %d skipped; want 1 of each", r.passed, r.failed, r.skipped)
	}
	if len(r.skips) != 1 || r.skips[0] != "p TestB: b_test.go:9: chromium not found: apt-get install chromium" {
		t.Errorf("skips %q", r.skips)
	}
	if len(r.failures) != 1 || !strings.Contains(r.failures[0], "2 + 2 = 5") {
		t.Errorf("failures %q", r.failures)
	}
	if out.String() != "FAIL\tp\t0.01s\n" {
		t.Errorf("package lines %q", out.String())
	}
}
