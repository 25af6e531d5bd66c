package bench

import (
	"testing"
)

// TestAccuracyTargets checks the accuracy targets on both distributions:
// nines within 1% at p50–p99.9, and at least 3 times more accurate than
// the OpenTelemetry exponential histogram (MaxSize 160, bucket midpoint)
// at every quantile... measured as the largest error over p50–p99.9.
func TestAccuracyTargets(t *testing.T) {
	rows := Accuracy()
	worst := map[string]map[string]float64{}
	for _, r := range rows {
		if worst[r.Distribution] == nil {
			worst[r.Distribution] = map[string]float64{}
		}
		for i, e := range r.Error {
			t.Logf("%-9s %-18s q=%-5v exact %-14v got %-14v error %.4f%%", r.Distribution, r.Estimator, Quantiles[i], r.Exact[i], r.Got[i], e*100)
			worst[r.Distribution][r.Estimator] = max(worst[r.Distribution][r.Estimator], e)
		}
	}
	for d, w := range worst {
		if w["nines"] > 0.01 {
			t.Errorf("%s: nines is %.3f%% off at worst, want ≤ 1%%", d, w["nines"]*100)
		}
		if 3*w["nines"] > w["otel-exponential"] {
			t.Errorf("%s: nines %.4f%%, OpenTelemetry exponential %.4f%%: want at least 3× more accurate", d, w["nines"]*100, w["otel-exponential"]*100)
		}
	}
}
