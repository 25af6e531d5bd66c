package main

import (
	"strings"
	"testing"
)

// TestQueue runs the example: the 10-second stall makes about 800 messages
// late, which breaches freshness while availability counts the failures
// only (the malformed messages are not valid).
func TestQueue(t *testing.T) {
	var out strings.Builder
	if err := run(&out, 5000, 4); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	for _, want := range []string{
		"orders consumer availability: 4985 good of 4990 valid, SLI 99.8998% against 99.9%: breached",
		"orders consumer freshness: 4181 good of 4985 valid, SLI 83.8716% against 99.0%: breached",
		"messages: 4985 processed, 5 failed, 10 rejected as malformed",
		"p99 9.598s",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if err := run(&out, 0, 4); err == nil {
		t.Error("run with no messages: no error")
	}
}
