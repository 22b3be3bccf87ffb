package trace

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
)

// The walk across clusters on in-memory clusters: what the tracer decides when the
// object's cluster does not hold its Kustomization. The real thing (two control planes,
// kustomize-controller applying through a kubeConfig Secret) is the trace plugin's
// multicluster e2e test.

const workloadServer = "https://10.0.0.2:6443"

func kubeconfigSecret(namespace, name, server string) *unstructured.Unstructured {
	kc := "apiVersion: v1\nkind: Config\nclusters:\n- name: w\n  cluster:\n    server: " + server +
		"\nusers:\n- name: w\n  user:\n    token: sup3rs3cret\ncontexts:\n- name: w\n  context: {cluster: w, user: w}\ncurrent-context: w\n"
	return obj("v1", "Secret", namespace, name, map[string]any{"data": map[string]any{"value": base64.StdEncoding.EncodeToString([]byte(kc))}})
}

// remoteKustomization is fleet/workload-apps of the management cluster, applying
// Deployment edge/gateway through Secret fleet/w1 (or to its own cluster).
func remoteKustomization(secret string) *unstructured.Unstructured {
	u := kustomization("workload-apps", "./workloads/w1", "edge_gateway_apps_Deployment")
	u.SetNamespace("fleet")
	labelled(u, "flux-system", "flux-system")
	spec := u.Object["spec"].(map[string]any)
	spec["sourceRef"] = map[string]any{"kind": "GitRepository", "name": "flux-system", "namespace": "flux-system"}
	if secret != "" {
		spec["kubeConfig"] = map[string]any{"secretRef": map[string]any{"name": secret}}
	}
	return u
}

// fixedFinder answers every Find with one tracer.
type fixedFinder struct {
	t      *Tracer
	probes []Probe
	asked  int
}

func (f *fixedFinder) Find(context.Context, string, string, string) (*Tracer, *unstructured.Unstructured, []Probe) {
	f.asked++
	return f.t, nil, f.probes
}

func TestTraceAcrossClusters(t *testing.T) {
	root := labelled(kustomization("flux-system", "./clusters/management", "fleet_workload-apps_kustomize.toolkit.fluxcd.io_Kustomization"), "flux-system", "flux-system")
	gateway := labelled(obj("apps/v1", "Deployment", "edge", "gateway", nil), "fleet", "workload-apps")
	tests := []struct {
		name      string
		mgmt      []runtime.Object
		workloadS string
		probes    []Probe
		result    Result
		clusters  string
		note      string
		inventory string
	}{
		{
			name: "confirmed by inventory and kubeConfig server", workloadS: workloadServer,
			mgmt:   []runtime.Object{remoteKustomization("w1"), kubeconfigSecret("fleet", "w1", workloadServer), root, gitRepository()},
			probes: []Probe{{Context: "mgmt", Result: ProbeFound}, {Context: "offline", Result: ProbeUnreachable}},
			result: ResultTraced, clusters: "w1 mgmt mgmt mgmt", note: "applies to w1 (" + workloadServer + ") through Secret fleet/w1", inventory: InventoryListed,
		},
		{
			name: "kubeConfig points at another server", workloadS: "https://10.9.9.9:6443",
			mgmt:   []runtime.Object{remoteKustomization("w1"), kubeconfigSecret("fleet", "w1", workloadServer), root, gitRepository()},
			result: ResultTraced, clusters: "w1 mgmt mgmt mgmt", note: "not to w1 (https://10.9.9.9:6443) where the object is", inventory: InventoryListed,
		},
		{
			name: "Secret unreadable: named, server not shown", workloadS: workloadServer,
			mgmt:   []runtime.Object{remoteKustomization("w1"), root, gitRepository()},
			result: ResultTraced, clusters: "w1 mgmt mgmt mgmt", note: "Secret fleet/w1 does not exist", inventory: InventoryListed,
		},
		{
			name: "same name, but it applies to its own cluster", workloadS: workloadServer,
			mgmt:   []runtime.Object{remoteKustomization(""), root, gitRepository()},
			result: ResultTraced, clusters: "w1 mgmt mgmt mgmt", note: "has no spec.kubeConfig", inventory: InventoryNotListed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestTracer(gateway)
			w.cluster, w.server = "w1", tt.workloadS
			m := newTestTracer(tt.mgmt...)
			m.cluster, m.server = "mgmt", "https://10.0.0.1:6443"
			f := &fixedFinder{t: m, probes: tt.probes}
			w.AcrossClusters(f, nil)
			r := w.Trace(context.Background(), gateway)
			if r.Result != tt.result {
				t.Fatalf("result %s (%s), want %s: %s", r.Result, r.Error, tt.result, hopNames(r))
			}
			var clusters []string
			for _, h := range r.Hops {
				clusters = append(clusters, h.Cluster)
			}
			if got := strings.Join(clusters, " "); got != tt.clusters {
				t.Errorf("clusters %q, want %q (%s)", got, tt.clusters, hopNames(r))
			}
			ks := r.Hops[1]
			if !strings.Contains(strings.Join(ks.Notes, "\n"), tt.note) || ks.Inventory != tt.inventory {
				t.Errorf("hop %s: inventory %s notes %q, want %s and a note with %q", ks.Ref, ks.Inventory, ks.Notes, tt.inventory, tt.note)
			}
			if ks.Target != nil && strings.Contains(ks.Target.Server+ks.Target.ServerNote, "sup3rs3cret") {
				t.Errorf("the Secret's token leaked: %+v", ks.Target)
			}
			if r.Commit == nil || r.Commit.By.Name != "workload-apps" {
				t.Errorf("commit %+v, want the one fleet/workload-apps applied", r.Commit)
			}
			if len(r.Discovery) != len(tt.probes) {
				t.Errorf("discovery %+v, want %+v", r.Discovery, tt.probes)
			}
			// A second object under the same Kustomization does not ask again.
			w.Trace(context.Background(), gateway)
			if f.asked != 1 {
				t.Errorf("finder asked %d times for one Kustomization", f.asked)
			}
		})
	}
}

func TestTraceAcrossClustersNotFound(t *testing.T) {
	gateway := labelled(obj("apps/v1", "Deployment", "edge", "gateway", nil), "fleet", "workload-apps")
	tests := []struct {
		name   string
		probes []Probe
		result Result
	}{
		{"no cluster holds it", []Probe{{Context: "mgmt", Result: ProbeNotFound}}, ResultNotFound},
		{"RBAC hides it: a partial trace", []Probe{{Context: "mgmt", Result: ProbeForbidden, Error: "forbidden"}}, ResultForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestTracer(gateway)
			w.cluster = "w1"
			w.AcrossClusters(&fixedFinder{probes: tt.probes}, nil)
			r := w.Trace(context.Background(), gateway)
			if r.Result != tt.result || len(r.Hops) != 2 {
				t.Fatalf("result %s with %s, want %s and 2 hops", r.Result, hopNames(r), tt.result)
			}
			if tt.result == ResultForbidden && (r.Hops[1].Cluster != "mgmt" || !r.Hops[1].Forbidden) {
				t.Errorf("forbidden hop %+v, want in cluster mgmt", r.Hops[1])
			}
		})
	}
}

// probeClient is a fake cluster whose Kustomization GET answers with err (or the
// object when err is nil).
func probeClient(err error) dynamic.Interface {
	gvr, _ := flux.GVR(flux.KindKustomization)
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{gvr: "KustomizationList"}, remoteKustomization("w1"))
	if err != nil {
		dyn.PrependReactor("get", "*", func(k8stesting.Action) (bool, runtime.Object, error) { return true, nil, err })
	}
	return dyn
}

func TestContextFinder(t *testing.T) {
	gr := schema.GroupResource{Group: "kustomize.toolkit.fluxcd.io", Resource: "kustomizations"}
	candidates := []Candidate{
		{Name: "a-missing", Open: func() (*Cluster, error) {
			return &Cluster{Name: "a-missing", Dynamic: probeClient(apierrors.NewNotFound(gr, "workload-apps"))}, nil
		}},
		{Name: "b-forbidden", Open: func() (*Cluster, error) {
			return &Cluster{Name: "b-forbidden", Dynamic: probeClient(apierrors.NewForbidden(gr, "workload-apps", errors.New("no")))}, nil
		}},
		{Name: "c-broken-kubeconfig", Open: func() (*Cluster, error) { return nil, errors.New("no such user") }},
		{Name: "d-mgmt", Open: func() (*Cluster, error) {
			return &Cluster{Name: "d-mgmt", Server: "https://u:p@10.0.0.1", Dynamic: probeClient(nil)}, nil
		}},
		{Name: "e-also", Open: func() (*Cluster, error) { return &Cluster{Name: "e-also", Dynamic: probeClient(nil)}, nil }},
	}
	m, u, probes := ContextFinder{Candidates: candidates, Timeout: time.Second}.Find(context.Background(), flux.KindKustomization, "fleet", "workload-apps")
	if m == nil || m.cluster != "d-mgmt" || u == nil {
		t.Fatalf("found %v, want the first candidate holding it (d-mgmt)", m)
	}
	want := []string{"a-missing NotFound", "b-forbidden Forbidden", "c-broken-kubeconfig Error", "d-mgmt Found", "e-also Found"}
	for i, p := range probes {
		if got := p.Context + " " + p.Result; got != want[i] {
			t.Errorf("probe %d = %q, want %q", i, got, want[i])
		}
		if strings.Contains(p.Server, "u:p") {
			t.Errorf("probe server %q carries credentials", p.Server)
		}
	}
	if _, ok := m.cache[objKey{flux.KindKustomization, "fleet", "workload-apps"}]; !ok {
		t.Error("the Kustomization read by the probe is read again by the walk")
	}
}

// silentServer accepts connections and never answers: a cluster whose address
// blackholes, which only a timeout ends.
func silentServer(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	tb.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String()
}

func silentCandidates(tb testing.TB, n int) []Candidate {
	var cs []Candidate
	for i := 0; i < n; i++ {
		server := silentServer(tb)
		name := "ctx-" + string(rune('a'+i))
		cs = append(cs, Candidate{Name: name, Open: func() (*Cluster, error) {
			dyn, err := dynamic.NewForConfig(&rest.Config{Host: server})
			return &Cluster{Name: name, Server: server, Dynamic: dyn}, err
		}})
	}
	return cs
}

// TestContextFinderTimeout: contexts that never answer are reported Unreachable
// within one timeout, however many there are.
func TestContextFinderTimeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	start := time.Now()
	m, _, probes := ContextFinder{Candidates: silentCandidates(t, 10), Timeout: timeout}.Find(context.Background(), flux.KindKustomization, "fleet", "workload-apps")
	elapsed := time.Since(start)
	if m != nil || len(probes) != 10 {
		t.Fatalf("found %v with %d probes", m, len(probes))
	}
	for _, p := range probes {
		if p.Result != ProbeUnreachable {
			t.Errorf("probe %+v, want Unreachable", p)
		}
	}
	if elapsed > 10*timeout {
		t.Errorf("ten silent contexts took %s: they are not asked at once", elapsed)
	}
}

// BenchmarkContextDiscovery asks ten contexts that never answer: the search must
// cost one per-context timeout, not ten.
func BenchmarkContextDiscovery(b *testing.B) {
	const timeout = 500 * time.Millisecond
	cs := silentCandidates(b, 10)
	var worst time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		ContextFinder{Candidates: cs, Timeout: timeout}.Find(context.Background(), flux.KindKustomization, "fleet", "workload-apps")
		if d := time.Since(start); d > worst {
			worst = d
		}
	}
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms")
	b.ReportMetric(float64(timeout.Milliseconds()), "timeout-ms")
	if worst > 2*timeout {
		b.Errorf("ten contexts took %s, want within about one timeout (%s)", worst, timeout)
	}
}

func TestTargetOfKubeConfig(t *testing.T) {
	secretWith := func(key string) *unstructured.Unstructured {
		u := kubeconfigSecret("fleet", "w1", "https://user:pw@10.0.0.2:6443")
		data := u.Object["data"].(map[string]any)
		if key != "value" {
			data[key], data["value"] = data["value"], nil
			delete(data, "value")
		}
		return u
	}
	ksWith := func(kubeConfig map[string]any) *unstructured.Unstructured {
		u := remoteKustomization("")
		u.Object["spec"].(map[string]any)["kubeConfig"] = kubeConfig
		return u
	}
	tests := []struct {
		name   string
		ks     *unstructured.Unstructured
		objs   []runtime.Object
		server string
		note   string
	}{
		{"default key", ksWith(map[string]any{"secretRef": map[string]any{"name": "w1"}}), []runtime.Object{secretWith("value")}, "https://10.0.0.2:6443", ""},
		{"value.yaml fallback", ksWith(map[string]any{"secretRef": map[string]any{"name": "w1"}}), []runtime.Object{secretWith("value.yaml")}, "https://10.0.0.2:6443", ""},
		{"named key", ksWith(map[string]any{"secretRef": map[string]any{"name": "w1", "key": "kubeconfig"}}), []runtime.Object{secretWith("kubeconfig")}, "https://10.0.0.2:6443", ""},
		{"named key absent", ksWith(map[string]any{"secretRef": map[string]any{"name": "w1", "key": "other"}}), []runtime.Object{secretWith("value")}, "", "has no key other"},
		{"workload identity ConfigMap", ksWith(map[string]any{"configMapRef": map[string]any{"name": "w1"}}),
			[]runtime.Object{obj("v1", "ConfigMap", "fleet", "w1", map[string]any{"data": map[string]any{"provider": "generic", "address": "https://10.0.0.3"}})}, "https://10.0.0.3", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTestTracer(tt.objs...)
			key := objKey{flux.KindKustomization, "fleet", "workload-apps"}
			ks, err := tr.typedKustomization(key, tt.ks)
			if err != nil {
				t.Fatal(err)
			}
			tg := tr.target(context.Background(), ks.Namespace, ks.Spec.KubeConfig)
			if tg.Server != tt.server || !strings.Contains(tg.ServerNote, tt.note) {
				t.Errorf("target %+v, want server %q note %q", tg, tt.server, tt.note)
			}
		})
	}
}

// TestTraceHelmReleaseAcrossClusters: a chart installed into the workload cluster by a
// HelmRelease of the management cluster (spec.kubeConfig): its objects carry
// helm-controller's labels naming a HelmRelease their cluster does not hold.
func TestTraceHelmReleaseAcrossClusters(t *testing.T) {
	cm := obj("v1", "ConfigMap", "edge", "edge-web-config", nil)
	cm.SetLabels(map[string]string{flux.HelmNameLabel: "edge-web", flux.HelmNamespaceLabel: "fleet"})
	hr := obj("helm.toolkit.fluxcd.io/v2", "HelmRelease", "fleet", "edge-web", map[string]any{
		"spec": map[string]any{
			"kubeConfig": map[string]any{"secretRef": map[string]any{"name": "w1"}},
			"chart":      map[string]any{"spec": map[string]any{"chart": "./charts/web", "sourceRef": map[string]any{"kind": "GitRepository", "name": "flux-system", "namespace": "flux-system"}}},
		},
		"status": map[string]any{"helmChart": "flux-system/fleet-edge-web", "conditions": ready["conditions"]},
	})
	labelled(hr, "flux-system", "flux-system")
	chart := obj("source.toolkit.fluxcd.io/v1", "HelmChart", "flux-system", "fleet-edge-web", map[string]any{
		"spec": map[string]any{"chart": "./charts/web", "sourceRef": map[string]any{"kind": "GitRepository", "name": "flux-system"}},
	})
	root := labelled(kustomization("flux-system", "./clusters/management", "fleet_edge-web_helm.toolkit.fluxcd.io_HelmRelease"), "flux-system", "flux-system")
	w := newTestTracer(cm)
	w.cluster, w.server = "w1", workloadServer
	m := newTestTracer(hr, chart, root, gitRepository(), kubeconfigSecret("fleet", "w1", workloadServer))
	m.cluster = "mgmt"
	w.AcrossClusters(&fixedFinder{t: m, probes: []Probe{{Context: "mgmt", Result: ProbeFound}}}, nil)
	r := w.Trace(context.Background(), cm)
	if r.Result != ResultTraced {
		t.Fatalf("result %s (%s): %s", r.Result, r.Error, hopNames(r))
	}
	var got []string
	for _, h := range r.Hops {
		got = append(got, h.Cluster+":"+h.Ref.Kind)
	}
	want := "w1:ConfigMap mgmt:HelmRelease mgmt:HelmChart mgmt:GitRepository mgmt:Kustomization mgmt:GitRepository"
	if strings.Join(got, " ") != want {
		t.Errorf("chain %q, want %q", strings.Join(got, " "), want)
	}
	h := r.Hops[1]
	if h.Target == nil || h.Target.Server != workloadServer || !strings.Contains(h.Via, "in another cluster") || !strings.Contains(strings.Join(h.Notes, " "), "applies to w1") {
		t.Errorf("HelmRelease hop not confirmed: via %q target %+v notes %q", h.Via, h.Target, h.Notes)
	}
}

// Helm's storage Secret of a release a management cluster's helm-controller installed
// through spec.kubeConfig is in the workload cluster, which runs no HelmRelease: the
// HelmRelease is looked for in the other contexts by storage namespace and release.
func TestTraceHelmStorageAcrossClusters(t *testing.T) {
	root := labelled(kustomization("flux-system", "./clusters/management", "fleet_edge-web_helm.toolkit.fluxcd.io_HelmRelease"), "flux-system", "flux-system")
	edgeWeb := labelled(obj("helm.toolkit.fluxcd.io/v2", "HelmRelease", "fleet", "edge-web", map[string]any{
		"spec": map[string]any{"releaseName": "edge-web", "targetNamespace": "edge", "storageNamespace": "edge",
			"kubeConfig": map[string]any{"secretRef": map[string]any{"name": "w1"}},
			"chart":      map[string]any{"spec": map[string]any{"chart": "./charts/web", "sourceRef": map[string]any{"kind": "GitRepository", "name": "flux-system", "namespace": "flux-system"}}}},
	}), "flux-system", "flux-system")
	// A HelmRelease of the management cluster's own with the same storage: not it.
	local := obj("helm.toolkit.fluxcd.io/v2", "HelmRelease", "edge", "edge-web", map[string]any{"spec": map[string]any{}})
	m := newTestTracer(root, gitRepository(), edgeWeb, local, kubeconfigSecret("fleet", "w1", workloadServer))
	finder := ContextFinder{Candidates: []Candidate{{Name: "mgmt", Open: func() (*Cluster, error) {
		return &Cluster{Name: "mgmt", Server: "https://10.0.0.1:6443", Dynamic: m.dyn, Mapper: m.mapper}, nil
	}}}, Timeout: time.Second}
	w := newTestTracer()
	w.cluster, w.server = "w1", workloadServer
	w.AcrossClusters(finder, nil)

	r := w.Trace(context.Background(), helmStorageSecret("edge", "edge-web", "1"))
	if r.Result != ResultTraced {
		t.Fatalf("result %s (%s): %s", r.Result, r.Error, hopNames(r))
	}
	if len(r.Hops) < 2 || r.Hops[1].Ref.Namespace != "fleet" || r.Hops[1].Cluster != "mgmt" || r.Hops[1].Target == nil || r.Hops[1].Target.Secret != "fleet/w1" {
		t.Errorf("hops %s (HelmRelease hop %+v), want HelmRelease fleet/edge-web in mgmt, confirmed through its kubeConfig", hopNames(r), r.Hops[1])
	}
	if notes := strings.Join(r.Hops[1].Notes, "\n"); !strings.Contains(notes, "applies to w1 ("+workloadServer+")") {
		t.Errorf("notes %q, want the kubeConfig confirmed", notes)
	}
	if len(r.Discovery) != 1 || r.Discovery[0].Result != ProbeFound {
		t.Errorf("discovery %+v", r.Discovery)
	}
}
