package output

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

type doc struct {
	TypeMeta `json:",inline"`
	Name     string `json:"name"`
	Note     string `json:"note,omitempty"`
}

func TestWrite(t *testing.T) {
	d := doc{TypeMeta: NewTypeMeta("Thing"), Name: "a&b <c>"}
	tests := []struct {
		format string
		docs   []any
		want   string
	}{
		{FormatJSON, []any{d}, "{\n  \"apiVersion\": \"gitops.kubectl.io/v1alpha1\",\n  \"kind\": \"Thing\",\n  \"name\": \"a&b <c>\"\n}\n"},
		{FormatYAML, []any{d, d}, "---\napiVersion: gitops.kubectl.io/v1alpha1\nkind: Thing\nname: a&b <c>\n---\napiVersion: gitops.kubectl.io/v1alpha1\nkind: Thing\nname: a&b <c>\n"},
		{FormatYAML, []any{doc{TypeMeta: NewTypeMeta("Thing"), Name: "true", Note: "two\nlines"}}, "---\napiVersion: gitops.kubectl.io/v1alpha1\nkind: Thing\nname: \"true\"\nnote: |-\n  two\n  lines\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := Write(&b, tt.format, tt.docs...); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("Write(%s):\n%s\nwant:\n%s", tt.format, b.String(), tt.want)
		}
	}
	if err := Write(&bytes.Buffer{}, "xml", d); err == nil {
		t.Error("Write(xml) did not fail")
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		value, want string
		ok, doc     bool
	}{
		{"", "", true, false},
		{"text", "", true, false},
		{"tree", "", true, false},
		{"table", "", true, false},
		{"json", "json", true, true},
		{"yaml", "yaml", true, true},
		{"dot", "dot", true, false},
		{"png", "png", false, false},
	}
	for _, tt := range tests {
		var f Format
		f.AddFlag(&cobra.Command{}, "dot")
		f.Value = tt.value
		err := f.Validate()
		if (err == nil) != tt.ok || f.Value != tt.want || f.Document() != tt.doc {
			t.Errorf("-o %q: err %v, value %q, document %v", tt.value, err, f.Value, f.Document())
		}
	}
	// One name for the human view in help and errors; the old ones are never shown.
	var f Format
	cmd := &cobra.Command{}
	f.AddFlag(cmd, "dot")
	if usage := cmd.Flags().Lookup("output").Usage; !strings.HasPrefix(usage, "Output format: text, json, yaml, dot. Default: text, the human view.") || strings.Contains(usage, "tree") || strings.Contains(usage, "table") {
		t.Errorf("usage %q", usage)
	}
	f.Value = "png"
	if err := f.Validate(); err == nil || err.Error() != `unknown output format "png": use one of text, json, yaml, dot` {
		t.Errorf("-o png: %v", err)
	}
}

func TestTableTrimsPadding(t *testing.T) {
	var b bytes.Buffer
	tab := NewTable(&b, "NAME", "READY", "DETAILS")
	_ = tab.Append("a", "True", "")
	_ = tab.Append("longer-name", "False", "x")
	if err := tab.Render(); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.HasSuffix(l, " ") {
			t.Errorf("trailing blanks in %q", l)
		}
	}
	if !strings.HasPrefix(b.String(), "NAME         READY  DETAILS\n") {
		t.Errorf("table:\n%s", b.String())
	}
}

func TestAgeAndName(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for d, want := range map[time.Duration]string{-time.Second: "0s", 36 * time.Second: "36s", 5*time.Minute + 2*time.Second: "5m2s", 50 * time.Hour: "2d2h"} {
		if got := Age(now, now.Add(-d)); got != want {
			t.Errorf("Age(%s) = %q, want %q", d, got, want)
		}
	}
	if got := Name("Deployment", "shop", "api"); got != "Deployment shop/api" {
		t.Errorf("Name = %q", got)
	}
	if got := Name("Namespace", "", "shop"); got != "Namespace shop" {
		t.Errorf("Name = %q", got)
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 dependencies", 1: "1 dependency", 2: "2 dependencies", 12: "12 dependencies"} {
		if got := Count(n, "dependency", "dependencies"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestTableColour: colour wraps exactly a cell's text, never its padding, and leaves no
// reset code alone; without colour there is no escape code at all.
func TestTableColour(t *testing.T) {
	for _, tc := range []struct {
		color bool
		want  string
	}{
		{true, "HOP            READY  AGE  DETAILS\n" +
			"object         \x1b[32mTrue\x1b[0m   3s   x\n" +
			"kustomization  \x1b[31mFalse\x1b[0m\n" +
			"source                     \x1b[2mlong detail\x1b[0m\n"},
		{false, "HOP            READY  AGE  DETAILS\n" +
			"object         True   3s   x\n" +
			"kustomization  False\n" +
			"source                     long detail\n"},
	} {
		var b bytes.Buffer
		p := Palette(tc.color)
		tab := NewTable(&b, "HOP", "READY", "AGE", "DETAILS")
		_ = tab.Append("object", p.Green("True"), "3s", "x")
		_ = tab.Append("kustomization", p.Red("False"), "", "")
		_ = tab.Append("source", "", "", p.Dim("long detail"))
		if err := tab.Render(); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("colour %v:\n%q\nwant\n%q", tc.color, b.String(), tc.want)
		}
	}
}
