package nodata_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/nines-slo/nines/budget"
	"github.com/nines-slo/nines/histogram"
	"github.com/nines-slo/nines/sli"
)

// TestOneCondition: each package's ErrNoData, wrapped as its errors are,
// matches every package's, and nothing else matches them.
func TestOneCondition(t *testing.T) {
	all := map[string]error{"histogram": histogram.ErrNoData, "budget": budget.ErrNoData, "sli": sli.ErrNoData}
	for from, e := range all {
		err := fmt.Errorf("reading: %w", e)
		for to, target := range all {
			if !errors.Is(err, target) {
				t.Errorf("errors.Is(%s's, %s.ErrNoData) = false", from, to)
			}
		}
	}
	if errors.Is(histogram.ErrInvalidConfig, sli.ErrNoData) || errors.Is(errors.New("no data"), budget.ErrNoData) {
		t.Error("another error matches ErrNoData")
	}
}
