package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// canaryTest is how nines gate -canary judges a canary.
type canaryTest struct {
	alpha     float64 // the chance of denying a canary that is no worse than the baseline
	minEvents float64 // valid events a canary needs to be judged
}

// canary compares the canary's objectives with the baseline's, objective
// by objective, and denies when the canary is worse than its traffic can
// explain:
//
//   - its bad events: with k bad of n valid, it denies when a canary as
//     good as the baseline would fail k times or more with probability
//     under alpha: the one-sided exact binomial test P(X ≥ k), X ~ B(n,
//     p₀), p₀ the baseline's bad fraction (Laplace-smoothed, (bad + 1) ÷
//     (valid + 2), so that a flawless baseline does not make one failure
//     fatal);
//   - its p99, for latency objectives: it denies when the canary's p99
//     is above the baseline's p99.9 and a canary as fast as the baseline
//     would have that with probability under alpha. The canary's p99 is
//     above the baseline's p99.9 only if at least m = n − ⌈0.99·n⌉ + 1 of
//     its n latencies are in the baseline's slowest 0.1%, which has
//     probability P(X ≥ m), X ~ B(n, 0.001): a test that needs no
//     assumption on the distribution of latencies.
func canary(canaries, baseline []string, c sourceConfig, t canaryTest, out, errOut io.Writer) int {
	if !(t.alpha > 0 && t.alpha < 0.5) {
		fmt.Fprintf(errOut, "nines gate: -alpha %v not in (0, 0.5)\n", t.alpha)
		return undecided
	}
	if !(t.minEvents >= 1) {
		fmt.Fprintf(errOut, "nines gate: -canary-events %v: at least 1\n", t.minEvents)
		return undecided
	}
	if len(baseline) == 0 {
		fmt.Fprintln(errOut, "nines gate: -canary needs the baseline's sources too, as arguments")
		return undecided
	}
	// One record of the sources for both sides: the canary is never in
	// the baseline, under another name or address.
	seen := newSeen("canary")
	fmt.Fprintln(out, "canary:")
	can, order, ok := readFleet(canaries, c, seen, out, errOut)
	if !ok {
		return undecided
	}
	seen.side = "baseline"
	fmt.Fprintln(out, "baseline:")
	base, _, ok := readFleet(baseline, c, seen, out, errOut)
	if !ok {
		return undecided
	}
	code, compared := allow, 0
	verdict := func(v int, name, what string) {
		word := map[int]string{allow: "ALLOW", deny: "DENY", undecided: "UNDECIDED"}[v]
		fmt.Fprintf(out, "%-9s %s: %s\n", word, name, what)
		switch {
		case v == deny:
			code = deny
		case v == undecided && code == allow:
			code = undecided
		}
	}
	for _, name := range order {
		cm, bm := can[name], base[name]
		if bm == nil {
			fmt.Fprintf(out, "note: %s is not in the baseline; not compared\n", name)
			continue
		}
		compared++
		v, what := t.errors(cm, bm)
		verdict(v, name, what)
		if v, what, ok := t.latency(cm, bm); ok {
			verdict(v, name, what)
		}
	}
	if compared == 0 {
		fmt.Fprintln(errOut, "nines gate: the canary and the baseline share no objective")
		return undecided
	}
	fmt.Fprintf(out, "verdict: %s\n", map[int]string{allow: "canary allowed", deny: "canary denied", undecided: "cannot decide"}[code])
	return code
}

// errors compares the canary's bad events with the baseline's.
func (t canaryTest) errors(cm, bm *merged) (int, string) {
	n, k := cm.Valid, cm.Valid-cm.Good
	if n < t.minEvents {
		return undecided, fmt.Sprintf("the canary has %.0f valid events, %.0f needed (-canary-events)", n, t.minEvents)
	}
	if bm.Valid < n {
		return undecided, fmt.Sprintf("the baseline has %.0f valid events, fewer than the canary's %.0f", bm.Valid, n)
	}
	p0 := (bm.Valid - bm.Good + 1) / (bm.Valid + 2)
	p := binomialTail(n, k, p0)
	rates := fmt.Sprintf("bad %s of %.0f (%s) against the baseline's %s", strconv.FormatFloat(k, 'f', 0, 64), n, pct(k/n, 3), pct((bm.Valid-bm.Good)/bm.Valid, 3))
	if p < t.alpha {
		return deny, fmt.Sprintf("%s: as many bad events had probability %.2g if the canary were as good (exact binomial test, alpha %g)", rates, p, t.alpha)
	}
	return allow, fmt.Sprintf("%s: within what its traffic explains (P = %.2g, alpha %g)", rates, p, t.alpha)
}

// latency compares the canary's p99 with the baseline's p99.9 over the
// longest window both have; false when there is none, or more than one
// canary source (percentiles do not merge: give snapshots).
func (t canaryTest) latency(cm, bm *merged) (int, string, bool) {
	var window string
	var seconds float64
	for w, ls := range cm.latency {
		if len(bm.latency[w]) > 0 && len(ls) > 0 && ls[0].Seconds > seconds {
			window, seconds = w, ls[0].Seconds
		}
	}
	if window == "" {
		return 0, "", false
	}
	ls := cm.latency[window]
	if len(ls) > 1 {
		return undecided, fmt.Sprintf("p99 over %s: %d canary sources, whose percentiles do not merge (give one, or snapshot files)", window, len(ls)), true
	}
	c := ls[0]
	n := float64(c.Count)
	if n < t.minEvents {
		return undecided, fmt.Sprintf("p99 over %s: the canary has %d latencies, %.0f needed", window, c.Count, t.minEvents), true
	}
	// Of several baseline replicas, the slowest p99.9: a canary must be
	// slower than every one to be denied.
	var p999 float64
	for _, b := range bm.latency[window] {
		p999 = max(p999, b.P999)
	}
	what := fmt.Sprintf("p99 over %s %s against the baseline's p99.9 %s", window, secs(c.P99), secs(p999))
	if c.P99 <= p999 {
		return allow, what + ": within it", true
	}
	m := n - math.Ceil(0.99*n) + 1
	p := binomialTail(n, m, 0.001)
	if p < t.alpha {
		return deny, fmt.Sprintf("%s: %.0f of %d latencies in the baseline's slowest 0.1%% had probability %.2g if the canary were as fast (binomial test, alpha %g)", what, m, c.Count, p, t.alpha), true
	}
	return undecided, fmt.Sprintf("%s, but with %d latencies that is within chance (P = %.2g)", what, c.Count, p), true
}

func secs(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Microsecond).String()
}

// binomialTail returns P(X ≥ k) for X binomial with n trials of chance p:
// the regularized incomplete beta function I_p(k, n − k + 1).
func binomialTail(n, k, p float64) float64 {
	switch {
	case k <= 0:
		return 1
	case k > n:
		return 0
	case p <= 0:
		return 0
	case p >= 1:
		return 1
	}
	return incompleteBeta(k, n-k+1, p)
}

// incompleteBeta returns the regularized incomplete beta function
// I_x(a, b), from its continued fraction (evaluated by the modified Lentz
// method), on the side of x where it converges fast.
func incompleteBeta(a, b, x float64) float64 {
	if x > (a+1)/(a+b+2) {
		return 1 - incompleteBeta(b, a, 1-x)
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log1p(-x))
	const tiny = 1e-300
	f, c, d := 1.0, 1.0, 0.0
	for i := 0; i <= 400; i++ {
		m := float64(i / 2)
		var num float64
		switch {
		case i == 0:
			num = 1
		case i%2 == 0:
			num = m * (b - m) * x / ((a + 2*m - 1) * (a + 2*m))
		default:
			num = -(a + m) * (a + b + m) * x / ((a + 2*m) * (a + 2*m + 1))
		}
		d = 1 + num*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		d = 1 / d
		c = 1 + num/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		f *= c * d
		if math.Abs(1-c*d) < 1e-14 {
			return front * (f - 1) / a
		}
	}
	return front * (f - 1) / a
}
