package ci_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/nines-slo/nines/examples/internal/ci"
)

// Every example says what it does and what it takes with -h, and exits 0
// doing so.
func TestEveryExampleHasHelp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every example")
	}
	for _, name := range []string{"aggregated", "chaos", "httpserver", "loganalyzer", "promrules", "queue", "quickstart"} {
		bin := ci.Build(t, "../../"+name)
		out, err := exec.Command(bin, "-h").CombinedOutput()
		if err != nil {
			t.Errorf("%s -h: %v\n%s", name, err, out)
		}
		if help := string(out); !strings.HasPrefix(help, "usage: go run ./examples/"+name) || len(strings.Split(help, "\n")) < 4 {
			t.Errorf("%s -h says:\n%s", name, out)
		}
	}
}
