// Package schematest validates OpenSLO documents against OpenSLO's v1
// JSON schema.
package schematest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

const base = "https://openslo.com/schemas/v1/"

// schema compiles OpenSLO's schema from testdata/v1, each part under the
// address it names itself by, so nothing is fetched.
func schema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	files, err := filepath.Glob("testdata/v1/*.json")
	if err != nil {
		t.Fatal(err)
	}
	parts, _ := filepath.Glob("testdata/v1/parts/*.json")
	for _, name := range append(files, parts...) {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.AddResource(base+strings.TrimPrefix(filepath.ToSlash(name), "testdata/v1/"), doc); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Compile(base + "openslo.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// documents splits a YAML stream into its documents, each as the JSON
// value the schema validates.
func documents(t *testing.T, data []byte) []any {
	t.Helper()
	var docs []any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatal(err)
		}
		plainTimes(&n)
		var v any
		if err := n.Decode(&v); err != nil {
			t.Fatal(err)
		}
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
}

// plainTimes makes YAML timestamps strings again, as JSON has them: an
// unquoted startTime is still the text the schema's pattern checks.
func plainTimes(n *yaml.Node) {
	if n.Tag == "!!timestamp" {
		n.Tag = "!!str"
	}
	for _, c := range n.Content {
		plainTimes(c)
	}
}

// Every document nines writes, and the foreign file its tests read, is
// valid OpenSLO v1.
func TestDocumentsValidate(t *testing.T) {
	s := schema(t)
	files, err := filepath.Glob("../testdata/*.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("the documents to validate: %v, %v", files, err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		docs := documents(t, data)
		if len(docs) == 0 {
			t.Errorf("%s: no documents", name)
		}
		for i, doc := range docs {
			if err := s.Validate(doc); err != nil {
				t.Errorf("%s, document %d: %v", name, i+1, err)
			}
		}
	}
}

// The schema refuses what is not OpenSLO, so that the test above can
// fail: a name that is not a DNS label, an SLO without a service, a
// rolling window in seconds, a burn-rate condition without its window.
func TestSchemaRefuses(t *testing.T) {
	s := schema(t)
	data, err := os.ReadFile("../testdata/golden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ old, new string }{
		{"name: checkout-get-cart-availability\n", "name: Checkout GET /cart\n"},
		{"  service: checkout\n", ""},
		{"duration: 30d", "duration: 30s"},
		{"  alertWhenResolved: true\n", ""},
	} {
		changed := strings.Replace(string(data), c.old, c.new, 1)
		if changed == string(data) {
			t.Fatalf("%q is not in golden.yaml", c.old)
		}
		valid := true
		for _, doc := range documents(t, []byte(changed)) {
			if s.Validate(doc) != nil {
				valid = false
			}
		}
		if valid {
			t.Errorf("the schema accepts golden.yaml with %q as %q", c.old, c.new)
		}
	}
}
