package promrules

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// matcher is one label matcher of a PromQL selector.
type matcher struct {
	label, op, value string
}

// String writes m in PromQL's syntax, its value quoted as Go quotes
// strings, which PromQL reads back the same.
func (m matcher) String() string { return m.label + m.op + strconv.Quote(m.value) }

// parseSelector reads label matchers separated by commas, as inside a
// PromQL selector's braces: label, an operator (=, !=, =~, !~) and a
// double-quoted string; a regular expression must compile. Blank is none.
func parseSelector(s string) ([]matcher, error) {
	var ms []matcher
	rest := strings.TrimSpace(s)
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] == '_' || 'a' <= rest[i] && rest[i] <= 'z' || 'A' <= rest[i] && rest[i] <= 'Z' || i > 0 && '0' <= rest[i] && rest[i] <= '9') {
			i++
		}
		m := matcher{label: rest[:i]}
		if m.label == "" {
			return nil, fmt.Errorf("%q: want a label name at %q", s, rest)
		}
		rest = strings.TrimSpace(rest[i:])
		for _, op := range []string{"=~", "!~", "!=", "="} {
			if strings.HasPrefix(rest, op) {
				m.op = op
				break
			}
		}
		if m.op == "" {
			return nil, fmt.Errorf("%q: want =, !=, =~ or !~ after %s", s, m.label)
		}
		rest = strings.TrimSpace(rest[len(m.op):])
		end := quotedEnd(rest)
		if end < 0 {
			return nil, fmt.Errorf("%q: want a double-quoted value after %s%s", s, m.label, m.op)
		}
		v, err := strconv.Unquote(rest[:end])
		if err != nil {
			return nil, fmt.Errorf("%q: value %s: %v", s, rest[:end], err)
		}
		m.value = v
		if m.op == "=~" || m.op == "!~" {
			if _, err := regexp.Compile("^(?:" + v + ")$"); err != nil {
				return nil, fmt.Errorf("%q: %s%s: %v", s, m.label, m.op, err)
			}
		}
		ms = append(ms, m)
		rest = strings.TrimSpace(rest[end:])
		if rest == "" {
			break
		}
		if rest[0] != ',' {
			return nil, fmt.Errorf("%q: want a comma at %q", s, rest)
		}
		rest = strings.TrimSpace(rest[1:])
	}
	return ms, nil
}

// quotedEnd returns the length of the double-quoted string s starts with,
// escapes included, or -1.
func quotedEnd(s string) int {
	if s == "" || s[0] != '"' {
		return -1
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		case '\n':
			return -1
		}
	}
	return -1
}
