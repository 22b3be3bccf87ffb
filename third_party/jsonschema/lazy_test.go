package jsonschema

import "testing"

// TestDraftsCompiledLazily: no metaschema is compiled before the first Compiler (the
// start-up cost this copy removes), and each draft's is compiled after it.
func TestDraftsCompiledLazily(t *testing.T) {
	for _, d := range []*Draft{Draft4, Draft6, Draft7, Draft2019, Draft2020} {
		if d.sch != nil {
			t.Fatalf("draft %d compiled before any Compiler", d.version)
		}
	}
	c := NewCompiler()
	for _, d := range []*Draft{Draft4, Draft6, Draft7, Draft2019, Draft2020} {
		if d.sch == nil {
			t.Errorf("draft %d not compiled after NewCompiler", d.version)
		}
	}
	if err := c.AddResource("schema.json", map[string]any{"type": "integer", "minimum": 1.0}); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(0.0); err == nil {
		t.Error("0 against minimum 1: valid, want an error")
	}
	if err := sch.Validate(2.0); err != nil {
		t.Errorf("2 against minimum 1: %v", err)
	}
}
