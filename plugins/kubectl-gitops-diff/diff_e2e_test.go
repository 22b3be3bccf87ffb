package main_test

import (
	"context"
	"encoding/base64"
	"sort"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// The values the test must never see in any output of diff.
const (
	passwordOne = "s3cret-one-value"
	passwordTwo = "s3cret-two-value"
	greeting    = "hello-hidden-greeting"
)

var (
	configMaps = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	secrets    = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
)

func secretYAML(password string) string {
	return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: default\ntype: Opaque\nstringData:\n  username: admin\n  password: " + password + "\n"
}

// subYAML is a ConfigMap whose greeting comes from the substituteFrom Secret vars.
func subYAML(rev string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sub\n  namespace: default\ndata:\n  greeting: ${greeting}\n  rev: \"" + rev + "\"\n"
}

// TestDiffPredictsWhatFluxApplies runs diff through kubectl against a Kustomization
// that real Flux applies: a hand edit shows as drift with --revision applied; a
// Secret changed in Git is named by key, its values never printed; a commit held back
// by a suspension (one ConfigMap changed, one added, one removed) is predicted from
// the source's revision, and once resumed Flux does exactly that: the changed objects
// read as the diff said, the created exist, the pruned are gone, the unchanged are not
// written; then diff says nothing differs and exits 0. Last, a change to an immutable
// ConfigMap is predicted failing, then recreated once spec.force is set, and Flux
// recreates it; hand edits to an ssa: IfNotPresent object, a reconcile: disabled one
// and a field under spec.ignore are predicted skipped or unchanged, and Flux keeps them.
func TestDiffPredictsWhatFluxApplies(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	repo, err := bed.Git.CreateRepo(ctx, "fleet")
	if err != nil {
		t.Fatal(err)
	}
	c1, err := repo.Commit(ctx, "first", map[string]string{
		"apps/a.yaml":     testbed.ConfigMapYAML("default", "a", "key", "v1"),
		"apps/b.yaml":     testbed.ConfigMapYAML("default", "b", "key", "v1"),
		"apps/gone.yaml":  testbed.ConfigMapYAML("default", "gone", "key", "v1"),
		"apps/sub.yaml":   subYAML("1"),
		"apps/creds.yaml": secretYAML(passwordOne),
	})
	if err != nil {
		t.Fatal(err)
	}
	vars := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: vars\n  namespace: flux-system\nstringData:\n  greeting: " + greeting + "\n"
	ks := testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "apps", Path: "./apps", Source: "fleet"}) +
		"  postBuild:\n    substituteFrom:\n      - kind: Secret\n        name: vars\n"
	if err := bed.Apply(ctx, vars+"---\n"+testbed.GitRepositoryYAML(testbed.FluxNamespace, "fleet", repo.URL, "main")+"---\n"+ks); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "apps", c1); err != nil {
		t.Fatal(err)
	}

	git := gitRunner(ctx, t)
	clone := cloneRepo(t, git, repo.URL)
	kubectl := kubectlRunner(ctx, t, bed)
	gitopsDiff := func(args ...string) testbed.Run {
		t.Helper()
		return kubectl(append([]string{"gitops", "diff", "apps", "-n", "flux-system", "--git-dir", clone}, args...)...)
	}
	// document runs diff with -o json and -o yaml, checks that both say the same and
	// returns the one Kustomization compared.
	document := func(wantCode int, args ...string) diff.Kustomization {
		t.Helper()
		var got []diff.Kustomization
		for _, format := range []string{output.FormatJSON, output.FormatYAML} {
			run := gitopsDiff(append(args, "-o", format)...)
			if run.Code != wantCode {
				t.Fatalf("-o %s: exit code %d, want %d\n%s", format, run.Code, wantCode, run)
			}
			noValues(t, run)
			if err := outputtest.Decode(format, []byte(run.Stdout), output.KindDiff, func() any { return &diff.Diff{} }, func(d any) {
				got = append(got, d.(*diff.Diff).Kustomizations...)
			}); err != nil {
				t.Fatalf("-o %s: %v\n%s", format, err, run.Stdout)
			}
		}
		if len(got) != 2 || got[0].Name != "apps" {
			t.Fatalf("want one Kustomization apps per format, got %+v", got)
		}
		a, _ := yaml.Marshal(got[0])
		b, _ := yaml.Marshal(got[1])
		if string(a) != string(b) {
			t.Errorf("-o json and -o yaml differ:\n%s\n---\n%s", a, b)
		}
		return got[0]
	}
	liveYAML := func(name string) (string, bool) {
		t.Helper()
		u, err := bed.Dynamic.Resource(configMaps).Namespace("default").Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err.Error(), false
		}
		unstructured.RemoveNestedField(u.Object, "metadata", "managedFields")
		b, err := yaml.Marshal(u.Object)
		if err != nil {
			t.Fatal(err)
		}
		return string(b), true
	}
	suspend := func(on bool) {
		t.Helper()
		patch := `{"spec":{"suspend":false}}`
		if on {
			patch = `{"spec":{"suspend":true}}`
		}
		if run := kubectl("patch", "kustomization", "apps", "-n", "flux-system", "--type", "merge", "-p", patch); run.Code != 0 {
			t.Fatal(run)
		}
	}
	t.Run("in sync", func(t *testing.T) {
		run := gitopsDiff()
		if run.Code != 0 || !strings.Contains(run.Stdout, "Kustomization flux-system/apps at main@sha1:"+c1) || !strings.Contains(run.Stdout, "no differences: 5 objects unchanged") {
			t.Errorf("want no differences at %s, exit 0:\n%s", c1, run)
		}
		noValues(t, run)
	})

	t.Run("a hand edit is drift", func(t *testing.T) {
		if run := kubectl("patch", "configmap", "b", "-n", "default", "--type", "merge", "-p", `{"data":{"key":"hand-edited"}}`); run.Code != 0 {
			t.Fatal(run)
		}
		run := gitopsDiff("--revision", "applied")
		if run.Code != 7 {
			t.Errorf("exit code %d, want 7 (differences)\n%s", run.Code, run)
		}
		for _, want := range []string{"(last applied)", "changed   ConfigMap default/b", "--- live/ConfigMap/default/b", "+++ apply/ConfigMap/default/b", "    -  key: hand-edited\n", "    +  key: v1\n", "1 difference: 1 changed; 4 unchanged"} {
			if !strings.Contains(run.Stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, run)
			}
		}
		noValues(t, run)
		k := document(7, "--revision", "applied")
		if k.RevisionFrom != "applied" || k.Revision != "main@sha1:"+c1 || actions(k) != "ConfigMap default/a=unchanged ConfigMap default/b=changed ConfigMap default/gone=unchanged ConfigMap default/sub=unchanged Secret default/creds=unchanged" {
			t.Errorf("document: %s from %s, %s", k.Revision, k.RevisionFrom, actions(k))
		}
		// Flux corrects the drift as the diff said it would.
		if err := bed.Reconcile(ctx, flux.KindKustomization, testbed.FluxNamespace, "apps"); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(90 * time.Second)
		for {
			live, _ := liveYAML("b")
			if strings.Contains(live, "\n  key: v1\n") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("Flux did not put the drift back:\n%s", live)
			}
			time.Sleep(250 * time.Millisecond)
		}
		if run := gitopsDiff("--revision", "applied"); run.Code != 0 {
			t.Errorf("after Flux corrected it, want no drift:\n%s", run)
		}
	})

	suspend(true)

	t.Run("a Secret changed in Git: its key named, no value shown", func(t *testing.T) {
		c2, err := repo.Commit(ctx, "rotate password", map[string]string{"apps/creds.yaml": secretYAML(passwordTwo)})
		if err != nil {
			t.Fatal(err)
		}
		sourceAt(ctx, t, bed, git, clone, c2)
		run := gitopsDiff()
		if run.Code != 7 || !strings.Contains(run.Stdout, "changed   Secret default/creds") || !strings.Contains(run.Stdout, "changed keys (values hidden): password\n") {
			t.Errorf("want the Secret changed with key password named, exit 7:\n%s", run)
		}
		noValues(t, run)
		k := document(7)
		if k.Revision != "main@sha1:"+c2 || k.RevisionFrom != "source" {
			t.Errorf("compared %s from %s, want main@sha1:%s from source", k.Revision, k.RevisionFrom, c2)
		}
		for _, o := range k.Objects {
			if o.Kind == "Secret" && (o.Action != diff.Changed || strings.Join(o.ChangedKeys, ",") != "password") {
				t.Errorf("Secret: %+v, want changed with changedKeys [password]", o)
			}
		}
	})

	t.Run("prediction equals outcome", func(t *testing.T) {
		c3, err := repo.Commit(ctx, "change a, add c, remove gone, bump sub", map[string]string{
			"apps/a.yaml":    testbed.ConfigMapYAML("default", "a", "key", "v2"),
			"apps/c.yaml":    testbed.ConfigMapYAML("default", "c", "key", "new"),
			"apps/gone.yaml": "",
			"apps/sub.yaml":  subYAML("2"),
		})
		if err != nil {
			t.Fatal(err)
		}
		sourceAt(ctx, t, bed, git, clone, c3)
		run := gitopsDiff()
		if run.Code != 7 {
			t.Errorf("exit code %d, want 7\n%s", run.Code, run)
		}
		for _, want := range []string{"created   ConfigMap default/c", "pruned    ConfigMap default/gone", "    +  key: v2\n", "    -  key: v1\n",
			// The substituted value is masked in the context of the diff of sub.
			"     greeting: ***\n", "    +  rev: \"2\"\n", "5 differences: 1 created, 3 changed, 1 pruned; 1 unchanged"} {
			if !strings.Contains(run.Stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, run)
			}
		}
		noValues(t, run)
		// Without a clone: the commit is fetched from the GitRepository's URL (the bed's
		// Git server) with git, and the prediction is the same, object by object.
		jsonOf := func(run testbed.Run) diff.Kustomization {
			t.Helper()
			var got []diff.Kustomization
			if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindDiff, func() any { return &diff.Diff{} }, func(d any) {
				got = append(got, d.(*diff.Diff).Kustomizations...)
			}); err != nil || len(got) != 1 {
				t.Fatalf("%v, %d Kustomizations\n%s", err, len(got), run)
			}
			return got[0]
		}
		fromURL := kubectl("gitops", "diff", "apps", "-n", "flux-system", "-o", "json")
		if fromURL.Code != 7 {
			t.Fatalf("without --git-dir: exit %d, want 7\n%s", fromURL.Code, fromURL)
		}
		noValues(t, fromURL)
		viaURL, viaClone := jsonOf(fromURL), jsonOf(gitopsDiff("-o", "json"))
		if actions(viaURL) != actions(viaClone) || viaURL.Revision != viaClone.Revision {
			t.Errorf("fetched from the URL: %s at %s\nfrom the clone: %s at %s", actions(viaURL), viaURL.Revision, actions(viaClone), viaClone.Revision)
		}
		for i := range viaClone.Objects {
			if i < len(viaURL.Objects) && viaURL.Objects[i].Diff != viaClone.Objects[i].Diff {
				t.Errorf("%s: diff fetched from the URL differs from the clone's:\n%s\n---\n%s", viaClone.Objects[i], viaURL.Objects[i].Diff, viaClone.Objects[i].Diff)
			}
		}
		if !strings.Contains(strings.Join(viaURL.Notes, "\n"), "fetched commit "+c3[:12]) {
			t.Errorf("notes do not say the commit was fetched: %q", viaURL.Notes)
		}
		k := document(7)
		const want = "ConfigMap default/a=changed ConfigMap default/b=unchanged ConfigMap default/c=created ConfigMap default/gone=pruned ConfigMap default/sub=changed Secret default/creds=changed"
		if got := actions(k); got != want {
			t.Fatalf("predicted %s\nwant      %s", got, want)
		}
		if s := k.Summary; s != (diff.Summary{Created: 1, Changed: 3, Pruned: 1, Unchanged: 1}) {
			t.Errorf("summary %+v", s)
		}

		// What the apply must leave alone: the unchanged object is not written.
		before := map[string]string{}
		for _, o := range k.Objects {
			if o.Action == diff.Unchanged {
				u, err := bed.Dynamic.Resource(configMaps).Namespace("default").Get(ctx, o.Name, metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				before[o.Name] = u.GetResourceVersion()
			}
		}
		suspend(false)
		if err := bed.Reconcile(ctx, flux.KindKustomization, testbed.FluxNamespace, "apps"); err != nil {
			t.Fatal(err)
		}
		if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "apps", c3); err != nil {
			t.Fatal(err)
		}

		for _, o := range k.Objects {
			switch {
			case o.Kind == "Secret":
				u, err := bed.Dynamic.Resource(secrets).Namespace("default").Get(ctx, o.Name, metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				got, _, _ := unstructured.NestedString(u.Object, "data", "password")
				if got != base64.StdEncoding.EncodeToString([]byte(passwordTwo)) {
					t.Errorf("Secret %s: password not rotated as predicted", o.Name)
				}
			case o.Action == diff.Created:
				if live, ok := liveYAML(o.Name); !ok {
					t.Errorf("%s predicted created, not there: %s", o.String(), live)
				}
			case o.Action == diff.Pruned:
				if _, ok := liveYAML(o.Name); ok {
					t.Errorf("%s predicted pruned, still there", o.String())
				}
			case o.Action == diff.Changed:
				live, ok := liveYAML(o.Name)
				if !ok {
					t.Fatalf("%s: %s", o.String(), live)
				}
				if strings.Contains(o.Name, "sub") {
					// The diff masks the substituted value: compare the masked live object.
					live = strings.ReplaceAll(live, greeting, diff.Masked)
				}
				checkApplied(t, o, live)
			case o.Action == diff.Unchanged:
				after, err := bed.Dynamic.Resource(configMaps).Namespace("default").Get(ctx, o.Name, metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if after.GetResourceVersion() != before[o.Name] {
					t.Errorf("%s predicted unchanged, but the apply wrote it (resourceVersion %s -> %s)", o.String(), before[o.Name], after.GetResourceVersion())
				}
			}
		}

		run = gitopsDiff()
		if run.Code != 0 || !strings.Contains(run.Stdout, "at main@sha1:"+c3) || !strings.Contains(run.Stdout, "no differences: 5 objects unchanged") {
			t.Errorf("after the apply, want no differences and exit 0:\n%s", run)
		}
		if k := document(0); k.Differs() || k.Summary.Unchanged != 5 {
			t.Errorf("after the apply: %s", actions(k))
		}
	})

	t.Run("an immutable field fails, recreated with spec.force", func(t *testing.T) {
		frozen := func(v string) string {
			return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: frozen\n  namespace: default\nimmutable: true\ndata:\n  key: " + v + "\n"
		}
		c4, err := repo.Commit(ctx, "add an immutable ConfigMap", map[string]string{"apps/frozen.yaml": frozen("v1")})
		if err != nil {
			t.Fatal(err)
		}
		sourceAt(ctx, t, bed, git, clone, c4)
		if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "apps", c4); err != nil {
			t.Fatal(err)
		}
		old, err := bed.Dynamic.Resource(configMaps).Namespace("default").Get(ctx, "frozen", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		suspend(true)
		c5, err := repo.Commit(ctx, "change it", map[string]string{"apps/frozen.yaml": frozen("v2")})
		if err != nil {
			t.Fatal(err)
		}
		sourceAt(ctx, t, bed, git, clone, c5)
		run := gitopsDiff()
		if run.Code != 7 || !strings.Contains(run.Stdout, "failed    ConfigMap default/frozen") || !strings.Contains(run.Stdout, "field is immutable") ||
			!strings.Contains(run.Stdout, "set spec.force") || !strings.Contains(run.Stdout, "1 failing") {
			t.Errorf("want frozen failing on its immutable field, exit 7:\n%s", run)
		}
		if run := kubectl("patch", "kustomization", "apps", "-n", "flux-system", "--type", "merge", "-p", `{"spec":{"force":true}}`); run.Code != 0 {
			t.Fatal(run)
		}
		run = gitopsDiff()
		if run.Code != 7 || !strings.Contains(run.Stdout, "recreated ConfigMap default/frozen") || !strings.Contains(run.Stdout, "1 difference: 1 recreated; 5 unchanged") {
			t.Errorf("want frozen recreated under spec.force, exit 7:\n%s", run)
		}
		suspend(false)
		if err := bed.Reconcile(ctx, flux.KindKustomization, testbed.FluxNamespace, "apps"); err != nil {
			t.Fatal(err)
		}
		if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "apps", c5); err != nil {
			t.Fatal(err)
		}
		now, err := bed.Dynamic.Resource(configMaps).Namespace("default").Get(ctx, "frozen", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if v, _, _ := unstructured.NestedString(now.Object, "data", "key"); v != "v2" || now.GetUID() == old.GetUID() {
			t.Errorf("predicted recreated: key=%s, uid %s -> %s", v, old.GetUID(), now.GetUID())
		}
		if run := gitopsDiff(); run.Code != 0 {
			t.Errorf("after the apply, want no differences:\n%s", run)
		}
	})

	t.Run("what the controller leaves alone is skipped or unchanged", func(t *testing.T) {
		manual := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: manual\n  namespace: default\n  annotations:\n    kustomize.toolkit.fluxcd.io/ssa: IfNotPresent\ndata:\n  key: v1\n"
		off := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: off\n  namespace: default\n  labels:\n    kustomize.toolkit.fluxcd.io/reconcile: disabled\ndata:\n  key: v1\n"
		ignored := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ignored\n  namespace: default\ndata:\n  key: v1\n  tuned: v1\n"
		c6, err := repo.Commit(ctx, "objects the controller leaves alone", map[string]string{"apps/manual.yaml": manual, "apps/off.yaml": off, "apps/ignored.yaml": ignored})
		if err != nil {
			t.Fatal(err)
		}
		if run := kubectl("patch", "kustomization", "apps", "-n", "flux-system", "--type", "merge", "-p",
			`{"spec":{"ignore":[{"paths":["/data/tuned"],"target":{"kind":"ConfigMap","name":"ignored"}}]}}`); run.Code != 0 {
			t.Fatal(run)
		}
		sourceAt(ctx, t, bed, git, clone, c6)
		if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "apps", c6); err != nil {
			t.Fatal(err)
		}
		// reconcile: disabled in the manifest: Flux never created it; someone did by hand.
		if run := kubectl("create", "configmap", "off", "-n", "default", "--from-literal=key=by-hand"); run.Code != 0 {
			t.Fatal(run)
		}
		for name, patch := range map[string]string{"manual": `{"data":{"key":"by-hand"}}`, "ignored": `{"data":{"tuned":"by-hand"}}`} {
			if run := kubectl("patch", "configmap", name, "-n", "default", "--type", "merge", "-p", patch); run.Code != 0 {
				t.Fatal(run)
			}
		}
		run := gitopsDiff("--revision", "applied")
		// The field kubectl patch set under spec.ignore: the controller's cleanup takes
		// it over (a write), its value stays.
		for _, want := range []string{"skipped   ConfigMap default/manual", "kustomize.toolkit.fluxcd.io/ssa: IfNotPresent and the object exists",
			"skipped   ConfigMap default/off", "kustomize.toolkit.fluxcd.io/reconcile: disabled in the manifest",
			"changed   ConfigMap default/ignored", "takes over the fields of kubectl-patch (Update): it writes the object, its content stays",
			"1 difference: 1 changed; 6 unchanged, 2 skipped"} {
			if !strings.Contains(run.Stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, run)
			}
		}
		if run.Code != 7 || strings.Contains(run.Stdout, "by-hand") {
			t.Errorf("want only the takeover (the edits are left alone or ignored), exit 7:\n%s", run)
		}
		written := map[string]string{}
		for _, name := range []string{"manual", "ignored"} {
			u, err := bed.Dynamic.Resource(configMaps).Namespace("default").Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			written[name] = u.GetResourceVersion()
		}
		// Flux leaves the three edits as predicted.
		if err := bed.Reconcile(ctx, flux.KindKustomization, testbed.FluxNamespace, "apps"); err != nil {
			t.Fatal(err)
		}
		if _, err := bed.WaitFor(ctx, time.Minute, flux.KindKustomization, testbed.FluxNamespace, "apps", func(u *unstructured.Unstructured) bool {
			handled, _, _ := unstructured.NestedString(u.Object, "status", "lastHandledReconcileAt")
			return handled != "" && handled == u.GetAnnotations()["reconcile.fluxcd.io/requestedAt"]
		}); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"manual", "off", "ignored"} {
			if live, _ := liveYAML(name); !strings.Contains(live, "by-hand") {
				t.Errorf("%s: predicted left alone, Flux reverted it:\n%s", name, live)
			}
		}
		for name, wrote := range map[string]bool{"manual": false, "ignored": true} {
			u, err := bed.Dynamic.Resource(configMaps).Namespace("default").Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := u.GetResourceVersion() != written[name]; got != wrote {
				t.Errorf("%s: predicted written=%v, Flux wrote it: %v", name, wrote, got)
			}
		}
		if run := gitopsDiff("--revision", "applied"); run.Code != 0 {
			t.Errorf("after the takeover, want no difference:\n%s", run)
		}
	})
}

// actions lists the objects with their action, sorted: one string to compare.
func actions(k diff.Kustomization) string {
	var out []string
	for _, o := range k.Objects {
		out = append(out, o.String()+"="+string(o.Action))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// checkApplied holds the diff predicted for a changed object against the object Flux
// left: every line the diff adds is in it, every line it removes is not.
func checkApplied(t *testing.T, o diff.Object, live string) {
	t.Helper()
	lines := map[string]bool{}
	for _, l := range strings.Split(live, "\n") {
		lines[l] = true
	}
	added, removed := 0, 0
	for _, l := range strings.Split(o.Diff, "\n") {
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
		case strings.HasPrefix(l, "+"):
			added++
			if !lines[l[1:]] {
				t.Errorf("%s: the diff adds %q, the applied object lacks it:\n%s", o.String(), l[1:], live)
			}
		case strings.HasPrefix(l, "-"):
			removed++
			if lines[l[1:]] {
				t.Errorf("%s: the diff removes %q, the applied object still has it:\n%s", o.String(), l[1:], live)
			}
		}
	}
	if added == 0 || removed == 0 {
		t.Errorf("%s: the predicted diff changes no line:\n%s", o.String(), o.Diff)
	}
}

// noValues fails if any value of a Secret (the one in Git, the substituteFrom one),
// in clear or base64, shows in the output.
func noValues(t *testing.T, run testbed.Run) {
	t.Helper()
	for _, v := range []string{passwordOne, passwordTwo, greeting} {
		for _, s := range []string{v, base64.StdEncoding.EncodeToString([]byte(v))} {
			if strings.Contains(run.Stdout, s) || strings.Contains(run.Stderr, s) {
				t.Errorf("a secret value (%q) is printed:\n%s", v, run)
			}
		}
	}
}
