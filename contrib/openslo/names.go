package ninesopenslo

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// annotation is the prefix of the annotations nines writes: what OpenSLO
// has no field for, so that reading a file nines wrote gives back the
// objectives it was written from.
const annotation = "nines-slo.github.io/"

// Annotations nines reads and writes (after the prefix).
const (
	annName             = "name"              // the nines name, where the OpenSLO name had to differ
	annOwner            = "owner"             // slo.Metadata's fields
	annRequests         = "requests"          //
	annSource           = "source"            //
	annRunbook          = "runbook"           //
	annAtRisk           = "at-risk"           // slo.Config.AtRisk, when not the default
	annExhaustionWindow = "exhaustion-window" // slo.Config.ExhaustionWindow, when not the default
	annEmptySlices      = "empty-slices"      // a time-slice SLI's EmptySlices, when not "not valid"
	annLatency          = "latency-threshold" // on an SLI: its events are latencies, good within this
	annBudgetFraction   = "budget-fraction"   // on an AlertCondition: slo.AlertRule.BudgetFraction, exactly
	annExhaustion       = "exhaustion"        // on an AlertCondition: an exhaustion rule's horizon
	annMinEvents        = "min-events"        // on an AlertCondition: slo.AlertRule.MinEvents, when set
	annAlertLabel       = "alert-label."      // + name: slo.Config.AlertLabels
	annAlertAnnotation  = "alert-annotation." // + name: slo.Config.AlertAnnotations
)

// maxLabel is the length limit of a DNS label (RFC 1123), which OpenSLO's
// names follow.
const maxLabel = 63

// label turns a nines name into a DNS label: lower case, every run of
// other characters than letters and digits one hyphen, none at either end;
// "default" when nothing is left. One longer than 63 characters is cut, and
// ends with a hash of the whole name so that two long names sharing a
// beginning stay apart.
func label(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	l := b.String()
	if l == "" {
		l = "default"
	}
	if len(l) > maxLabel {
		return hashed(l, name)
	}
	return l
}

// hashed shortens l, the label of name, and appends a hash of name.
func hashed(l, name string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	suffix := fmt.Sprintf("-%08x", h.Sum32())
	l = strings.TrimRight(l[:min(len(l), maxLabel-len(suffix))], "-")
	return l + suffix
}

// namer gives each nines name of one kind its OpenSLO name: its label, or,
// when another name already has that label, the label with a hash.
type namer map[string]string // OpenSLO name → nines name

func (n namer) name(ninesName string) string { return n.nameOf(ninesName, ninesName) }

// nameOf gives key, whose label is that of text, its OpenSLO name: the
// label, or, when another key has it, the label with a hash of key, and
// of key and a counter while that too is taken.
func (n namer) nameOf(text, key string) string {
	l := label(text)
	for i := 0; ; i++ {
		if prev, taken := n[l]; !taken || prev == key {
			n[l] = key
			return l
		}
		l = hashed(label(text), key+strings.Repeat("\x00", i))
	}
}

// ninesName is the nines name of an object: the annotation nines wrote
// when it had to rename it, else its OpenSLO name.
func ninesName(m metadata) string {
	if n, ok := m.Annotations[annotation+annName]; ok {
		return n
	}
	return m.Name
}

// named fills in m's name and display name for the nines name n, with the
// annotation that keeps n when the name differs.
func named(m *metadata, openSLO, n string) {
	m.Name = openSLO
	if n != "" {
		m.DisplayName = n
	}
	if openSLO != n {
		annotate(m, annName, n)
	}
}

func annotate(m *metadata, key, value string) {
	if m.Annotations == nil {
		m.Annotations = map[string]string{}
	}
	m.Annotations[annotation+key] = value
}
