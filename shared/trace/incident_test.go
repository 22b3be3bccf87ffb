package trace

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
)

// The demo fleet in an incident, in memory: infrastructure fails, so apps is blocked
// (DependencyNotReady) at shaGood while its source moved on to shaBad; HelmRelease
// shop/web, which apps applied, upgraded meanwhile to the chart built from shaBad; and
// ConfigMap shop/stray carries apps' labels without being in its inventory.

func condition(status, reason, message string) map[string]any {
	return map[string]any{"conditions": []any{map[string]any{
		"type": "Ready", "status": status, "reason": reason, "message": message, "lastTransitionTime": "2026-11-26T11:58:00Z",
	}}}
}

func withStatus(u *unstructured.Unstructured, fields map[string]any, cond map[string]any) *unstructured.Unstructured {
	st := map[string]any{}
	for k, v := range fields {
		st[k] = v
	}
	for k, v := range cond {
		st[k] = v
	}
	u.Object["status"] = st
	return u
}

const blockedMessage = "dependency 'flux-system/infrastructure' is not ready"

func incidentObjects() []runtime.Object {
	root := labelled(kustomization("flux-system", "./clusters/demo",
		"flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization", "flux-system_infrastructure_kustomize.toolkit.fluxcd.io_Kustomization",
		"flux-system_flux-system_kustomize.toolkit.fluxcd.io_Kustomization"), "flux-system", "flux-system")
	apps := labelled(kustomization("apps", "./apps", "shop_web_helm.toolkit.fluxcd.io_HelmRelease", "shop_api_apps_Deployment"), "flux-system", "flux-system")
	apps.Object["spec"].(map[string]any)["prune"] = true
	st := apps.Object["status"].(map[string]any)
	st["lastAttemptedRevision"] = "main@sha1:" + shaGood
	for k, v := range condition("False", "DependencyNotReady", blockedMessage) {
		st[k] = v
	}
	src := gitRepository()
	src.Object["status"].(map[string]any)["artifact"] = map[string]any{"revision": "main@sha1:" + shaBad}
	web := labelled(obj("helm.toolkit.fluxcd.io/v2", "HelmRelease", "shop", "web", map[string]any{
		"spec": map[string]any{"chart": map[string]any{"spec": map[string]any{"chart": "./charts/web", "reconcileStrategy": "Revision",
			"sourceRef": map[string]any{"kind": "GitRepository", "name": "flux-system", "namespace": "flux-system"}}}},
	}), "flux-system", "apps")
	withStatus(web, map[string]any{
		"helmChart":             "flux-system/shop-web",
		"lastAttemptedRevision": "0.1.0+" + shaBad[:12],
		"history": []any{
			map[string]any{"name": "web", "namespace": "shop", "version": int64(2), "status": "deployed", "chartName": "web", "chartVersion": "0.1.0+" + shaBad[:12], "digest": "d2", "configDigest": "c"},
			map[string]any{"name": "web", "namespace": "shop", "version": int64(1), "status": "superseded", "chartName": "web", "chartVersion": "0.1.0+" + shaGood[:12], "digest": "d1", "configDigest": "c"},
		},
	}, condition("True", "UpgradeSucceeded", "Helm upgrade succeeded for release shop/web.v2 with chart web@0.1.0+"+shaBad[:12]))
	chart := withStatus(obj("source.toolkit.fluxcd.io/v1", "HelmChart", "flux-system", "shop-web", map[string]any{
		"spec": map[string]any{"chart": "./charts/web", "sourceRef": map[string]any{"kind": "GitRepository", "name": "flux-system"}},
	}), map[string]any{
		"artifact":                       map[string]any{"revision": "0.1.0+" + shaBad[:12]},
		"observedSourceArtifactRevision": "main@sha1:" + shaBad,
	}, condition("True", "ChartPullSucceeded", "pulled 'web' chart with version '0.1.0+"+shaBad[:12]+"'"))
	webConfig := obj("v1", "ConfigMap", "shop", "web-config", nil)
	webConfig.SetLabels(map[string]string{"helm.toolkit.fluxcd.io/name": "web", "helm.toolkit.fluxcd.io/namespace": "shop"})
	stray := labelled(obj("v1", "ConfigMap", "shop", "stray", nil), "flux-system", "apps")
	return []runtime.Object{root, apps, src, web, chart, webConfig, stray}
}

func traceIncident(t *testing.T, kind, namespace, name string) *Report {
	t.Helper()
	objs := incidentObjects()
	tr := newTestTracer(objs...)
	for _, o := range objs {
		u := o.(*unstructured.Unstructured)
		if u.GetKind() == kind && u.GetNamespace() == namespace && u.GetName() == name {
			return tr.Trace(context.Background(), u)
		}
	}
	t.Fatalf("no %s %s/%s", kind, namespace, name)
	return nil
}

func TestTraceFluxObjectOwnState(t *testing.T) {
	r := traceIncident(t, "Kustomization", "flux-system", "apps")
	if got, want := hopNames(r), "object:Kustomization/apps kustomization:Kustomization/flux-system(kustomize labels) source:GitRepository/flux-system(sourceRef)"; got != want {
		t.Errorf("hops = %s\nwant %s", got, want)
	}
	if h := r.Hops[0].Health; h == nil || h.Ready != "False" || h.Reason != "DependencyNotReady" || h.Message != blockedMessage || h.LastReconciled == nil {
		t.Errorf("object hop health = %+v, want its own Ready=False DependencyNotReady", h)
	}
	if h := r.Hops[0]; h.Path != "./apps" || h.LastAppliedRevision != "main@sha1:"+shaGood {
		t.Errorf("object hop = %+v, want its own path and applied revision", h)
	}
	c := r.Commit
	if c == nil || c.By.Name != "apps" || c.Status != CommitBlocked || c.BlockedBy != "flux-system/infrastructure" || c.SHA != shaGood || c.Source != "main@sha1:"+shaBad {
		t.Errorf("commit = %+v, want apps' own: Blocked by flux-system/infrastructure at %s", c, shaGood)
	}

	hr := traceIncident(t, "HelmRelease", "shop", "web")
	if got, want := hopNames(hr), "object:HelmRelease/web helmchart:HelmChart/shop-web(status.helmChart) chartsource:GitRepository/flux-system(sourceRef) kustomization:Kustomization/apps(kustomize labels) kustomization:Kustomization/flux-system(kustomize labels) source:GitRepository/flux-system(sourceRef)"; got != want {
		t.Errorf("hops = %s\nwant %s", got, want)
	}
	if h := hr.Hops[0]; h.Health == nil || h.Health.Ready != "True" || h.Chart != "web" || h.ChartVersion != "0.1.0+"+shaBad[:12] {
		t.Errorf("HelmRelease object hop = %+v, want its own health and chart", h)
	}
	if c := hr.Commit; c == nil || c.By.Kind != "HelmRelease" || c.Status != CommitCurrent || c.SHA != shaBad {
		t.Errorf("commit = %+v, want the HelmRelease's chart, built from %s", c, shaBad)
	}

	root := traceIncident(t, "Kustomization", "flux-system", "flux-system")
	if root.Result != ResultTraced || hopNames(root) != "object:Kustomization/flux-system source:GitRepository/flux-system(sourceRef)" {
		t.Errorf("bootstrap root: %s %s: %s", root.Result, root.Error, hopNames(root))
	}
	if notes := strings.Join(root.Hops[0].Notes, "\n"); notes != "applies itself (bootstrap root)" {
		t.Errorf("root notes = %q", notes)
	}
}

func TestTraceHelmRenderedCommitIsTheChart(t *testing.T) {
	r := traceIncident(t, "ConfigMap", "shop", "web-config")
	c := r.Commit
	if c == nil {
		t.Fatalf("no commit: %+v", r)
	}
	// apps (the Kustomization that applied the HelmRelease) is blocked at shaGood; the
	// ConfigMap came from the chart built from shaBad.
	if c.By.Kind != "HelmRelease" || c.By.Name != "web" || c.Chart != "web" || c.ChartVersion != "0.1.0+"+shaBad[:12] ||
		c.SHA != shaBad || c.Applied != "main@sha1:"+shaBad || c.Status != CommitCurrent {
		t.Errorf("commit = %+v, want HelmRelease shop/web's chart web 0.1.0+%s from %s", c, shaBad[:12], shaBad)
	}
}

func TestTraceNotInInventoryClaimsNoApply(t *testing.T) {
	r := traceIncident(t, "ConfigMap", "shop", "stray")
	c := r.Commit
	if c == nil || c.Status != CommitNotInInventory || c.Applied != "" || c.SHA != "" {
		t.Fatalf("commit = %+v, want NotInInventory without an applied revision", c)
	}
	for _, want := range []string{"Flux does not manage it any more", "will not delete it", "add it back under ./apps", "kubectl delete configmap/stray -n shop"} {
		if !strings.Contains(c.Reason, want) {
			t.Errorf("reason %q lacks %q", c.Reason, want)
		}
	}
}

// TestIncidentGolden renders the three traces as an on-call engineer reads them.
func TestIncidentGolden(t *testing.T) {
	reports := []*Report{
		traceIncident(t, "Kustomization", "flux-system", "apps"),
		traceIncident(t, "ConfigMap", "shop", "web-config"),
		traceIncident(t, "ConfigMap", "shop", "stray"),
	}
	var buf bytes.Buffer
	if err := writeText(&buf, reports, false, goldenNow); err != nil {
		t.Fatal(err)
	}
	outputtest.Golden(t, filepath.Join("testdata", "incident.golden"), buf.Bytes(), *update)
	out := buf.String()
	stray := out[strings.Index(out, "ConfigMap shop/stray"):]
	if strings.Contains(stray, "Applied:") || strings.Contains(stray, "Current") {
		t.Errorf("the stray object's summary claims an apply or a current status:\n%s", stray)
	}
}

func helmStorageSecret(namespace, release, version string) *unstructured.Unstructured {
	u := obj("v1", "Secret", namespace, "sh.helm.release.v1."+release+".v"+version, map[string]any{
		"type": "helm.sh/release.v1", "data": map[string]any{"release": "czNjcjN0LW1hcmtlcg=="},
	})
	u.SetLabels(map[string]string{"owner": "helm", "name": release, "version": version, "status": "deployed"})
	return u
}

func TestTraceHelmStorageSecret(t *testing.T) {
	objs := incidentObjects()
	// A second HelmRelease whose release name and storage namespace are defaulted:
	// targetNamespace edge makes the release edge-web, kept in the HelmRelease's own
	// namespace fleet unless spec.storageNamespace says otherwise.
	edge := labelled(obj("helm.toolkit.fluxcd.io/v2", "HelmRelease", "fleet", "web", map[string]any{
		"spec": map[string]any{"targetNamespace": "edge", "chart": map[string]any{"spec": map[string]any{"chart": "./charts/web",
			"sourceRef": map[string]any{"kind": "GitRepository", "name": "flux-system", "namespace": "flux-system"}}}},
	}), "flux-system", "apps")
	objs = append(objs, edge)
	tr := newTestTracer(objs...)
	for _, tt := range []struct {
		secret *unstructured.Unstructured
		result Result
		hr     string
	}{
		{helmStorageSecret("shop", "web", "2"), ResultTraced, "shop/web"},
		{helmStorageSecret("fleet", "edge-web", "1"), ResultTraced, "fleet/web"},
		{helmStorageSecret("edge", "edge-web", "1"), ResultNotManaged, ""},
		{helmStorageSecret("shop", "manual", "1"), ResultNotManaged, ""},
	} {
		t.Run(tt.secret.GetNamespace()+"/"+tt.secret.GetName(), func(t *testing.T) {
			r := tr.Trace(context.Background(), tt.secret)
			if r.Result != tt.result {
				t.Fatalf("result %s (%s), want %s", r.Result, r.Error, tt.result)
			}
			doc, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(doc), "czNjcjN0") || strings.Contains(string(doc), "s3cr3t-marker") {
				t.Errorf("the Secret's data is in the report: %s", doc)
			}
			if tt.hr == "" {
				return
			}
			if len(r.Hops) < 2 || r.Hops[1].Role != RoleHelmRelease || name(r.Hops[1].Ref) != tt.hr || r.Hops[1].Via != "helm storage" {
				t.Fatalf("hops = %s, want HelmRelease %s via helm storage", hopNames(r), tt.hr)
			}
			if last := r.Hops[len(r.Hops)-1]; last.Role != RoleSource {
				t.Errorf("hops = %s, want the walk on to the Kustomization and its source", hopNames(r))
			}
		})
	}
}

func TestTraceBlockedByCycle(t *testing.T) {
	root := labelled(kustomization("flux-system", "./clusters/demo"), "flux-system", "flux-system")
	blocked := func(name, dep string, inventory ...string) *unstructured.Unstructured {
		k := labelled(kustomization(name, "./"+name, inventory...), "flux-system", "flux-system")
		k.Object["spec"].(map[string]any)["dependsOn"] = []any{map[string]any{"name": dep}}
		for key, v := range condition("False", "DependencyNotReady", "dependency 'flux-system/"+dep+"' is not ready") {
			k.Object["status"].(map[string]any)[key] = v
		}
		return k
	}
	src := gitRepository()
	src.Object["status"].(map[string]any)["artifact"] = map[string]any{"revision": "main@sha1:" + shaBad}
	cmA := labelled(obj("v1", "ConfigMap", "default", "in-a", nil), "flux-system", "a")
	cmC := labelled(obj("v1", "ConfigMap", "default", "in-c", nil), "flux-system", "c")
	tr := newTestTracer(root, src, cmA, cmC,
		blocked("a", "b", "default_in-a__ConfigMap"), blocked("b", "a"), blocked("c", "a", "default_in-c__ConfigMap"))

	r := tr.Trace(context.Background(), cmA)
	c := r.Commit
	if c == nil || c.Status != CommitBlocked || (c.Cycle != "flux-system/a -> flux-system/b -> flux-system/a" && c.Cycle != "flux-system/b -> flux-system/a -> flux-system/b") ||
		!strings.Contains(c.NextStep, "kubectl gitops deps a -n flux-system") || !strings.Contains(c.NextStep, "remove") {
		t.Fatalf("commit = %+v, want the cycle a -> b -> a named and deps pointed at", c)
	}
	var buf bytes.Buffer
	if err := writeText(&buf, []*Report{r}, false, goldenNow); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Cycle:      " + c.Cycle, "Next step:  ", "kubectl gitops deps a -n flux-system"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("human view lacks %q:\n%s", want, buf.String())
		}
	}

	victim := tr.Trace(context.Background(), cmC).Commit
	if victim == nil || victim.Cycle != c.Cycle || !strings.Contains(victim.Reason, "waits on the dependency cycle") {
		t.Errorf("commit of a victim = %+v, want the cycle it waits on", victim)
	}
}

// emptyAPIVersions returns the JSON paths of every empty apiVersion in v.
func emptyAPIVersions(path string, v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "apiVersion" && s == "" {
				out = append(out, path+"."+k)
			}
			out = append(out, emptyAPIVersions(path+"."+k, x)...)
		}
	case []any:
		for i, x := range v {
			out = append(out, emptyAPIVersions(fmt.Sprintf("%s[%d]", path, i), x)...)
		}
	}
	return out
}

func TestDocumentsHaveOneShape(t *testing.T) {
	for _, r := range []*Report{
		traceIncident(t, "Kustomization", "flux-system", "apps"),
		traceIncident(t, "HelmRelease", "shop", "web"),
		traceIncident(t, "ConfigMap", "shop", "web-config"),
	} {
		doc, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(doc, &v); err != nil {
			t.Fatal(err)
		}
		if empty := emptyAPIVersions("", v); len(empty) > 0 {
			t.Errorf("%s: empty apiVersion at %v", r.Object, empty)
		}
	}
	missing := NotFoundReport(output.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "nope"}, flux.NotFound("Deployment", "shop", "nope"))
	doc, err := json.Marshal(missing)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), `"hops":[]`) {
		t.Errorf("NotFound document = %s, want hops: []", doc)
	}
}

// A chart from a Helm repository carries no commit: the summary names the chart and
// claims no commit.
func TestHelmRepositoryChartClaimsNoCommit(t *testing.T) {
	r := &Report{Result: ResultTraced, Object: output.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "podinfo"},
		Hops:   []Hop{{Role: RoleObject, Ref: output.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "podinfo"}}},
		Commit: &Commit{By: output.ObjectRef{Kind: "HelmRelease", Namespace: "shop", Name: "podinfo"}, Chart: "podinfo", ChartVersion: "6.5.0", Source: "6.5.0", Status: CommitCurrent}}
	var buf bytes.Buffer
	if err := writeText(&buf, []*Report{r}, false, goldenNow); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); strings.Contains(out, "Commit:") || strings.Contains(out, "Applied:") || !strings.Contains(out, "Chart:      podinfo 6.5.0 installed by HelmRelease shop/podinfo") {
		t.Errorf("summary:\n%s", out)
	}
}

// A failing Kustomization never moves observedGeneration, and Flux's messages may end
// in a newline: neither garbles its State line.
func TestStateLineOfFailingObject(t *testing.T) {
	ref := output.ObjectRef{APIVersion: "kustomize.toolkit.fluxcd.io/v1", Kind: "Kustomization", Namespace: "fleet", Name: "unreachable"}
	r := &Report{Result: ResultTraced, Object: ref, Hops: []Hop{{Role: RoleObject, Ref: ref,
		Health: &Health{Ready: "False", Reason: "ReconciliationFailed", Message: "dial tcp 127.0.0.1:1: connect: connection refused\n", Stale: true}}}}
	var buf bytes.Buffer
	if err := writeText(&buf, []*Report{r}, false, goldenNow); err != nil {
		t.Fatal(err)
	}
	if want := "State:      not ready: ReconciliationFailed: dial tcp 127.0.0.1:1: connect: connection refused\n"; !strings.Contains(buf.String(), want) {
		t.Errorf("human view lacks %q:\n%s", want, buf.String())
	}
}

// A failed upgrade is what was attempted; the chart installed is the newest release
// Helm deployed.
func TestHelmCommitAfterFailedUpgrade(t *testing.T) {
	const shaNew = "3333333333333333333333333333333333333333"
	hr := &helmv2.HelmRelease{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"}}
	hr.Status.LastAttemptedRevision = "0.1.0+" + shaNew[:12]
	hr.Status.Conditions = []metav1.Condition{{Type: "Ready", Status: "False", Reason: "UpgradeFailed", Message: "Helm upgrade failed"}}
	hr.Status.History = helmv2.Snapshots{
		{Name: "web", Namespace: "shop", Version: 2, Status: "deployed", ChartName: "web", ChartVersion: "0.1.0+" + shaBad[:12]},
		{Name: "web", Namespace: "shop", Version: 3, Status: "failed", ChartName: "web", ChartVersion: "0.1.0+" + shaNew[:12]},
	}
	chart := Hop{Role: RoleHelmChart, ChartVersion: "0.1.0+" + shaNew[:12], Revision: "main@sha1:" + shaNew}
	c := helmCommit(hr, []Hop{{Role: RoleHelmRelease}, chart})
	if c.ChartVersion != "0.1.0+"+shaBad[:12] || c.SHA != shaBad[:12] || c.Attempted != "0.1.0+"+shaNew[:12] || c.Status != CommitFailed {
		t.Errorf("commit = %+v, want the deployed chart %s, attempted %s, Failed", c, shaBad[:12], shaNew[:12])
	}
}
