package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/nines-slo/nines/examples/internal/ci"
	"github.com/nines-slo/nines/exporter/promrules"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// BenchmarkRuleEvaluation measures what the rule groups of 1,000
// objectives cost a real Prometheus 3 per evaluation (the sum over groups
// of prometheus_rule_group_last_duration_seconds), over 12 hours of
// backfilled counters from two replicas at one sample a minute: "raw",
// every window an increase() over the replicas' counters, as the rules
// were written before; "step", windows over an hour summing the recorded
// step, as they are now (its 12 hours backfilled too). On a 2-core machine,
// one round each: raw 5.1 s, step 4.6 s (an earlier form of the step,
// the increase over two intervals halved: raw 7.2 s, step 5.2 s; the
// machine is noisy). The raw form's long scans grow
// with the history, the replicas and the scrape rate (30 days, 10 replicas
// scraped every 15 seconds: 2,400 times the samples of this setup's 12
// hours of two replicas a minute), the step's with the history alone. Run
// it with -benchtime 1x:
//
//	go test ./promrules -run '^$' -bench RuleEvaluation -benchtime 1x
func BenchmarkRuleEvaluation(b *testing.B) {
	tools := ci.Prometheuses(b)
	server := tools[len(tools)-1]
	promtool := ci.Promtools(b)[len(tools)-1].Path
	const objectives, history = 1000, 12 * time.Hour
	reg, err := slo.NewRegistry()
	if err != nil {
		b.Fatal(err)
	}
	for i := range objectives {
		r, _ := sli.NewRatio()
		o, err := slo.New(slo.Config{Name: fmt.Sprintf("objective-%04d", i), SLI: r, Target: 0.999, Metadata: slo.Metadata{Service: "bench"}})
		if err != nil {
			b.Fatal(err)
		}
		if err := reg.Add(o); err != nil {
			b.Fatal(err)
		}
	}
	var rules bytes.Buffer
	if err := promrules.Write(&rules, reg, promrules.Config{}); err != nil {
		b.Fatal(err)
	}
	step := rules.Bytes()
	// The raw form: each long window an increase over the counters, as
	// the rules were before the step.
	long := regexp.MustCompile(`record: nines_slo:(good|valid):increase_(\w+)\n        expr: "sum_over_time\(nines_slo:\w+:step\{([^}]*)\}\[[^\]]*\]\)"`)
	raw := long.ReplaceAll(step, []byte(`record: nines_slo:${1}:increase_${2}`+"\n"+`        expr: "sum without (instance, pod) (increase(nines_slo_events_${1}_total{${3}}[${2}]))"`))
	if bytes.Equal(raw, step) || bytes.Contains(raw, []byte("sum_over_time")) {
		b.Fatal("could not rewrite the long windows")
	}

	dir := b.TempDir()
	blocks := filepath.Join(dir, "data")
	backfill(b, promtool, dir, blocks, objectives, history)
	for _, form := range []struct {
		name  string
		rules []byte
	}{{"raw", raw}, {"step", step}} {
		b.Run(form.name, func(b *testing.B) {
			for b.Loop() {
				b.ReportMetric(evaluate(b, server, blocks, form.rules, objectives), "s/evaluation")
			}
		})
	}
}

// backfill writes history of counters for every objective (two replicas,
// 10 requests a second each, one in a thousand bad, a sample a minute)
// and of the step the rules record, into TSDB blocks.
func backfill(b *testing.B, promtool, dir, blocks string, objectives int, history time.Duration) {
	path := filepath.Join(dir, "history.om")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	end := time.Now().Truncate(time.Minute)
	minutes := int(history / time.Minute)
	for _, kind := range []string{"good", "valid"} {
		fmt.Fprintf(w, "# TYPE nines_slo_events_%s counter\n", kind)
		for o := range objectives {
			for _, inst := range []string{"a:8080", "b:8080"} {
				for m := range minutes {
					v := 600 * m
					if kind == "good" {
						v -= v / 1000
					}
					fmt.Fprintf(w, "nines_slo_events_%s_total{nines_slo_name=\"objective-%04d\",nines_slo_service=\"bench\",job=\"bench\",instance=%q} %d %d\n",
						kind, o, inst, v, end.Add(time.Duration(m-minutes)*time.Minute).Unix())
				}
			}
		}
	}
	for _, kind := range []string{"good", "valid"} {
		name := promrules.StepRecordName(kind)
		fmt.Fprintf(w, "# TYPE %s gauge\n", name)
		for o := range objectives {
			for m := range minutes {
				v := 2 * 600.0 // two replicas' events in a minute
				if kind == "good" {
					v *= 0.999
				}
				fmt.Fprintf(w, "%s{nines_slo_name=\"objective-%04d\",nines_slo_service=\"bench\",job=\"bench\"} %v %d\n",
					name, o, v, end.Add(time.Duration(m-minutes)*time.Minute).Unix())
			}
		}
	}
	fmt.Fprintf(w, "# EOF\n")
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", "-q", path, blocks).CombinedOutput(); err != nil {
		b.Fatalf("backfill: %v\n%s", err, out)
	}
	os.Remove(path)
}

// evaluate runs server on a copy of blocks with the rules until every
// group has evaluated twice, and returns the sum over groups of their
// last evaluation's duration, in seconds.
func evaluate(b *testing.B, server ci.Tool, blocks string, rules []byte, groups int) float64 {
	dir := b.TempDir()
	data := filepath.Join(dir, "data")
	if out, err := exec.Command("cp", "-r", blocks, data).CombinedOutput(); err != nil {
		b.Fatalf("copying the blocks: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), rules, 0o644); err != nil {
		b.Fatal(err)
	}
	config := "global:\n  evaluation_interval: 1m\nrule_files: [rules.yml]\n"
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o644); err != nil {
		b.Fatal(err)
	}
	addr := ci.FreeAddr(b)
	p := ci.Start(b, server.Path, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+data,
		"--web.listen-address="+addr, "--log.level=warn", "--storage.tsdb.retention.time=40d")
	defer p.Cmd.Process.Kill()
	var total float64
	ci.Eventually(b, 5*time.Minute, "every group evaluated twice", func() error {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			return err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		total = 0
		evaluated, iterated := 0, 0
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			var v float64
			switch {
			case regexp.MustCompile(`^prometheus_rule_group_last_duration_seconds\{`).MatchString(line):
				fmt.Sscan(line[bytes.LastIndexByte([]byte(line), ' ')+1:], &v)
				total += v
				if v > 0 {
					evaluated++
				}
			case regexp.MustCompile(`^prometheus_rule_group_iterations_total\{`).MatchString(line):
				fmt.Sscan(line[bytes.LastIndexByte([]byte(line), ' ')+1:], &v)
				if v >= 2 {
					iterated++
				}
			}
		}
		if evaluated < groups || iterated < groups {
			return fmt.Errorf("%d of %d groups evaluated, %d twice", evaluated, groups, iterated)
		}
		return nil
	})
	return total
}
