package bench

import (
	"log/slog"
	"os"
	"testing"
)

// TestMain silences the alerts that benchmarks' objectives fire: the
// default alert logger would write each to the benchmarks' output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}
