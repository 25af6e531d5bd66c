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

// StartPrometheus starts server (one of Prometheuses) with the given
// scrape targets (host:port, path /metrics) and rule file contents,
// scraping and evaluating every second, and waits until it is ready. With
// nativeHistograms it ingests native histograms, as each version is told
// to: a feature flag for 2.x, the scrape configuration for 3. features are
// more feature flags, "exemplar-storage" say.
func StartPrometheus(t testing.TB, server Tool, targets []string, rules []byte, nativeHistograms bool, features ...string) *Prometheus {
	t.Helper()
	bin := server.Path
	var flags []string
	for _, f := range features {
		flags = append(flags, "--enable-feature="+f)
	}
	native := ""
	if nativeHistograms {
		if server.Version == "2" {
			flags = append(flags, "--enable-feature=native-histograms")
		} else {
			native = "\n    scrape_native_histograms: true"
		}
	}
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
  - job_name: demo%s
    static_configs:
      - targets: [%s]
`, native, strings.Join(quoted, ", "))
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := FreeAddr(t)
	Start(t, bin, append([]string{"--config.file=" + filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path=" + filepath.Join(dir, "data"),
		"--web.listen-address=" + addr, "--log.level=warn", "--storage.tsdb.retention.time=40d"}, flags...)...)
	p := &Prometheus{URL: "http://" + addr}
	Eventually(t, time.Minute, "prometheus ready", func() error {
		_, err := HTTPGet(p.URL + "/-/ready")
		return err
	})
	return p
}

// Exemplar is one exemplar of a series, as query_exemplars returns it.
type Exemplar struct {
	Series, Labels map[string]string
	Value          float64
	Time           time.Time
}

// Exemplars returns the exemplars of the series selector over the last
// hour (Prometheus keeps them with --enable-feature=exemplar-storage).
func (p *Prometheus) Exemplars(selector string) ([]Exemplar, error) {
	now := time.Now()
	q := url.Values{"query": {selector}, "start": {strconv.FormatInt(now.Add(-time.Hour).Unix(), 10)}, "end": {strconv.FormatInt(now.Add(time.Minute).Unix(), 10)}}
	body, err := HTTPGet(p.URL + "/api/v1/query_exemplars?" + q.Encode())
	if err != nil {
		return nil, err
	}
	var r struct {
		Status, Error string
		Data          []struct {
			SeriesLabels map[string]string
			Exemplars    []struct {
				Labels    map[string]string
				Value     string
				Timestamp float64
			}
		}
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("exemplars of %q: %v", selector, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("exemplars of %q: %s", selector, r.Error)
	}
	var out []Exemplar
	for _, s := range r.Data {
		for _, e := range s.Exemplars {
			v, err := strconv.ParseFloat(e.Value, 64)
			if err != nil {
				return nil, fmt.Errorf("exemplars of %q: value %q", selector, e.Value)
			}
			out = append(out, Exemplar{s.SeriesLabels, e.Labels, v, time.UnixMilli(int64(e.Timestamp * 1000))})
		}
	}
	return out, nil
}

// Sample is one element of an instant vector.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// Query evaluates an instant PromQL query now.
func (p *Prometheus) Query(expr string) ([]Sample, error) {
	body, err := HTTPGet(p.URL + "/api/v1/query?query=" + url.QueryEscape(expr))
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

// Prometheus3Version is the Prometheus 3 release the tests run besides
// Debian's 2.x; .ci/run builds it with go install (module version v0.316.0
// is Prometheus 3.16) and keeps the binaries in Prometheus3Dir.
const Prometheus3Version = "v0.316.0"

// Prometheus3Dir returns the directory holding Prometheus 3's prometheus
// and promtool: $NINES_PROMETHEUS3, or ~/.cache/nines-ci/prometheus-v0.316.0,
// where .ci/run installs them.
func Prometheus3Dir() string {
	if d := os.Getenv("NINES_PROMETHEUS3"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "nines-ci", "prometheus-"+Prometheus3Version)
}

// Tool is one version of a Prometheus program.
type Tool struct {
	Version string // "2" or "3", for subtest names
	Path    string
}

// Promtools returns Debian's promtool and Prometheus 3's, for a test to run
// against both. A missing one skips the test, saying how to get it (fails
// it under CI=true).
func Promtools(t testing.TB) []Tool { return versions(t, "promtool") }

// Prometheuses returns Debian's prometheus server and Prometheus 3's, as
// Promtools does.
func Prometheuses(t testing.TB) []Tool { return versions(t, "prometheus") }

func versions(t testing.TB, program string) []Tool {
	t.Helper()
	two := Need(t, program, "prometheus")
	three := filepath.Join(Prometheus3Dir(), program)
	if _, err := os.Stat(three); err != nil {
		msg := fmt.Sprintf("%s not found: build it with GOBIN=%s go install github.com/prometheus/prometheus/cmd/%s@%s (.ci/run does)", three, Prometheus3Dir(), program, Prometheus3Version)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return []Tool{{"2", two}, {"3", three}}
}
