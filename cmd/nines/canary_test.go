package main

import (
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// binomialTail agrees with the sum of the binomial probabilities, for
// small n where the sum is exact, and with known tails.
func TestBinomialTail(t *testing.T) {
	for _, c := range []struct{ n, p float64 }{{1, 0.5}, {10, 0.3}, {50, 0.01}, {200, 0.001}, {300, 0.9}} {
		pmf := make([]float64, int(c.n)+1)
		for k := range pmf {
			lc, _ := math.Lgamma(c.n + 1)
			l1, _ := math.Lgamma(float64(k) + 1)
			l2, _ := math.Lgamma(c.n - float64(k) + 1)
			pmf[k] = math.Exp(lc - l1 - l2 + float64(k)*math.Log(c.p) + (c.n-float64(k))*math.Log1p(-c.p))
		}
		for k := 0; k <= int(c.n)+1; k++ {
			want := 0.0
			for i := k; i < len(pmf); i++ {
				want += pmf[i]
			}
			if got := binomialTail(c.n, float64(k), c.p); math.Abs(got-want) > 1e-12+1e-9*want {
				t.Errorf("P(X ≥ %d), X ~ B(%v, %v) = %v, want %v", k, c.n, c.p, got, want)
			}
		}
	}
	// 6 or more of 500 in the slowest 0.1%: about 1.4e-5 (the Poisson
	// tail of mean 0.5 is 1.42e-5); 1,100 or more failures of 1,000,000
	// at 0.1%, 3.1 standard deviations out: about 1e-3.
	if got := binomialTail(500, 6, 0.001); got < 1.2e-5 || got > 1.5e-5 {
		t.Errorf("P(X ≥ 6), X ~ B(500, 0.001) = %v, want about 1.4e-5", got)
	}
	if got := binomialTail(1e6, 1100, 0.001); got < 5e-4 || got > 2e-3 {
		t.Errorf("P(X ≥ 1100), X ~ B(1e6, 0.001) = %v, want about 1e-3", got)
	}
}

// A canary that fails as often as the baseline is allowed, one that fails
// five times as often is denied, one too small to judge cannot be
// decided, and one whose p99 is beyond the baseline's p99.9 is denied.
func TestCanary(t *testing.T) {
	base1, base2 := newReplica(t), newReplica(t)
	for _, b := range []*replica{base1, base2} {
		b.hit(t, "/work", 1000, 100) // 1% fail
	}
	same, worse, small, slow := newReplica(t), newReplica(t), newReplica(t), newReplica(t)
	same.hit(t, "/work", 500, 100)
	worse.hit(t, "/work", 500, 20) // 5% fail
	small.hit(t, "/work", 50, 100)
	slow.hit(t, "/work", 500, 100)
	requests(t, 10, func(int) string { return slow.url + "/work?delay=120ms" })
	const latency = "demo GET /work latency"
	for _, c := range []struct {
		name   string
		canary *replica
		want   int
		says   []string
	}{
		{"same", same, allow, []string{"ALLOW     " + work + ": bad 5 of 500 (1%) against the baseline's 1%: within what its traffic explains", "verdict: canary allowed"}},
		{"worse", worse, deny, []string{"DENY      " + work + ": bad 25 of 500 (5%) against the baseline's 1%: as many bad events had probability", "exact binomial test"}},
		{"small", small, undecided, []string{"UNDECIDED " + work + ": the canary has 50 valid events, 100 needed"}},
		{"slow", slow, deny, []string{"DENY      " + latency + ": p99 over 1h", "in the baseline's slowest 0.1%"}},
	} {
		code, out := runGate(t, "-objective", work, "-objective", latency, "-canary", c.canary.status, base1.status, base2.status)
		if code != c.want {
			t.Errorf("%s: exit %d, want %d", c.name, code, c.want)
		}
		for _, s := range c.says {
			if !strings.Contains(out, s) {
				t.Errorf("%s: output lacks %q", c.name, s)
			}
		}
	}
	if code, _ := runGate(t, "-canary", same.status, same.status); code != undecided {
		t.Errorf("the canary as its own baseline: exit %d, want %d", code, undecided)
	}
	// The canary's document saved to a file is still the canary.
	copyOf := filepath.Join(t.TempDir(), "canary.json")
	resp, err := http.Get(same.status + "?format=json")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	os.WriteFile(copyOf, data, 0o644)
	if code, out := runGate(t, "-canary", same.status, copyOf, base1.status); code != undecided || !strings.Contains(out, "is instance") {
		t.Errorf("the canary in the baseline under another name: exit %d, want %d", code, undecided)
	}
	if code, _ := runGate(t, "-canary", same.status, "-canary-events", "0", base1.status); code != undecided {
		t.Errorf("-canary-events 0: exit %d, want %d", code, undecided)
	}
}
