package printable

import (
	"testing"
	"unicode/utf8"
)

func TestValidAndClean(t *testing.T) {
	for _, tt := range []struct {
		in, clean string
		valid     bool
	}{
		{"", "", true},
		{"GET /users/{id} availability", "GET /users/{id} availability", true},
		{"café – 東京 �", "café – 東京 �", true}, // U+FFFD itself is a character
		{"a\x00b", `a\x00b`, false},
		{"line\nbreak\ttab\x7f", `line\x0abreak\x09tab\x7f`, false},
		{"bad \xff\xfe end", `bad \xff\xfe end`, false},
		{"cut \xe6\x9d", `cut \xe6\x9d`, false},
		{"c1 \u0085 next line", `c1 \u0085 next line`, false},
	} {
		if got := Valid(tt.in); got != tt.valid {
			t.Errorf("Valid(%q) = %v, want %v", tt.in, got, tt.valid)
		}
		if got := Clean(tt.in); got != tt.clean || !Valid(got) {
			t.Errorf("Clean(%q) = %q, want %q, valid", tt.in, got, tt.clean)
		}
	}
}

// FuzzClean: whatever the input, Clean's output is Valid, the input itself
// when it was valid.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "GET /", "a\x00b", "\xff", "\u0085", "東京"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		if !Valid(c) || !utf8.ValidString(c) {
			t.Fatalf("Clean(%q) = %q, not valid", s, c)
		}
		if Valid(s) != (c == s) {
			t.Fatalf("Clean(%q) = %q; Valid(input) %v", s, c, Valid(s))
		}
	})
}

func BenchmarkValid(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Valid("GET /api/v1/users/{id}/orders")
	}
}

func TestLabelName(t *testing.T) {
	for s, want := range map[string]bool{"job": true, "_x9": true, "team_Name": true, "": false, "9a": false, "a-b": false, "__name__": false, "a.b": false, "é": false} {
		if got := LabelName(s); got != want {
			t.Errorf("LabelName(%q) = %v, want %v", s, got, want)
		}
	}
}
