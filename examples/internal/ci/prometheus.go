package ci

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Prometheus is a real Prometheus server started for a test, listening on
// loopback, with its data in a temporary directory.
type Prometheus struct {
	URL string
}

// StartPrometheus starts Debian's prometheus with the given scrape
// targets (host:port, path /metrics) and rule file contents, scraping and
// evaluating every second, with flags added to its command line
// (--enable-feature=native-histograms, say), and waits until it is ready.
// Without the program the test is skipped (failed under CI=true).
func StartPrometheus(t testing.TB, targets []string, rules []byte, flags ...string) *Prometheus {
	t.Helper()
	bin := Need(t, "prometheus", "prometheus")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), rules, 0o644); err != nil {
		t.Fatal(err)
	}
	var quoted []string
	for _, tg := range targets {
		quoted = append(quoted, strconv.Quote(tg))
	}
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [rules.yml]
scrape_configs:
  - job_name: demo
    static_configs:
      - targets: [%s]
`, strings.Join(quoted, ", "))
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := FreeAddr(t)
	Start(t, bin, append([]string{"--config.file=" + filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path=" + filepath.Join(dir, "data"),
		"--web.listen-address=" + addr, "--log.level=warn", "--storage.tsdb.retention.time=40d"}, flags...)...)
	p := &Prometheus{URL: "http://" + addr}
	Eventually(t, time.Minute, "prometheus ready", func() error {
		_, err := httpGet(p.URL + "/-/ready")
		return err
	})
	return p
}

// Sample is one element of an instant vector.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// Query evaluates an instant PromQL query now.
func (p *Prometheus) Query(expr string) ([]Sample, error) {
	body, err := httpGet(p.URL + "/api/v1/query?query=" + url.QueryEscape(expr))
	if err != nil {
		return nil, err
	}
	var r struct {
		Status string
		Error  string
		Data   struct {
			ResultType string
			Result     []struct {
				Metric map[string]string
				Value  [2]any
			}
		}
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("query %q: %v", expr, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %q: %s", expr, r.Error)
	}
	var out []Sample
	for _, s := range r.Data.Result {
		str, _ := s.Value[1].(string)
		v, err := strconv.ParseFloat(str, 64)
		if err != nil {
			return nil, fmt.Errorf("query %q: value %v", expr, s.Value[1])
		}
		out = append(out, Sample{s.Metric, v})
	}
	return out, nil
}

// Scalar evaluates a query that must return exactly one sample.
func (p *Prometheus) Scalar(expr string) (float64, error) {
	s, err := p.Query(expr)
	if err != nil {
		return 0, err
	}
	if len(s) != 1 {
		return 0, fmt.Errorf("query %q: %d samples, want 1", expr, len(s))
	}
	return s[0].Value, nil
}
