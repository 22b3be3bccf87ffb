package yamldoc

import (
	"errors"
	"reflect"
	"testing"
)

func TestSplitDocuments(t *testing.T) {
	type doc struct {
		Text string
		Line int
	}
	tests := []struct {
		name string
		in   string
		want []doc
	}{
		{"single", "a: 1\n", []doc{{"a: 1\n", 1}}},
		{"leading marker", "---\na: 1\n", []doc{{"a: 1\n", 2}}},
		{"several", "a: 1\n---\nb: 2\n--- # note\nc: 3", []doc{{"a: 1\n", 1}, {"b: 2\n", 3}, {"c: 3", 5}}},
		{"CRLF", "a: 1\r\n---\r\nb: 2\r\n", []doc{{"a: 1\r\n", 1}, {"b: 2\r\n", 3}}},
		{"end marker", "a: 1\n...\n---\nb: 2\n", []doc{{"a: 1\n", 1}, {"b: 2\n", 4}}},
		{"comment-only documents dropped", "# c\n---\n\n---\na: 1\n", []doc{{"a: 1\n", 5}}},
		{"not a marker", "a: |\n  ---\n----\nb: ---\n", []doc{{"a: |\n  ---\n----\nb: ---\n", 1}}},
		{"content on the marker line", "a: 1\n--- {b: 2}\n", []doc{{"a: 1\n", 1}, {"--- {b: 2}\n", 2}}},
		{"BOM", "\xef\xbb\xbfa: 1\n", []doc{{"a: 1\n", 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []doc
			for _, d := range Split([]byte(tc.in)) {
				got = append(got, doc{string(d.Text), d.Line})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestFirstContentLine(t *testing.T) {
	d := Document{Text: []byte("\n# comment\n  \napiVersion: v1\n"), Line: 10}
	if got := d.FirstContentLine(); got != 13 {
		t.Errorf("firstContentLine = %d, want 13", got)
	}
}

func TestErrorLine(t *testing.T) {
	tests := []struct {
		in      string
		line    int
		message string
	}{
		{"yaml: line 3: did not find expected key", 3, "did not find expected key"},
		{"yaml: control characters are not allowed", 0, "yaml: control characters are not allowed"},
		{"yaml: line x: odd", 0, "yaml: line x: odd"},
	}
	for _, tc := range tests {
		line, msg := errorLine(tc.in)
		if line != tc.line || msg != tc.message {
			t.Errorf("errorLine(%q) = %d, %q; want %d, %q", tc.in, line, msg, tc.line, tc.message)
		}
	}
}

func TestRootSyntaxErrorLine(t *testing.T) {
	data := "a: 1\n---\nkind: X\nspec:\n  path: ./x\n\tinterval: 1m\n"
	docs := Split([]byte(data))
	_, err := docs[1].Root()
	var syn *SyntaxError
	if !errors.As(err, &syn) || syn.Line != 6 {
		t.Fatalf("Root() = %v, want a syntax error at file line 6 (the tab)", err)
	}
}
