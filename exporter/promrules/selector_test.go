package promrules

import "testing"

// FuzzParseSelector: any input is refused or read into matchers that
// write back to a selector reading the same.
func FuzzParseSelector(f *testing.F) {
	for _, s := range []string{``, `namespace="shop"`, ` job = "a\"b" , cluster=~"eu-.*",x!~"y|z" `, `a="`, `a=~"(("`, `1a="b"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ms, err := parseSelector(s)
		if err != nil {
			return
		}
		var again string
		for i, m := range ms {
			if i > 0 {
				again += ","
			}
			again += m.String()
		}
		ms2, err := parseSelector(again)
		if err != nil || len(ms2) != len(ms) {
			t.Fatalf("%q reads as %q, which reads as %v, %v", s, again, ms2, err)
		}
		for i := range ms {
			if ms[i] != ms2[i] {
				t.Fatalf("%q: matcher %d %v, then %v", s, i, ms[i], ms2[i])
			}
		}
	})
}
