package diff

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	kdiff "k8s.io/kubectl/pkg/cmd/diff"
	"k8s.io/utils/exec"
)

// ExternalDiffEnv names the program kubectl diff runs on the two folders; diff honours
// it the same way, with kubectl's own code (k8s.io/kubectl/pkg/cmd/diff).
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
	differ, err := kdiff.NewDiffer("LIVE", "MERGED")
	if err != nil {
		return err
	}
	defer differ.TearDown()
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
		if err := writeFile(differ.From.Dir, name, o.live); err != nil {
			return err
		}
		if err := writeFile(differ.To.Dir, name, o.merged); err != nil {
			return err
		}
	}
	err = differ.Run(&kdiff.DiffProgram{Exec: exec.New(), IOStreams: streams})
	var exit exec.ExitError
	if errors.As(err, &exit) && exit.ExitStatus() <= 1 {
		return nil
	}
	return err
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

func writeFile(dir *kdiff.Directory, name, text string) error {
	f, err := dir.NewFile(name)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
