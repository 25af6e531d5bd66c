package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/nines-slo/nines/examples/internal/ci"
	"github.com/nines-slo/nines/exporter/promrules"
)

// TestAlertmanagerInhibitions checks the generated inhibition rules with
// amtool check-config, then on a real Alertmanager: a page for one
// objective silences that objective's ticket, not another service's
// ticket for an objective of the same name.
func TestAlertmanagerInhibitions(t *testing.T) {
	amtool := ci.Need(t, "amtool", "prometheus-alertmanager")
	alertmanager := ci.Need(t, "prometheus-alertmanager", "prometheus-alertmanager")
	var inhibit bytes.Buffer
	if err := promrules.WriteInhibitions(&inhibit, promrules.Config{}); err != nil {
		t.Fatal(err)
	}
	config := "route:\n  receiver: none\n  group_wait: 0s\nreceivers:\n  - name: none\n" + inhibit.String()
	dir := t.TempDir()
	path := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(amtool, "check-config", path).CombinedOutput(); err != nil {
		t.Fatalf("amtool check-config: %v\n%s\n%s", err, out, config)
	}

	addr := ci.FreeAddr(t)
	ci.Start(t, alertmanager, "--config.file="+path, "--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--cluster.listen-address=", "--log.level=warn")
	base := "http://" + addr + "/api/v2/alerts"
	ci.Eventually(t, time.Minute, "alertmanager ready", func() error {
		resp, err := http.Get("http://" + addr + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				err = fmt.Errorf("ready: %s", resp.Status)
			}
		}
		return err
	})
	alert := func(severity, rule, job string) map[string]any {
		return map[string]any{"labels": map[string]string{
			"alertname": promrules.AlertName, "severity": severity, "nines_slo_alert": rule,
			"nines_slo_name": "GET /healthz availability", "job": job,
		}, "endsAt": time.Now().Add(time.Hour).Format(time.RFC3339)}
	}
	body, _ := json.Marshal([]map[string]any{
		alert("page", "page-1h", "api"),
		alert("ticket", "ticket-3d", "api"), // the same objective: silenced
		alert("ticket", "ticket-3d", "web"), // another service's: not
	})
	resp, err := http.Post(base, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("posting alerts: %s", resp.Status)
	}
	ci.Eventually(t, time.Minute, "inhibitions", func() error {
		resp, err := http.Get(base)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var alerts []struct {
			Labels map[string]string
			Status struct {
				State       string
				InhibitedBy []string
			}
		}
		if err := json.NewDecoder(resp.Body).Decode(&alerts); err != nil {
			return err
		}
		got := map[string]string{}
		for _, a := range alerts {
			got[a.Labels["severity"]+" "+a.Labels["job"]] = a.Status.State
		}
		want := map[string]string{"page api": "active", "ticket api": "suppressed", "ticket web": "active"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("alert states %v, want %v", got, want)
		}
		return nil
	})
}
