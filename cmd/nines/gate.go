package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nines-slo/nines/budget"
	"github.com/nines-slo/nines/exporter/statuspage"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// Exit codes.
const (
	allow     = 0
	deny      = 1
	undecided = 2
)

type names []string

func (n *names) String() string     { return strings.Join(*n, ",") }
func (n *names) Set(s string) error { *n = append(*n, s); return nil }

// gateHelp is what nines gate -h says before its flags.
const gateHelp = `usage: nines gate [flags] source...

Decides whether a release may go out, from the error budget the service's
replicas report. Each source is a replica's status JSON (its status page's
URL, http://10.0.0.1:8080/slo, or a file) or a snapshot file; the gate
merges them into the fleet's numbers, applies the policy, and prints a
verdict per objective:

  nines gate http://10.0.0.1:8080/slo http://10.0.0.2:8080/slo
  nines gate -target 0.999 -window 30d replica-a.snap replica-b.snap

The policy: at least -min-remaining of the error budget left, at least
-min-events valid events (fewer: cannot decide), and no page alert firing
on the merged numbers. Every source counts once: one listed twice, one
holding the same bytes as another, and a status document of an instance
already read are skipped with a note. It cannot decide when an objective
is missing from some sources (it would be judged on the others' traffic
alone) or failed in one. Snapshots hold no target or window: give them
with -target and -window.

With -canary, it judges a canary instead: the -canary sources against the
baseline, the sources given, objective by objective, denying when the
canary is worse than its traffic can explain, at -alpha (the chance of
denying a canary that is no worse):

  nines gate -canary http://canary:8080/slo http://10.0.0.1:8080/slo http://10.0.0.2:8080/slo

  bad events  k bad of n valid in the canary are too many when a canary
              as good as the baseline would have k or more with
              probability under alpha: the one-sided exact binomial test
              P(X >= k), X ~ B(n, p0), p0 the baseline's bad fraction,
              (bad + 1) / (valid + 2)
  p99         the canary's p99 above the baseline's p99.9 (the slowest
              replica's) needs n - ceil(0.99 n) + 1 of its n latencies in
              the baseline's slowest 0.1%: denied when that has
              probability under alpha, P(X >= m), X ~ B(n, 0.001)

A canary with fewer than -canary-events valid events cannot be judged.

Exit status: 0 allow, 1 deny, 2 cannot decide (too little traffic, a
source unreachable or malformed).
`

func gate(args []string, out, errOut io.Writer) int {
	fs := newFlags("gate", gateHelp, errOut)
	minRemaining := fs.Float64("min-remaining", 0.1, "fraction of the error budget that must be left, in [0, 1]")
	minEvents := fs.Float64("min-events", 0, "valid events needed to decide (0: 1 ÷ (1 − target))")
	allowPage := fs.Bool("allow-page", false, "allow while a page alert fires")
	target := fs.Float64("target", 0, "snapshots: the objectives' target, 0.999")
	window := fs.String("window", "30d", "snapshots: the objectives' rolling window, 30d or 720h")
	timeout := fs.Duration("timeout", 10*time.Second, "timeout of each HTTP fetch")
	maxBytes := fs.Int("max-bytes", 256<<20, "the most bytes read from one source (a status document or a snapshot)")
	var only, canaries names
	fs.Var(&only, "objective", "objective to check, by name (repeat; default all)")
	fs.Var(&canaries, "canary", "a canary's source (repeat): compare it with the baseline, the sources given, instead of applying the policy")
	alpha := fs.Float64("alpha", 0.01, "-canary: the chance of denying a canary no worse than the baseline, in (0, 0.5)")
	minCanary := fs.Float64("canary-events", 100, "-canary: valid events the canary needs to be judged, at least 1")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *maxBytes <= 0 {
		fmt.Fprintln(errOut, "nines gate: -max-bytes must be positive")
		return undecided
	}
	policy := budget.Policy{MinRemaining: *minRemaining, MinValidEvents: *minEvents}
	if err := policy.Validate(); err != nil {
		fmt.Fprintln(errOut, "nines gate:", err)
		return undecided
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(errOut, "nines gate: no status URL or file given")
		return undecided
	}
	c := sourceConfig{timeout: *timeout, maxBytes: *maxBytes, target: *target, window: *window, only: only}
	if len(canaries) > 0 {
		return canary(canaries, fs.Args(), c, canaryTest{alpha: *alpha, minEvents: *minCanary}, out, errOut)
	}
	fleet, order, ok := readFleet(fs.Args(), c, newSeen("sources"), out, errOut)
	if !ok {
		return undecided
	}
	code := allow
	for _, name := range order {
		m := fleet[name]
		d, err := m.decide(policy, *allowPage)
		if err != nil {
			fmt.Fprintf(errOut, "nines gate: %s: %v\n", name, err)
			return undecided
		}
		fmt.Fprintf(out, "%-6s %s (%d source(s), %.0f valid events): %s\n", strings.ToUpper(d.Verdict.String()), name, m.replicas, m.Valid, d.Reason)
		switch {
		case d.Verdict == budget.Deny:
			code = deny
		case d.Verdict == budget.Undecided && code == allow:
			code = undecided
		}
	}
	verdict := map[int]string{allow: "release allowed", deny: "release denied", undecided: "cannot decide"}[code]
	fmt.Fprintf(out, "verdict: %s\n", verdict)
	return code
}

// seenSources remembers the sources read, by their canonical name, the
// digest of what they held and the instance their document names, with
// the side of the comparison each was read for ("canary", "baseline"; one
// side for the plain gate), so that a source is counted once, and never on
// both sides.
type seenSources struct {
	side string
	by   map[any]sourceOf
}

type sourceOf struct{ src, side string }

func newSeen(side string) *seenSources { return &seenSources{side: side, by: map[any]sourceOf{}} }

// first returns what first had key, and false, recording src for key, if
// nothing did.
func (s *seenSources) first(key any, src string) (sourceOf, bool) {
	if f, ok := s.by[key]; ok {
		return f, true
	}
	s.by[key] = sourceOf{src, s.side}
	return sourceOf{}, false
}

// sourceConfig says how readFleet reads its sources.
type sourceConfig struct {
	timeout  time.Duration
	maxBytes int
	target   float64 // of snapshots' objectives
	window   string  // of snapshots' objectives
	only     []string
}

// readFleet reads the sources, each once, and sums each objective over
// them. It prints why it cannot and returns false when a source cannot be
// read or the sources disagree.
func readFleet(srcs []string, c sourceConfig, seen *seenSources, out, errOut io.Writer) (map[string]*merged, []string, bool) {
	fleet := map[string]*merged{}
	var order []string
	add := func(o statuspage.Objective, source string) error {
		m, ok := fleet[o.Name]
		if !ok {
			m = &merged{Objective: o}
			m.Good, m.Valid = 0, 0 // add sums them
			m.burn = map[string]*statuspage.Burn{}
			m.alerts = map[string]*statuspage.Alert{}
			fleet[o.Name] = m
			order = append(order, o.Name)
		}
		return m.add(o, source)
	}
	var snaps [][]byte
	var docs []string                // the documents read, by source
	present := map[string][]string{} // objective → the sources that report it
	for _, src := range srcs {
		if first, ok := seen.first(canonical(src), src); ok {
			if first.side != seen.side {
				fmt.Fprintf(errOut, "nines gate: %s is both the %s and the %s\n", src, first.side, seen.side)
				return nil, nil, false
			}
			fmt.Fprintf(out, "note: %s is listed twice; counted once\n", src)
			continue
		}
		data, err := fetch(src, c.timeout, c.maxBytes)
		if err != nil {
			fmt.Fprintf(errOut, "nines gate: %s: %v\n", src, err)
			return nil, nil, false
		}
		if first, ok := seen.first(sha256.Sum256(data), src); ok {
			if first.side != seen.side {
				fmt.Fprintf(errOut, "nines gate: %s holds the same bytes as %s, the %s\n", src, first.src, first.side)
				return nil, nil, false
			}
			fmt.Fprintf(out, "note: %s holds the same bytes as %s; counted once\n", src, first.src)
			continue
		}
		if bytes.HasPrefix(data, []byte("NINESNAP")) {
			snaps = append(snaps, data)
			continue
		}
		doc, err := statuspage.Decode(bytes.NewReader(data))
		if err != nil {
			fmt.Fprintf(errOut, "nines gate: %s: %v\n", src, err)
			return nil, nil, false
		}
		if doc.Instance != "" {
			if first, ok := seen.first("instance "+doc.Instance, src); ok {
				if first.side != seen.side {
					fmt.Fprintf(errOut, "nines gate: %s is instance %s, the %s (read from %s)\n", src, doc.Instance, first.side, first.src)
					return nil, nil, false
				}
				fmt.Fprintf(out, "note: %s is instance %s again (read from %s); counted once\n", src, doc.Instance, first.src)
				continue
			}
			fmt.Fprintf(out, "source %s: instance %s\n", src, doc.Instance)
		}
		docs = append(docs, src)
		for _, o := range doc.Objectives {
			if len(c.only) > 0 && !slices.Contains(c.only, o.Name) {
				continue
			}
			if o.State == slo.Failed.String() {
				fmt.Fprintf(errOut, "nines gate: %s: objective %q failed there: %s\n", src, o.Name, o.Error)
				return nil, nil, false
			}
			if err := add(o, src); err != nil {
				fmt.Fprintf(errOut, "nines gate: %v\n", err)
				return nil, nil, false
			}
			present[o.Name] = append(present[o.Name], src)
		}
	}
	if len(snaps) > 0 {
		objs, missing, err := fromSnapshots(snaps, c.target, c.window, c.only)
		if err != nil {
			fmt.Fprintf(errOut, "nines gate: snapshots: %v\n", err)
			return nil, nil, false
		}
		if len(missing) > 0 {
			fmt.Fprintf(errOut, "nines gate: cannot decide: %s\n", strings.Join(missing, "; "))
			return nil, nil, false
		}
		for _, o := range objs {
			if err := add(o, "snapshots"); err != nil {
				fmt.Fprintf(errOut, "nines gate: %v\n", err)
				return nil, nil, false
			}
		}
	}
	// An objective some replicas do not report would be judged on the
	// others' traffic alone: a replica running another version, one that
	// lost its state, one whose route never saw a request.
	var missing []string
	for _, name := range order {
		if got := present[name]; len(got) > 0 && len(got) < len(docs) {
			var absent []string
			for _, d := range docs {
				if !slices.Contains(got, d) {
					absent = append(absent, d)
				}
			}
			missing = append(missing, fmt.Sprintf("objective %q is missing from %s", name, strings.Join(absent, ", ")))
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(errOut, "nines gate: cannot decide: %s\n", strings.Join(missing, "; "))
		return nil, nil, false
	}
	if len(c.only) > 0 {
		for _, n := range c.only {
			if fleet[n] == nil {
				fmt.Fprintf(errOut, "nines gate: objective %q is in no source\n", n)
				return nil, nil, false
			}
		}
		order = slices.DeleteFunc(order, func(n string) bool { return !slices.Contains(c.only, n) })
	}
	if len(order) == 0 {
		fmt.Fprintln(errOut, "nines gate: the sources hold no objective")
		return nil, nil, false
	}

	return fleet, order, true
}

// merged is one objective summed over the replicas that report it.
type merged struct {
	statuspage.Objective
	replicas int
	burn     map[string]*statuspage.Burn
	alerts   map[string]*statuspage.Alert
	latency  map[string][]statuspage.Latency // by window, one a source: percentiles do not add
}

func (m *merged) add(o statuspage.Objective, source string) error {
	if o.Target != m.Target || o.Period != m.Period {
		return fmt.Errorf("%s: objective %q has target %v over %vs there, %v over %vs elsewhere", source, o.Name, o.Target, o.Period, m.Target, m.Period)
	}
	m.replicas++
	if m.latency == nil {
		m.latency = map[string][]statuspage.Latency{}
	}
	for _, l := range o.Latency {
		m.latency[l.Window] = append(m.latency[l.Window], l)
	}
	m.Good += o.Good
	m.Valid += o.Valid
	sum := func(into *statuspage.Burn, b statuspage.Burn) {
		into.Good += b.Good
		into.Valid += b.Valid
	}
	for _, b := range o.BurnRates {
		if m.burn[b.Window] == nil {
			m.burn[b.Window] = &statuspage.Burn{Window: b.Window, Seconds: b.Seconds}
		}
		sum(m.burn[b.Window], b)
	}
	for _, a := range o.Alerts {
		if m.alerts[a.Name] == nil {
			m.alerts[a.Name] = &statuspage.Alert{Name: a.Name, Severity: a.Severity, Threshold: a.Threshold, MinEvents: a.MinEvents,
				Long: statuspage.Burn{Window: a.Long.Window, Seconds: a.Long.Seconds}, Short: statuspage.Burn{Window: a.Short.Window, Seconds: a.Short.Seconds}}
		}
		sum(&m.alerts[a.Name].Long, a.Long)
		sum(&m.alerts[a.Name].Short, a.Short)
	}
	return nil
}

// decide applies the policy to the merged budget, then denies while a page
// alert fires on the merged burn rates (as the objective's own alert rule
// would: both windows over the threshold, enough events in the long one).
func (m *merged) decide(p budget.Policy, allowPage bool) (budget.Decision, error) {
	target, err := budget.NewTarget(m.Target, time.Duration(m.Period*float64(time.Second)))
	if err != nil {
		return budget.Decision{}, err
	}
	b, err := target.Budget(m.Good, m.Valid)
	if err != nil {
		return budget.Decision{}, err
	}
	d, err := p.Decide(b)
	if err != nil || d.Verdict != budget.Allow || allowPage {
		return d, err
	}
	rate := func(s statuspage.Burn) float64 {
		r, _ := target.BurnRate(s.Good, s.Valid)
		return r
	}
	var firing []string
	for _, a := range m.alerts {
		if a.Threshold == nil || a.MinEvents == nil {
			continue // a rule whose numbers are not finite never fires
		}
		th := *a.Threshold
		if a.Severity == slo.Page.String() && a.Long.Valid >= *a.MinEvents && rate(a.Long) > th && rate(a.Short) > th {
			firing = append(firing, fmt.Sprintf("%s (burn %.1f over %s, %.1f over %s; threshold %g)", a.Name, rate(a.Long), a.Long.Window, rate(a.Short), a.Short.Window, th))
		}
	}
	if len(firing) > 0 {
		sort.Strings(firing)
		return budget.Decision{Verdict: budget.Deny, Reason: "page alert firing: " + strings.Join(firing, "; ")}, nil
	}
	return d, nil
}

// fromSnapshots merges the snapshots' SLI states per objective name and
// computes each objective's status with the target and rolling window
// given, which snapshots do not hold.
//
// missing lists the objectives judged that some snapshots do not hold.
func fromSnapshots(snaps [][]byte, target float64, window string, only []string) (objs []statuspage.Objective, missing []string, err error) {
	if !(target > 0 && target < 1) {
		return nil, nil, errors.New("-target in (0, 1) is needed to judge snapshots")
	}
	w, err := parseWindow(window)
	if err != nil {
		return nil, nil, err
	}
	states := map[string][]*sli.State{}
	for i, data := range snaps {
		st, err := slo.ReadStates(bytes.NewReader(data))
		if err != nil {
			return nil, nil, fmt.Errorf("snapshot %d: %w", i+1, err)
		}
		for k, s := range st { // objectives by name; aggregates' parts as name/part
			states[k] = append(states[k], s)
		}
	}
	keys := make([]string, 0, len(states))
	for k := range states {
		if len(only) == 0 || slices.Contains(only, k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if n := len(states[k]); n < len(snaps) {
			missing = append(missing, fmt.Sprintf("objective %q is in %d of the %d snapshots", k, n, len(snaps)))
		}
	}
	if len(missing) > 0 {
		return nil, missing, nil
	}
	var statuses []slo.Status
	for _, k := range keys {
		st, err := sli.MergeStates(states[k]...)
		if err != nil {
			return nil, nil, fmt.Errorf("%q: %w", k, err)
		}
		storage := sli.WithStorage(sli.Storage{}) // the default retention
		if w > 35*24*time.Hour {                  // beyond it
			storage = sli.WithStorage(sli.Storage{Retention: w + 24*time.Hour})
		}
		var src interface {
			sli.Source
			Add(*sli.State) error
		}
		if hc, ok := st.HistogramConfig(); ok {
			// A latency SLI's state: its events are classified already, so
			// any threshold reads them; the histogram must match the state's.
			src, err = sli.NewLatency(time.Second, storage, sli.WithHistogram(hc))
		} else {
			src, err = sli.NewRatio(storage)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%q: %w", k, err)
		}
		if err := src.Add(st); err != nil {
			return nil, nil, fmt.Errorf("%q: %w", k, err)
		}
		o, err := slo.New(slo.Config{Name: k, SLI: src, Target: target, Window: slo.Rolling(w)}, slo.WithLogger(discardLogger))
		if err != nil {
			return nil, nil, err
		}
		s, err := o.Status()
		if err != nil {
			return nil, nil, err
		}
		statuses = append(statuses, s)
	}
	return statuspage.NewDocument(time.Now(), statuses).Objectives, nil, nil
}

// parseWindow reads "30d", "7d" or a Go duration, up to 100 years.
func parseWindow(s string) (time.Duration, error) {
	const most = 100 * 365 * 24 * time.Hour
	bad := fmt.Errorf("-window %q: want 30d or a positive duration up to 100 years", s)
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 || n > int(most/(24*time.Hour)) {
			return 0, bad
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 || d > most {
		return 0, bad
	}
	return d, nil
}
