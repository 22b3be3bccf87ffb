package main_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// costlyInits are packages whose initialisation every command of the suite would pay,
// and which it does without (BENCHMARKS.md, "Start-up and size"; budget 20 ms): Helm's
// install action and linter (govalidator compiles about 60 expressions at start-up),
// kubectl's api-resources command (renders its help text at start-up).
var costlyInits = []string{
	"helm.sh/helm/v4/pkg/action",
	"helm.sh/helm/v4/pkg/chart/v2/lint",
	"github.com/asaskevich/govalidator",
	"k8s.io/kubectl/pkg/cmd/apiresources",
}

// TestStartupDependencies keeps the suite's start-up within its budget as the code
// changes: the binary, built alone as make dist builds it (GOWORK=off), links none of
// costlyInits, and its JSON-schema library is the copy in third_party/ that compiles
// its metaschemas on first use rather than at start-up.
func TestStartupDependencies(t *testing.T) {
	goList := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("go", append([]string{"list"}, args...)...)
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %v: %v", args, err)
		}
		return string(out)
	}
	linked := map[string]bool{}
	for _, p := range strings.Fields(goList("-deps", ".")) {
		linked[p] = true
	}
	if !linked["helm.sh/helm/v4/pkg/engine"] {
		t.Fatal("the suite links no Helm engine: this test checks nothing (was the render moved?)")
	}
	for _, p := range costlyInits {
		if linked[p] {
			t.Errorf("the suite links %s, whose initialisation every command pays (see BENCHMARKS.md, Start-up and size)", p)
		}
	}
	if r := strings.TrimSpace(goList("-m", "-f", "{{with .Replace}}{{.Path}}{{end}}", "github.com/santhosh-tekuri/jsonschema/v6")); r != "../../third_party/jsonschema" {
		t.Errorf("jsonschema is replaced by %q, want ../../third_party/jsonschema (its metaschemas compiled on first use)", r)
	}
}
