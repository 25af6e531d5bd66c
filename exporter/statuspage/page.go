package statuspage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nines-slo/nines/exporter/internal/names"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// ErrInvalidOption is returned by [Handler] for a nil registry.
var ErrInvalidOption = errors.New("statuspage: invalid option")

// Option configures a [Handler].
type Option interface{ apply(*page) }

type optionFunc func(*page)

func (f optionFunc) apply(p *page) { f(p) }

// WithClock makes the page compute every status for the time now returns.
// By default, or with a nil now, as in every package of nines, a status is
// each objective's own ([slo.Objective.Status], on the clock it was built
// with).
func WithClock(now func() time.Time) Option {
	return optionFunc(func(p *page) { p.clock = now })
}

// WithInstance sets the [Document.Instance] the handler serves: the name
// of this replica, the service.instance.id its telemetry carries or the
// pod's name, say. It must tell replicas apart (a reader counts the
// documents of one instance once): never the service's name alone. By
// default, and with "", each handler has one of its own: the host's
// name, the process ID, a random number drawn when the process started
// and the handler's number within the process, "web-1/4242/5f3a9c1e/1",
// so that a restarted process, and a second handler in one, is another
// instance.
func WithInstance(id string) Option {
	return optionFunc(func(p *page) { p.instance = id })
}

// WithTraceURL links each exemplar on the page to its trace in the
// tracing backend: the URL is template with {traceID} (and {spanID}, if
// there) replaced by the exemplar's IDs in hexadecimal,
// "https://jaeger.example/trace/{traceID}". Handler fails with
// [ErrInvalidOption] for a template that is not an http or https URL
// holding {traceID}. Without it exemplars are listed, unlinked.
func WithTraceURL(template string) Option {
	return optionFunc(func(p *page) { p.traceURL = template; p.traceSet = true })
}

// process names this process in default instances.
var process = sync.OnceValue(func() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return fmt.Sprintf("%s/%d/%08x", host, os.Getpid(), rand.Uint32())
})

// handlers counts the handlers made in this process.
var handlers atomic.Int64

// page is the handler Handler returns.
type page struct {
	reg      *slo.Registry
	clock    func() time.Time // nil: each objective's own
	instance string
	traceURL string // WithTraceURL's template; "" for none
	traceSet bool
	cacheFor time.Duration // WithCache
	cacheSet bool

	mu         sync.Mutex // the cached page; one computed at a time
	cached     []byte
	cachedWhen time.Time // on the wall clock
	cachedAt   time.Time // the statuses' time
	cachedN    int       // objectives on it
}

// DefaultCache is how long the HTML page is served as computed before it
// is computed again: people in a hurry need it fast, and an objective's
// numbers move little in seconds.
const DefaultCache = 5 * time.Second

// WithCache sets how long the HTML page is served as computed before it
// is computed again, DefaultCache by default; 0 computes it for every
// request. With WithClock it is computed again whenever the clock has
// moved. The JSON document, which release gates read, is always computed
// for the request.
func WithCache(d time.Duration) Option {
	return optionFunc(func(p *page) { p.cacheFor = d; p.cacheSet = true })
}

// Handler serves r's status: an HTML page for people, one row per
// objective with its state and charts drawn as SVG on the server (no
// script, no external asset: it works offline), and the [Document] as
// JSON for machines at ?format=json or to a request that accepts
// application/json. It only reads: methods other than GET and HEAD get 405,
// and a status read never changes an alert's state nor calls an alert
// handler. It shows objective names and metadata, escaped, numbers, and
// of the requests themselves only the trace IDs and durations of recent
// failures ([slo.Status.Exemplars]). It fails with [ErrInvalidOption] for
// a nil registry and a bad [WithTraceURL].
func Handler(r *slo.Registry, opts ...Option) (http.Handler, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil registry", ErrInvalidOption)
	}
	p := &page{reg: r}
	for _, o := range opts {
		if o != nil {
			o.apply(p)
		}
	}
	if p.traceSet {
		u, err := url.Parse(strings.NewReplacer("{traceID}", "0", "{spanID}", "0").Replace(p.traceURL))
		if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || !strings.Contains(p.traceURL, "{traceID}") {
			return nil, fmt.Errorf("%w: WithTraceURL %q is not an http(s) URL with {traceID}", ErrInvalidOption, p.traceURL)
		}
	}
	switch {
	case !p.cacheSet:
		p.cacheFor = DefaultCache
	case p.cacheFor < 0:
		return nil, fmt.Errorf("%w: WithCache %v is negative", ErrInvalidOption, p.cacheFor)
	}
	if p.instance == "" {
		p.instance = fmt.Sprintf("%s/%d", process(), handlers.Add(1))
	}
	return p, nil
}

// statuses computes every objective's status, at one time on the page's
// clock if it has one. An objective whose status fails is there,
// [slo.Failed] with its error: one failure never hides the others.
func (p *page) statuses() []slo.Status {
	if p.clock != nil {
		st, _ := p.reg.StatusAt(p.clock())
		return st
	}
	st, _ := p.reg.Status()
	return st
}

func (p *page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if wantsJSON(r) {
		_, statuses, at := p.read()
		// Encoded whole before anything is sent, so that a document that
		// cannot be encoded is an error, never an empty 200.
		doc := NewDocument(at, statuses)
		doc.Instance = p.instance
		body, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			http.Error(w, "statuspage: encoding the status document: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(append(body, '\n'))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	w.Write(p.html())
}

// read computes every objective's status, returning the objectives with
// their statuses, pairwise, and the statuses' time.
func (p *page) read() ([]*slo.Objective, []slo.Status, time.Time) {
	// A registry only grows, so the objectives taken first are the first
	// statuses, in order: pairs for the charts.
	objs := p.reg.Objectives()
	statuses := p.statuses()[:len(objs)]
	at := time.Now()
	if p.clock != nil {
		at = p.clock()
	}
	if len(statuses) > 0 {
		at = statuses[0].At
	}
	return objs, statuses, at
}

// html returns the page, computed at most once every WithCache interval
// (with WithClock, once for each time of its clock) and for each new
// objective.
func (p *page) html() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.cached != nil && p.cacheFor > 0 && len(p.reg.Objectives()) == p.cachedN &&
		(p.clock == nil && now.Sub(p.cachedWhen) < p.cacheFor || p.clock != nil && p.clock().Equal(p.cachedAt)) {
		return p.cached
	}
	objs, statuses, at := p.read()
	doc := NewDocument(at, statuses)
	data := pageData{At: at.UTC().Format(time.RFC3339), Schema: Schema}
	order := make([]int, len(statuses))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return Worst(doc.Objectives[i], doc.Objectives[j]) })
	counts := map[Condition]int{}
	for _, i := range order {
		d := doc.Objectives[i]
		counts[d.Condition()]++
		data.Rows = append(data.Rows, rowOf(statuses[i], d, objs[i], p.traceURL))
	}
	for c := Failed; c <= Met; c++ {
		if n := counts[c]; n > 0 {
			v := countView{N: n, Condition: c.String(), Class: classOf(c)}
			if c <= AtRisk {
				data.Attention = append(data.Attention, v)
			} else {
				data.Calm = append(data.Calm, v)
			}
		}
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, data); err != nil {
		return []byte("statuspage: " + template.HTMLEscapeString(err.Error()))
	}
	p.cached, p.cachedWhen, p.cachedAt, p.cachedN = b.Bytes(), now, at, len(objs)
	return p.cached
}

type pageData struct {
	At, Schema string
	Rows       []row
	Attention  []countView // conditions that need someone, with their counts
	Calm       []countView // the others
}

// countView is how many objectives are in one condition.
type countView struct {
	N                int
	Condition, Class string
}

type row struct {
	Name, Service, Owner, Description, Window string
	Condition, Class                          string // what it needs, and its CSS class
	SLI, Target, Left, Exhaustion             string
	Rate, Valid                               string // traffic: a recent rate, and the window's events
	Detail                                    string // what a time-slice or composite objective counts
	Burn                                      []burnView
	Firing                                    []string
	Latency                                   string
	Error                                     string // why the status failed
	Charts                                    []template.HTML
	Exemplars                                 []exemplar
}

// burnView is one burn rate, with the class of how fast it is.
type burnView struct{ Window, Rate, Class, Title string }

// exemplar is one line of an objective's recent failures.
type exemplar struct {
	Time, Trace, Duration string
	URL                   string // to the trace; "" without WithTraceURL
}

// classOf names a condition for CSS.
func classOf(c Condition) string {
	return [...]string{"failed", "breached", "page", "ticket", "at-risk", "no-data", "met"}[c]
}

func rowOf(s slo.Status, d Objective, o *slo.Objective, traceURL string) row {
	r := row{Name: s.Name, Service: s.Metadata.Service, Owner: s.Metadata.Owner, Description: s.Metadata.Description,
		Window: s.Window.String(), Condition: d.Condition().String(), Class: classOf(d.Condition()),
		SLI: "—", Left: "—", Target: pctString(s.Target),
		Valid: strconv.FormatFloat(s.Valid, 'f', 0, 64) + " valid events in the window"}
	if len(s.BurnRates) > 0 { // the shortest burn window: traffic now, not a 30-day mean
		b := s.BurnRates[0]
		r.Rate = strconv.FormatFloat(b.Valid/b.Window.Seconds(), 'g', 3, 64) + "/s over the last " + names.Duration(b.Window)
	}
	if sl := s.Slicing; sl.Length > 0 {
		r.Valid = strconv.FormatFloat(s.Good, 'f', 0, 64) + " of " + strconv.FormatFloat(s.Valid, 'f', 0, 64) + " slices good"
		r.Detail = sl.String() + "; empty slices " + sl.Empty.String() + "; " + strconv.FormatFloat(s.Events.Valid, 'f', 0, 64) + " valid events"
		r.Rate = "" // the burn windows count slices
	}
	if len(s.Components) > 0 {
		parts := make([]string, 0, len(s.Components))
		for _, c := range s.Components {
			burn := "no data"
			switch {
			case c.Excluded:
				burn = "no data, left out"
			case !c.NoData || c.Rate > 0:
				burn = "burn " + strconv.FormatFloat(c.Rate, 'g', 3, 64)
			}
			parts = append(parts, c.Name+" "+burn+" (weight "+strconv.FormatFloat(c.Weight, 'g', -1, 64)+")")
		}
		r.Detail = "composite: " + strings.Join(parts, ", ")
		r.Rate = ""
	}
	if s.Err != nil {
		r.Error = s.Err.Error()
		r.Valid, r.Rate = "no status", ""
		return r
	}
	for _, e := range s.Exemplars {
		x := exemplar{Time: e.Time.UTC().Format(time.TimeOnly), Trace: e.TraceID.String()}
		if e.Duration > 0 {
			x.Duration = e.Duration.String()
		}
		if traceURL != "" {
			x.URL = strings.NewReplacer("{traceID}", e.TraceID.String(), "{spanID}", e.SpanID.String()).Replace(traceURL)
		}
		r.Exemplars = append(r.Exemplars, x)
	}
	if !s.NoData {
		r.SLI = strconv.FormatFloat(s.SLI*100, 'f', 3, 64) + "%"
	}
	if left, err := s.Remaining(); err == nil {
		r.Left = strconv.FormatFloat(left*100, 'f', 1, 64) + "%"
		switch e := s.Exhaustion; {
		case e.NoData:
		case e.Never:
			r.Exhaustion = "lasts the period at the " + names.Duration(e.Window) + " rate"
		case e.In == 0:
			r.Exhaustion = "spent"
		default:
			r.Exhaustion = "gone in " + roughly(e.In) + " at the " + names.Duration(e.Window) + " rate"
		}
		if e := s.Exhaustion; !e.NoData && s.Window.IsCalendar() {
			r.Exhaustion += "; " + strconv.FormatFloat(e.LeftAtEnd*100, 'f', 0, 64) + "% left when the " + s.Window.Period().String() + " ends"
		}
	}
	// A burn rate is hot above 1 (faster than the budget allows) and
	// firing at or above the threshold of an alert that reads its window.
	fire := map[time.Duration]float64{}
	for _, a := range s.Alerts {
		for _, w := range []time.Duration{a.Rule.Long, a.Rule.Short} {
			if th, ok := fire[w]; !ok || a.Threshold < th {
				fire[w] = a.Threshold
			}
		}
	}
	for _, b := range s.BurnRates {
		v := burnView{Window: names.Duration(b.Window), Rate: "—", Title: "no valid events in the last " + names.Duration(b.Window)}
		if !b.NoData {
			v.Rate = strconv.FormatFloat(b.Rate, 'f', 2, 64)
			v.Title = "spending the budget " + v.Rate + " times as fast as would use it up over the window"
			if th, ok := fire[b.Window]; ok && b.Rate > th {
				v.Class, v.Title = "fire", v.Title+"; above an alert's threshold, "+strconv.FormatFloat(th, 'g', 3, 64)
			} else if b.Rate > 1 {
				v.Class = "hot"
			}
		}
		r.Burn = append(r.Burn, v)
	}
	for _, a := range s.Alerts {
		if a.Firing {
			r.Firing = append(r.Firing, fmt.Sprintf("%s (%s): burn %.3g over %s and %.3g over %s, above %.3g", a.Rule.Name, a.Rule.Severity,
				a.Long.Rate, names.Duration(a.Rule.Long), a.Short.Rate, names.Duration(a.Rule.Short), a.Threshold))
		}
	}
	for _, p := range s.Latency {
		if p.Window == 5*time.Minute || r.Latency == "" {
			r.Latency = fmt.Sprintf("%s: p50 %v · p95 %v · p99 %v", names.Duration(p.Window), p.P50.Round(10*time.Microsecond),
				p.P95.Round(10*time.Microsecond), p.P99.Round(10*time.Microsecond))
		}
	}
	r.Charts = charts(s, o)
	return r
}

// roughly writes a duration the way people say it: "3d 4h", "5h 12m",
// "40m", "59s".
func roughly(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd %dh", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm", d/time.Hour, d%time.Hour/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

func pctString(f float64) string {
	return strconv.FormatFloat(f*100, 'f', -1, 64) + "%"
}

// chartPoints is how many points a window's charts have.
const chartPoints = 48

// charts draws the objective's charts: budget burn-down and SLI over the
// window, and for a latency objective p50/p95/p99 over the last hour.
func charts(s slo.Status, o *slo.Objective) []template.HTML {
	var out []template.HTML
	span := s.At.Sub(s.Start)
	if span <= 0 || s.NoData {
		return nil
	}
	step := span / chartPoints
	if step <= 0 {
		return nil
	}
	errRate := s.Budget.Target().ErrorRate()
	var burn, slis []point
	burn = append(burn, point{0, 1})
	for i := 1; i <= chartPoints; i++ {
		t := s.Start.Add(time.Duration(i) * step)
		x := float64(i) / chartPoints
		if c, err := o.SLI().CountsAt(t, t.Sub(s.Start)); err == nil && errRate > 0 && s.Valid > 0 {
			burn = append(burn, point{x, 1 - c.Bad()/(errRate*s.Valid)})
		}
		if c, err := o.SLI().CountsAt(t, step); err == nil && c.Valid > 0 {
			slis = append(slis, point{x, c.Good / c.Valid})
		}
	}
	out = append(out, svgChart("Error budget left over the window", "budget", []line{{"remaining", "l0", burn}}, 0, "%", 100,
		names.Duration(span)+" ago", "now"))
	lo := s.Target - (1-s.Target)*4
	for _, p := range slis {
		lo = min(lo, p.y)
	}
	out = append(out, svgChart("SLI per "+names.Duration(step.Round(time.Second)), "sli",
		[]line{{"SLI", "l0", slis}, {"target", "target", []point{{0, s.Target}, {1, s.Target}}}}, lo, "%", 100,
		names.Duration(span)+" ago", "now"))
	if len(s.Alerts) > 0 && errRate > 0 {
		out = append(out, burnChart(s, o, errRate)...)
	}
	if l, ok := o.SLI().(sli.LatencySource); ok {
		const hour, slot = time.Hour, 10 * time.Minute
		names := []string{"p50", "p95", "p99"}
		lines := make([]line, 3)
		for k := range lines {
			lines[k] = line{name: names[k], class: "l" + strconv.Itoa(k)}
		}
		for k := 1; k <= int(hour/slot); k++ {
			t := s.At.Add(-hour + time.Duration(k)*slot)
			h, err := l.HistogramAt(t, slot)
			if err != nil || h.Count() == 0 {
				continue
			}
			x := float64(k) / float64(hour/slot)
			for q, f := range []float64{0.5, 0.95, 0.99} {
				v, _ := h.Quantile(f)
				lines[q].points = append(lines[q].points, point{x, v.Seconds() * 1000})
			}
		}
		if len(lines[0].points) > 0 {
			out = append(out, svgChart("Latency per 10 minutes", "latency", lines, 0, " ms", 1, "1h ago", "now"))
		}
	}
	return out
}

// burnChart draws the burn rate over the last hour, every 10 minutes of
// the last 6 hours, against the alerts' thresholds.
func burnChart(s slo.Status, o *slo.Objective, errRate float64) []template.HTML {
	const span, points = 6 * time.Hour, 36
	burn := line{name: "burn rate over 1h", class: "l0"}
	for i := 0; i <= points; i++ {
		t := s.At.Add(-span + time.Duration(i)*span/points)
		if t.Before(s.Start) {
			continue
		}
		if c, err := o.SLI().CountsAt(t, time.Hour); err == nil && c.Valid > 0 {
			burn.points = append(burn.points, point{float64(i) / points, c.Bad() / c.Valid / errRate})
		}
	}
	if len(burn.points) == 0 {
		return nil
	}
	lines := []line{burn}
	seen := map[float64]bool{}
	for _, a := range s.Alerts {
		if th := a.Threshold; !seen[th] && !math.IsInf(th, 0) && !math.IsNaN(th) {
			seen[th] = true
			lines = append(lines, line{a.Rule.Name + " fires above " + strconv.FormatFloat(th, 'g', 3, 64), "threshold", []point{{0, th}, {1, th}}})
		}
	}
	return []template.HTML{svgChart("Burn rate over 1h, the last 6 hours, and the alerts' thresholds", "burn", lines, 0, "", 1, "6h ago", "now")}
}

type point struct{ x, y float64 }

type line struct {
	name, class string
	points      []point
}

// svgChart draws lines on a 480×160 chart with a y axis from lo (or the
// lowest value) to the highest value, labelled in unit after scaling by
// scale. Every text is escaped; the rest is numbers.
func svgChart(title, id string, lines []line, lo float64, unit string, scale float64, left, right string) template.HTML {
	const w, h, pad = 480.0, 160.0, 36.0
	hi := math.Inf(-1)
	for _, l := range lines {
		for _, p := range l.points {
			hi = max(hi, p.y)
			lo = min(lo, p.y)
		}
	}
	if math.IsInf(hi, -1) {
		return ""
	}
	if hi <= lo {
		hi = lo + 1/scale
	}
	xy := func(p point) (float64, float64) {
		return pad + p.x*(w-pad-8), 8 + (hi-p.y)/(hi-lo)*(h-8-pad/2-8)
	}
	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, `<figure class="chart" id="%s"><figcaption>%s</figcaption>`, esc(id), esc(title))
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%s">`, w, h, w, h, esc(title))
	for _, v := range []float64{lo, (lo + hi) / 2, hi} {
		_, y := xy(point{0, v})
		fmt.Fprintf(&b, `<line class="grid" x1="%g" x2="%g" y1="%.1f" y2="%.1f"/>`, pad, w-8, y, y)
		fmt.Fprintf(&b, `<text class="axis" x="2" y="%.1f">%s</text>`, y+4, esc(strconv.FormatFloat(v*scale, 'g', 4, 64)+unit))
	}
	fmt.Fprintf(&b, `<text class="axis" x="%g" y="%g">%s</text>`, pad, h-2, esc(left))
	fmt.Fprintf(&b, `<text class="axis" x="%g" y="%g" text-anchor="end">%s</text>`, w-8, h-2, esc(right))
	for _, l := range lines {
		if len(l.points) == 0 {
			continue
		}
		var pts []string
		for _, p := range l.points {
			x, y := xy(p)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		}
		fmt.Fprintf(&b, `<polyline class="%s" points="%s"><title>%s</title></polyline>`, esc(l.class), strings.Join(pts, " "), esc(l.name))
		if len(l.points) < chartPoints/4 && l.class != "target" && l.class != "threshold" { // few points: mark each, or a lone one would not show
			for _, p := range l.points {
				x, y := xy(p)
				fmt.Fprintf(&b, `<circle class="%s" cx="%.1f" cy="%.1f" r="2.5"/>`, esc(l.class), x, y)
			}
		}
	}
	b.WriteString(`</svg><div class="legend">`)
	for _, l := range lines {
		fmt.Fprintf(&b, `<span class="%s">%s</span> `, esc(l.class), esc(l.name))
	}
	b.WriteString(`</div></figure>`)
	return template.HTML(b.String()) // built from escaped text and numbers only
}

var pageTemplate = template.Must(template.New("status").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Service level objectives</title>
<style>
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;padding:1em;max-width:1200px;color:#222;background:#fff}
h1{font-size:1.4em;margin:0 0 .3em}
.summary{font-size:1.1em;margin:.4em 0 .8em;display:flex;flex-wrap:wrap;gap:.4em .8em;align-items:center}
.summary .ok{color:#1b4332;font-weight:600}
.objective{border:1px solid #ddd;border-left-width:6px;border-radius:6px;padding:.7em .9em;margin:.8em 0}
.objective.failed{border-left-color:#3b0a45}.objective.breached{border-left-color:#c1121f}
.objective.page{border-left-color:#e85d04}.objective.ticket{border-left-color:#f4a261}
.objective.at-risk{border-left-color:#e9c46a}.objective.met{border-left-color:#52b788}.objective.no-data{border-left-color:#adb5bd}
.head{display:flex;flex-wrap:wrap;gap:.3em .7em;align-items:baseline}
.name{font-weight:700;font-size:1.05em;overflow-wrap:anywhere}
.state{font-weight:600;padding:.1em .5em;border-radius:.3em;white-space:nowrap}
.state.met{background:#d8f3dc;color:#1b4332}.state.at-risk{background:#fff3bf;color:#7a5b00}
.state.ticket{background:#ffe5cc;color:#8a4b00}.state.page{background:#ffb38a;color:#5c1a00}
.state.breached{background:#ffd6d6;color:#7f1d1d}.state.no-data{background:#eee;color:#555}
.state.failed{background:#3b0a45;color:#fff}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(11em,1fr));gap:.4em 1em;margin:.5em 0}
.figures div{min-width:0}.figures b{display:block;font-size:1.15em}
.label{color:#666;font-size:.85em}
.burn span{display:inline-block;margin-right:.7em;white-space:nowrap}
.burn .hot{color:#9a6700;font-weight:600}.burn .fire{color:#c1121f;font-weight:700}
.firing{color:#7f1d1d;margin:.3em 0}
.charts{display:flex;flex-wrap:wrap;gap:1em}
figure.chart{margin:.4em 0;flex:1 1 300px;max-width:480px;min-width:0}
figcaption{font-size:.9em;color:#555}
svg{width:100%;height:auto;background:#fafafa;border:1px solid #eee}
.grid{stroke:#e3e3e3}.axis{font-size:10px;fill:#666}
polyline{fill:none;stroke-width:1.6}circle{stroke:none}
circle.l0{fill:#1f77b4}circle.l1{fill:#ff7f0e}circle.l2{fill:#d62728}
.l0{stroke:#1f77b4;color:#1f77b4}.l1{stroke:#ff7f0e;color:#ff7f0e}.l2{stroke:#d62728;color:#d62728}
.target{stroke:#2ca02c;stroke-dasharray:4 3;color:#2ca02c}
.threshold{stroke:#c1121f;stroke-dasharray:3 3;color:#c1121f}
.legend span{font-size:.85em;margin-right:1em}
.muted{color:#777}.error{color:#7f1d1d;overflow-wrap:anywhere}
code{overflow-wrap:anywhere}
details{margin:.5em 0 1em;color:#444}details dt{font-weight:600;margin-top:.3em}details dd{margin:0 0 0 1em}
</style></head>
<body>
<h1>Service level objectives</h1>
<p class="summary" id="summary">{{range .Attention}}<span class="state {{.Class}}" data-condition="{{.Class}}" data-count="{{.N}}">{{.N}} {{.Condition}}</span>{{end}}{{if not .Attention}}<span class="ok">Nothing needs attention.</span>{{end}}{{range .Calm}}<span class="state {{.Class}}" data-condition="{{.Class}}" data-count="{{.N}}">{{.N}} {{.Condition}}</span>{{end}}</p>
<p class="muted">At {{.At}} · {{len .Rows}} objectives, the most urgent first · JSON: <code>?format=json</code> ({{.Schema}})</p>
<details><summary>What the numbers mean</summary><dl>
<dt>SLI</dt><dd>The share of valid events that were good over the window: requests that succeeded, or were fast enough.</dd>
<dt>Target</dt><dd>The SLI the objective promises; the error budget is what it lets fail, 1 − target.</dd>
<dt>Budget left</dt><dd>The share of the window's error budget not yet spent; below 0% it is overspent and the objective breached.</dd>
<dt>Burn rate</dt><dd>How fast the budget is spent over a recent window: 1 spends it exactly over the objective's window; 14.4 spends 2% of 30 days' budget in an hour. Bold: above 1; red: above an alert's threshold.</dd>
<dt>Alerts</dt><dd>A page fires when both its windows burn above its threshold, with enough events; a ticket is the slower, less urgent kind.</dd>
<dt>States</dt><dd>breached, page alert firing, ticket alert firing, at risk (under a quarter of the budget left), no data (no valid events), met.</dd>
</dl></details>
{{range .Rows}}<section class="objective {{.Class}}" data-condition="{{.Class}}">
<div class="head"><span class="name">{{.Name}}</span><span class="state {{.Class}}">{{.Condition}}</span>{{if .Service}}<span class="muted">{{.Service}}</span>{{end}}{{if .Owner}}<span class="muted">{{.Owner}}</span>{{end}}</div>
{{if .Description}}<div class="muted">{{.Description}}</div>{{end}}
{{if .Error}}<div class="error">{{.Error}}</div>{{end}}
<div class="figures">
<div><span class="label" title="good ÷ valid over the window">SLI (target {{.Target}})</span><b>{{.SLI}}</b></div>
<div><span class="label" title="the share of the error budget not yet spent">Budget left</span><b>{{.Left}}</b>{{if .Exhaustion}}<span class="muted">{{.Exhaustion}}</span>{{end}}</div>
<div><span class="label">Traffic</span><b>{{if .Rate}}{{.Rate}}{{else}}—{{end}}</b><span class="muted">{{.Valid}} ({{.Window}})</span></div>
</div>
<div class="burn"><span class="label" title="burn rate per recent window">Burn rates</span> {{range .Burn}}<span class="{{.Class}}" title="{{.Title}}">{{.Window}} {{.Rate}}</span>{{end}}</div>
{{range .Firing}}<div class="firing">{{.}}</div>{{end}}
{{if .Detail}}<div class="muted">{{.Detail}}</div>{{end}}
{{if .Latency}}<div class="muted">{{.Latency}}</div>{{end}}
{{if .Exemplars}}<div class="muted" title="The latest failed or slow requests with a sampled trace (UTC)">traces:{{range .Exemplars}} {{.Time}} {{if .URL}}<a href="{{.URL}}" rel="noopener noreferrer">{{.Trace}}</a>{{else}}<code>{{.Trace}}</code>{{end}}{{if .Duration}} ({{.Duration}}){{end}}{{end}}</div>{{end}}
{{if .Charts}}<div class="charts">{{range .Charts}}{{.}}{{end}}</div>{{end}}
</section>
{{end}}
</body></html>
`))
