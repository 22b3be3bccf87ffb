package main_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/remote"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"
)

// traceDoc runs trace -o json through the real kubectl and decodes its one report.
func traceDoc(t *testing.T, ctx context.Context, bed *testbed.Bed, kubeconfig string, wantCode int, args ...string) *trace.Report {
	t.Helper()
	run, err := testbed.Kubectl(ctx, bed.Assets, kubeconfig, append(append([]string{"gitops", "trace"}, args...), "-o", "json")...)
	if err != nil {
		t.Fatal(err)
	}
	if run.Code != wantCode {
		t.Fatalf("trace %v: exit %d, want %d\n%s", args, run.Code, wantCode, run)
	}
	var r *trace.Report
	if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindTrace, func() any { return &trace.Report{} }, func(d any) { r = d.(*trace.Report) }); err != nil {
		t.Fatalf("%v\n%s", err, run)
	}
	return r
}

// chain renders a report's hops as "cluster:Role:Kind:namespace/name" for comparison.
func chain(r *trace.Report) string {
	var parts []string
	for _, h := range r.Hops {
		parts = append(parts, h.Cluster+":"+h.Role+":"+h.Ref.Kind+":"+h.Ref.Namespace+"/"+h.Ref.Name)
	}
	return strings.Join(parts, " ")
}

// TestTraceAcrossClusters runs on two control planes: Flux in the management cluster
// applies fleet/workload-apps into workload-1 through a kubeConfig Secret, and
// kube-controller-manager in workload-1 turns its Deployment into a ReplicaSet and a
// Pod. The object is traced from the workload side (named Flux context, then discovery
// over a kubeconfig with an unreachable context), from the management side (what the
// Kustomization applied there, then with one object deleted by hand), with a
// Kustomization that cannot reach its cluster, and as a user RBAC keeps from reading
// Kustomizations in the management cluster.
func TestTraceAcrossClusters(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true, ControllerManager: true})
	fleet, err := bed.StartDemoFleetWith(ctx, testbed.DemoOptions{Workload: true})
	must(t, err)
	wl := fleet.Workload
	pod, rs, err := testbed.WaitOwned(ctx, wl.Dynamic, "edge", "gateway")
	must(t, err)
	// Three contexts, one of which answers nothing (a closed port).
	discover, err := bed.FleetKubeconfig("kubeconfig-discover", wl.Name, map[string]string{"offline": "https://127.0.0.1:1"})
	must(t, err)
	wlServer := strings.TrimSuffix(wl.Config.Host, "/")
	wantChain := func(first string) string {
		return first + " management:Kustomization:Kustomization:fleet/workload-apps management:Kustomization:Kustomization:flux-system/flux-system management:Source:GitRepository:flux-system/flux-system"
	}

	t.Run("workload side with --flux-context", func(t *testing.T) {
		r := traceDoc(t, ctx, bed, fleet.Kubeconfig, 0, "deploy/gateway", "-n", "edge", "--context", wl.Name, "--flux-context", testbed.ManagementContext)
		if got, want := chain(r), wantChain("workload-1:Object:Deployment:edge/gateway"); got != want {
			t.Errorf("chain\n got %s\nwant %s", got, want)
		}
		ks := r.Hops[1]
		if ks.Inventory != trace.InventoryListed || ks.Target == nil || ks.Target.Secret != "fleet/workload-1-kubeconfig" || !remote.SameServer(ks.Target.Server, wlServer) {
			t.Errorf("Kustomization hop not confirmed through inventory and kubeConfig: %+v target %+v", ks, ks.Target)
		}
		if r.Commit == nil || r.Commit.SHA != fleet.Commit || r.Commit.Status != trace.CommitCurrent {
			t.Errorf("commit %+v, want %s Current", r.Commit, fleet.Commit)
		}
	})

	t.Run("a chart the management cluster installed into the workload cluster", func(t *testing.T) {
		r := traceDoc(t, ctx, bed, fleet.Kubeconfig, 0, "cm/edge-web-config", "-n", "edge", "--context", wl.Name, "--flux-context", testbed.ManagementContext)
		want := "workload-1:Object:ConfigMap:edge/edge-web-config management:HelmRelease:HelmRelease:fleet/edge-web management:HelmChart:HelmChart:flux-system/fleet-edge-web " +
			"management:ChartSource:GitRepository:flux-system/flux-system management:Kustomization:Kustomization:flux-system/flux-system management:Source:GitRepository:flux-system/flux-system"
		if got := chain(r); got != want {
			t.Errorf("chain\n got %s\nwant %s", got, want)
		}
		if h := r.Hops[1]; h.Target == nil || h.Target.Secret != "fleet/workload-1-kubeconfig" || !remote.SameServer(h.Target.Server, wlServer) {
			t.Errorf("HelmRelease hop not confirmed through its kubeConfig: %+v", h.Target)
		}
	})

	t.Run("Helm's storage Secret in the workload cluster leads to the HelmRelease in management", func(t *testing.T) {
		// helm-controller keeps the release's storage in the cluster it installs into;
		// nothing on the Secret names the HelmRelease.
		r := traceDoc(t, ctx, bed, fleet.Kubeconfig, 0, "secret/sh.helm.release.v1.edge-web.v1", "-n", "edge", "--context", wl.Name)
		want := "workload-1:Object:Secret:edge/sh.helm.release.v1.edge-web.v1 management:HelmRelease:HelmRelease:fleet/edge-web management:HelmChart:HelmChart:flux-system/fleet-edge-web " +
			"management:ChartSource:GitRepository:flux-system/flux-system management:Kustomization:Kustomization:flux-system/flux-system management:Source:GitRepository:flux-system/flux-system"
		if got := chain(r); got != want {
			t.Errorf("chain\n got %s\nwant %s", got, want)
		}
		if h := r.Hops[1]; h.Via != "helm storage, in another cluster" || h.Target == nil || !remote.SameServer(h.Target.Server, wlServer) {
			t.Errorf("HelmRelease hop via %q target %+v, want helm storage confirmed through its kubeConfig", h.Via, h.Target)
		}
	})

	t.Run("workload side by discovery, one context unreachable", func(t *testing.T) {
		start := time.Now()
		// A generous --context-timeout: a loaded CI machine may take more than the
		// default 3s to answer; the closed port fails at once anyway.
		r := traceDoc(t, ctx, bed, discover, 0, "pod/"+pod, "-n", "edge", "--context-timeout", "30s")
		if got, want := chain(r), wantChain("workload-1:Object:Pod:edge/"+pod+" workload-1:Owner:ReplicaSet:edge/"+rs+" workload-1:Owner:Deployment:edge/gateway"); got != want {
			t.Errorf("chain\n got %s\nwant %s", got, want)
		}
		results := map[string]string{}
		for _, p := range r.Discovery {
			results[p.Context] = p.Result
		}
		if results["management"] != trace.ProbeFound || results["offline"] != trace.ProbeUnreachable || len(results) != 2 {
			t.Errorf("discovery %+v, want management Found and offline Unreachable", r.Discovery)
		}
		t.Logf("traced across clusters by discovery in %s", time.Since(start))
		run, err := testbed.Kubectl(ctx, bed.Assets, discover, "gitops", "trace", "pod/"+pod, "-n", "edge", "--context-timeout", "30s")
		must(t, err)
		for _, want := range []string{"CLUSTER", "workload-1", "management", "context offline: Unreachable", "context management: Found", "applies to workload-1"} {
			if !strings.Contains(run.Stdout, want) {
				t.Errorf("human output lacks %q:\n%s", want, run)
			}
		}
		t.Logf("human output:\n%s", run.Stdout)
	})

	t.Run("management side lists the remote objects", func(t *testing.T) {
		r := traceDoc(t, ctx, bed, fleet.Kubeconfig, 0, "kustomization/workload-apps", "-n", "fleet", "--remote-context", wl.Name)
		tg := r.Hops[0].Target
		if tg == nil || tg.Cluster != wl.Name || len(tg.Objects) != 3 || tg.Missing != 0 {
			t.Fatalf("target %+v, want 3 objects present in %s", tg, wl.Name)
		}
		for _, o := range tg.Objects {
			if !o.Present || o.Status == "" {
				t.Errorf("remote object %+v: want present with a status", o)
			}
		}
		// Without --remote-context, the context whose server the Secret names is used.
		r = traceDoc(t, ctx, bed, fleet.Kubeconfig, 0, "kustomization/workload-apps", "-n", "fleet")
		if tg := r.Hops[0].Target; tg == nil || tg.Cluster != wl.Name || len(tg.Objects) != 3 {
			t.Errorf("target without --remote-context %+v, want the objects read through context %s", tg, wl.Name)
		}
		// With the controller's own kubeconfig, read from its Secret (the admin may).
		r = traceDoc(t, ctx, bed, fleet.Kubeconfig, 0, "kustomization/workload-apps", "-n", "fleet", "--use-kubeconfig-secret")
		if tg := r.Hops[0].Target; tg == nil || tg.Cluster != "Secret fleet/workload-1-kubeconfig" || len(tg.Objects) != 3 || tg.Missing != 0 {
			t.Errorf("target with --use-kubeconfig-secret %+v, want the objects read through the Secret", tg)
		}
		// A remote object deleted by hand shows as missing.
		must(t, wl.Dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace("edge").Delete(ctx, "gateway-config", metav1.DeleteOptions{}))
		r = traceDoc(t, ctx, bed, fleet.Kubeconfig, 0, "kustomization/workload-apps", "-n", "fleet", "--remote-context", wl.Name)
		if tg := r.Hops[0].Target; tg == nil || tg.Missing != 1 {
			t.Errorf("after deleting edge/gateway-config: target %+v, want 1 missing", tg)
		}
		run, err := testbed.Kubectl(ctx, bed.Assets, fleet.Kubeconfig, "gitops", "trace", "kustomization/workload-apps", "-n", "fleet", "--remote-context", wl.Name)
		must(t, err)
		if !strings.Contains(run.Stdout, "MISSING") || !strings.Contains(run.Stdout, "gateway-config") || strings.Contains(run.Stdout, "BEGIN") {
			t.Errorf("human view does not show the missing object (or shows the Secret's content):\n%s", run)
		}
		t.Logf("human output:\n%s", run.Stdout)
	})

	t.Run("a Kustomization that cannot reach its cluster blocks the workload behind it", func(t *testing.T) {
		// The Secret comes from outside Git (cluster-api writes it), the Kustomizations
		// from the fleet: unreachable points at a closed port, edge-config (into
		// workload-1) depends on it.
		raw, err := clientcmd.LoadFromFile(wl.Kubeconfig)
		must(t, err)
		for _, c := range raw.Clusters {
			c.Server = "https://127.0.0.1:1"
		}
		data, err := clientcmd.Write(*raw)
		must(t, err)
		must(t, bed.Apply(ctx, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: dead-kubeconfig\n  namespace: fleet\nstringData:\n  value: |\n"+indent(string(data), "    ")))
		ks := func(name, path, secret string, deps ...string) string {
			return testbed.KustomizationYAML(testbed.Kustomization{Namespace: "fleet", Name: name, Path: path, Source: "flux-system",
				SourceNamespace: testbed.FluxNamespace, KubeConfigSecret: secret, DependsOn: deps})
		}
		sha, err := fleet.Repo.Commit(ctx, "Feed edge-config to workload-1 after a cluster that is gone", map[string]string{
			"clusters/demo/unreachable.yaml":      ks("unreachable", "./workloads/workload-1/apps", "dead-kubeconfig"),
			"clusters/demo/edge-config.yaml":      ks("edge-config", "./workloads/workload-1/config", wl.Secret, "unreachable"),
			"workloads/workload-1/config/cm.yaml": testbed.ConfigMapYAML("edge", "edge-extra", "k", "v"),
		})
		must(t, err)
		must(t, bed.Reconcile(ctx, "GitRepository", testbed.FluxNamespace, "flux-system"))
		_, err = bed.WaitApplied(ctx, testbed.FluxNamespace, "flux-system", sha)
		must(t, err)
		_, err = bed.WaitFor(ctx, 2*time.Minute, "Kustomization", "fleet", "unreachable", func(u *unstructured.Unstructured) bool { return status.Of(u).Ready.IsFalse() })
		must(t, err)
		_, err = bed.WaitFor(ctx, 2*time.Minute, "Kustomization", "fleet", "edge-config", func(u *unstructured.Unstructured) bool { return status.Of(u).Ready.DependencyBlocked() })
		must(t, err)

		r := traceDoc(t, ctx, bed, fleet.Kubeconfig, 0, "kustomization/unreachable", "-n", "fleet")
		h := r.Hops[0]
		if h.Health == nil || h.Health.Ready != "False" || !strings.Contains(h.Health.Message, "127.0.0.1:1") || h.Target == nil || h.Target.Server != "https://127.0.0.1:1" {
			t.Errorf("unreachable target: health %+v target %+v", h.Health, h.Target)
		}
		run, err := testbed.Kubectl(ctx, bed.Assets, fleet.Kubeconfig, "gitops", "trace", "kustomization/unreachable", "-n", "fleet")
		must(t, err)
		// Traced itself, its own failure is its State line.
		if !strings.Contains(run.Stdout, "State:      not ready: ") || !strings.Contains(run.Stdout, "127.0.0.1:1") {
			t.Errorf("the failure is not shown as the Kustomization's own state:\n%s", run)
		}

		run, err = testbed.Kubectl(ctx, bed.Assets, fleet.Kubeconfig, "gitops", "deps", "-n", "fleet", "-o", "json")
		must(t, err)
		var doc struct {
			Nodes []struct {
				ID            string `json:"id"`
				TargetCluster string `json:"targetCluster"`
			} `json:"nodes"`
			RootCauses []struct {
				Node          string   `json:"node"`
				Victims       []string `json:"victims"`
				RemoteVictims []string `json:"remoteVictims"`
			} `json:"rootCauses"`
		}
		must(t, json.Unmarshal([]byte(run.Stdout), &doc))
		targets := map[string]string{}
		for _, n := range doc.Nodes {
			targets[n.ID] = n.TargetCluster
		}
		if targets["Kustomization/fleet/workload-apps"] != "Secret fleet/workload-1-kubeconfig" || targets["Kustomization/fleet/unreachable"] != "Secret fleet/dead-kubeconfig" {
			t.Errorf("deps targets %v", targets)
		}
		found := false
		for _, rc := range doc.RootCauses {
			if rc.Node == "Kustomization/fleet/unreachable" && strings.Join(rc.RemoteVictims, ",") == "Kustomization/fleet/edge-config -> Secret fleet/workload-1-kubeconfig" {
				found = true
			}
		}
		if !found {
			t.Errorf("deps does not show fleet/unreachable blocking the workload behind edge-config:\n%s", run.Stdout)
		}
		run, err = testbed.Kubectl(ctx, bed.Assets, fleet.Kubeconfig, "gitops", "deps", "-n", "fleet")
		must(t, err)
		if !strings.Contains(run.Stdout, "and what it applies to the remote cluster of Secret fleet/workload-1-kubeconfig") {
			t.Errorf("deps human view:\n%s", run)
		}
		t.Logf("deps:\n%s", run.Stdout)
	})

	t.Run("RBAC hides the Kustomization in the management cluster", func(t *testing.T) {
		viewer, err := bed.AddUser("edge-oncall")
		must(t, err)
		mixed, err := testbed.MergeKubeconfigs(filepath.Join(bed.Dir, "kubeconfig-oncall"), map[string]string{testbed.ManagementContext: viewer, wl.Name: wl.Kubeconfig}, wl.Name, nil)
		must(t, err)
		r := traceDoc(t, ctx, bed, mixed, 5, "deploy/gateway", "-n", "edge", "--flux-context", testbed.ManagementContext)
		if len(r.Hops) != 2 || !r.Hops[1].Forbidden || r.Hops[1].Cluster != testbed.ManagementContext || r.Hops[0].Cluster != wl.Name {
			t.Errorf("want a partial trace ending at a forbidden hop in management: %s %+v", chain(r), r.Hops)
		}
		r = traceDoc(t, ctx, bed, mixed, 5, "deploy/gateway", "-n", "edge", "--context-timeout", "30s")
		if len(r.Hops) != 2 || !r.Hops[1].Forbidden {
			t.Errorf("by discovery: want a partial trace ending at a forbidden hop: %s", chain(r))
		}
	})
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return prefix + strings.Join(lines, "\n"+prefix) + "\n"
}
