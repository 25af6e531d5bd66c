package main

import (
	"strings"
	"testing"
)

// TestAggregated runs the example and checks docs/concepts.md's numbers: 39980
// good of 40000 valid, a browse SLI of 99.95%.
func TestAggregated(t *testing.T) {
	var out strings.Builder
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	for _, want := range []string{
		"    home   9994  10000   99.94%",
		"  search   9989  10000   99.89%",
		"category   9997  10000   99.97%",
		"  detail  10000  10000  100.00%",
		"  browse  39980  40000   99.95%",
		"browse against 99.90% over 7d rolling: met, 50% of the error budget left (20 of 40 bad events allowed)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}
