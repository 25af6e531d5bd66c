// Package printable keeps the names nines exports (objective names, route
// names, metadata) to text every backend takes: valid UTF-8 without
// control characters. OTLP's protobuf refuses a request holding invalid
// UTF-8, and a Prometheus scrape fails whole on one bad label value, so one
// such name would silence every objective's export.
package printable

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Valid reports whether s is valid UTF-8 holding no control character
// (C0, DEL or C1).
func Valid(s string) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || unicode.IsControl(r) {
			return false
		}
		i += n
	}
	return true
}

// Clean returns s if it is Valid, else s with every control character and
// every byte of invalid UTF-8 escaped as Go escapes them (\x01, \xff,
// \u0085), so that the name stays readable and different names stay
// apart.
func Clean(s string) string {
	if Valid(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < utf8.RuneSelf && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// LabelName reports whether s is a label name in Prometheus's classic
// syntax, which every backend takes: [a-zA-Z_][a-zA-Z0-9_]*, not starting
// with the "__" that Prometheus reserves.
func LabelName(s string) bool {
	if s == "" || strings.HasPrefix(s, "__") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && !(i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
