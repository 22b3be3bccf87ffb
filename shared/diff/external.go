package diff

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// ExternalDiffEnv names the program kubectl diff runs on the two folders; diff honours
// it the same way (externalProgram).
const ExternalDiffEnv = "KUBECTL_EXTERNAL_DIFF"

// keep records the masked YAML of the live object and of what the apply makes of it,
// for an external diff program: a Secret's values are scrubbed and every secret value
// masked before they are kept, so they never reach the files. nil is an absent object.
func (o *Object) keep(live, merged *unstructured.Unstructured, secrets []string) error {
	for _, side := range []struct {
		u  *unstructured.Unstructured
		to *string
	}{{live, &o.live}, {merged, &o.merged}} {
		if side.u == nil {
			continue
		}
		u := side.u.DeepCopy()
		if isSecret(u) {
			scrubSecret(u)
		}
		text, err := yamlOf(u)
		if err != nil {
			return err
		}
		*side.to = mask(text, secrets)
	}
	return nil
}

// WithoutInlineDiffs is the document with each object's unified diff left out: the
// external program shows them instead.
func (d Diff) WithoutInlineDiffs() *Diff {
	out := d
	out.Kustomizations = make([]Kustomization, len(d.Kustomizations))
	for i, k := range d.Kustomizations {
		k.Objects = withoutDiffs(k.Objects)
		out.Kustomizations[i] = k
	}
	out.HelmReleases = make([]HelmRelease, len(d.HelmReleases))
	for i, h := range d.HelmReleases {
		h.Objects = withoutDiffs(h.Objects)
		out.HelmReleases[i] = h
	}
	if len(out.HelmReleases) == 0 {
		out.HelmReleases = nil
	}
	return &out
}

func withoutDiffs(objects []Object) []Object {
	out := append([]Object(nil), objects...)
	for i := range out {
		out[i].Diff = ""
	}
	return out
}

// RunExternal does what kubectl diff does with KUBECTL_EXTERNAL_DIFF: it writes the
// live YAML of every object the apply would create, change, recreate or prune into a
// temporary folder LIVE-…, what the apply makes of it into MERGED-… (one file per
// object, named group.version.Kind.namespace.name as kubectl names them; an absent
// object is an empty file), runs the program on the two folders with its output
// passed through, and removes both. The program's exit status 1 means "differences"
// as for diff(1) and is no error.
func (d *Diff) RunExternal(streams genericiooptions.IOStreams) error {
	live, err := os.MkdirTemp("", "LIVE-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(live)
	merged, err := os.MkdirTemp("", "MERGED-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(merged)
	var all []Object
	for _, k := range d.Kustomizations {
		all = append(all, k.Objects...)
	}
	for _, h := range d.HelmReleases {
		all = append(all, h.Objects...)
	}
	for _, o := range all {
		if o.live == "" && o.merged == "" {
			continue
		}
		name := fileName(o)
		if err := os.WriteFile(filepath.Join(live, name), []byte(o.live), 0o600); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(merged, name), []byte(o.merged), 0o600); err != nil {
			return err
		}
	}
	program, args := externalProgram(os.Getenv(ExternalDiffEnv), live, merged)
	cmd := exec.Command(program, args...)
	cmd.Stdout, cmd.Stderr = streams.Out, streams.ErrOut
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil, errors.As(err, &exit) && exit.ExitCode() == 1:
		return nil
	case errors.As(err, &exit):
		return fmt.Errorf("%s exited with status %d", program, exit.ExitCode())
	}
	return fmt.Errorf("failed to run %q: %w", program, err)
}

// safeArg is what kubectl diff lets through of KUBECTL_EXTERNAL_DIFF's further words.
var safeArg = regexp.MustCompile(`^[a-zA-Z0-9-=]+$`)

// externalProgram is the command kubectl diff runs on the two folders (k8s.io/kubectl
// v0.37, pkg/cmd/diff, DiffProgram.getCommand), read from KUBECTL_EXTERNAL_DIFF as it
// reads it: its first word is the program, and only the further words made of letters,
// digits, '-' and '=' are passed, after the two folders; without it, diff -u -N.
// Written here rather than imported: that package links kubectl's apply and
// api-resources commands into the binary, some 25 ms of start-up for every command of
// the suite.
func externalProgram(env, from, to string) (string, []string) {
	if env == "" {
		return "diff", []string{"-u", "-N", from, to}
	}
	words := strings.Split(env, " ")
	args := []string{from, to}
	for _, w := range words[1:] {
		if safeArg.MatchString(w) {
			args = append(args, w)
		}
	}
	return words[0], args
}

// fileName is kubectl diff's name for an object's file: [group.]version.Kind.namespace.name.
func fileName(o Object) string {
	gv, _ := schema.ParseGroupVersion(o.APIVersion)
	name := fmt.Sprintf("%s.%s.%s.%s", gv.Version, o.Kind, o.Namespace, o.Name)
	if gv.Group != "" {
		name = gv.Group + "." + name
	}
	return strings.ReplaceAll(name, string(os.PathSeparator), "_")
}
