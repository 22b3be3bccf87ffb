package main_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/follow"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestFollow runs 'kubectl gitops follow' through the real kubectl on the demo fleet
// (apps dependsOn infrastructure): a pushed commit is followed until every Kustomization
// and the HelmRelease applied it (exit 0, one line per change without a terminal); a
// --timeout shorter than Flux ends with exit 6; a commit that breaks infrastructure
// ends with exit 1 naming infrastructure as the root cause and apps as blocked by it.
func TestFollow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	bed, fleet := testbed.StartDemo(t, ctx)
	kubectl := func(args ...string) testbed.Run {
		t.Helper()
		r, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, append([]string{"gitops", "follow"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	deployment := testbed.DemoFleetFiles(fleet.Repo.URL)["apps/deployment.yaml"]
	release := func(version string) string {
		sha, err := fleet.Repo.Commit(ctx, "Release api "+version, map[string]string{
			"apps/deployment.yaml": strings.Replace(deployment, "api:1.0.0", "api:"+version, 1),
		})
		if err != nil {
			t.Fatal(err)
		}
		return sha
	}
	kustomizations := []string{"Kustomization flux-system/apps", "Kustomization flux-system/flux-system", "Kustomization flux-system/infrastructure"}

	t.Run("a pushed commit is followed until everything applied it", func(t *testing.T) {
		sha := release("1.2.0")
		run := kubectl(sha, "-n", "flux-system", "--timeout", "3m", "-o", "json")
		if run.Code != 0 {
			t.Fatalf("exit %d, want 0\n%s", run.Code, run)
		}
		var doc *follow.Document
		if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindFollow, func() any { return &follow.Document{} }, func(d any) { doc = d.(*follow.Document) }); err != nil {
			t.Fatalf("%v\n%s", err, run.Stdout)
		}
		if doc.Result != follow.VerdictApplied || len(doc.Sources) != 1 || doc.Sources[0].Commit != sha || doc.Sources[0].Phase != follow.PhaseFetched {
			t.Errorf("result %s, sources %+v; want Applied, flux-system fetched %s", doc.Result, doc.Sources, sha)
		}
		applied := map[string]bool{}
		for _, o := range doc.Objects {
			applied[o.ID().String()] = o.Phase == follow.PhaseApplied
			if o.Kind == "Kustomization" && !strings.HasSuffix(o.Applied, sha) {
				t.Errorf("%s applied %s, want %s", o.ID(), o.Applied, sha)
			}
		}
		for _, k := range append(kustomizations, "HelmRelease shop/web") {
			if !applied[k] {
				t.Errorf("%s not listed as applied: %+v", k, doc.Objects)
			}
		}
	})

	t.Run("the branch's new head, one line per change", func(t *testing.T) {
		sha := release("1.3.0")
		run := kubectl("main", "-n", "flux-system", "--timeout", "3m")
		t.Log(run)
		if run.Code != 0 {
			t.Fatalf("exit %d, want 0\n%s", run.Code, run)
		}
		for _, k := range kustomizations {
			if !strings.Contains(run.Stdout, k+" Applied: main@sha1:"+sha) {
				t.Errorf("no line saying %s applied %s:\n%s", k, sha, run.Stdout)
			}
		}
		if !strings.Contains(run.Stdout, "applied "+sha[:12]) || strings.Contains(run.Stdout, "\x1b[") {
			t.Errorf("want a summary line and no terminal escapes:\n%s", run.Stdout)
		}
		// The line saying apps applied comes within about one poll of Flux finishing.
		if lag := reportLag(t, ctx, bed, run.Stdout, "apps"); lag > 2*time.Second {
			t.Errorf("apps reported applied %s after Flux applied it, want at most 2s (one poll, and the lines' whole seconds)", lag)
		}
	})

	t.Run("a timeout shorter than Flux is exit 6", func(t *testing.T) {
		sha := release("1.4.0")
		run := kubectl(sha[:10], "-n", "flux-system", "--timeout", "1s")
		t.Log(run)
		if run.Code != 6 || !strings.Contains(run.Stderr, "error: timed out") || strings.Count(strings.TrimSpace(run.Stderr), "\n") != 0 {
			t.Fatalf("exit %d, want 6 with one error line\n%s", run.Code, run)
		}
		if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "apps", sha); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a commit that breaks infrastructure: exit 1, infrastructure the root cause, apps blocked", func(t *testing.T) {
		sha, err := fleet.Repo.Commit(ctx, "Break infrastructure", map[string]string{
			"infrastructure/broken.yaml": testbed.ConfigMapYAML("no-such-namespace", "broken", "k", "v"),
		})
		if err != nil {
			t.Fatal(err)
		}
		run := kubectl(sha, "-n", "flux-system", "--timeout", "3m", "-o", "yaml")
		t.Log(run)
		if run.Code != 1 {
			t.Fatalf("exit %d, want 1\n%s", run.Code, run)
		}
		for _, w := range []string{"error: root cause: Kustomization flux-system/infrastructure is failing", "blocked by it: Kustomization flux-system/apps"} {
			if !strings.Contains(run.Stderr, w) {
				t.Errorf("stderr does not say %q:\n%s", w, run.Stderr)
			}
		}
		var doc *follow.Document
		if err := outputtest.Decode(output.FormatYAML, []byte(run.Stdout), output.KindFollow, func() any { return &follow.Document{} }, func(d any) { doc = d.(*follow.Document) }); err != nil {
			t.Fatalf("%v\n%s", err, run.Stdout)
		}
		if doc.Result != follow.VerdictFailed || doc.RootCause == nil || doc.RootCause.Object != "Kustomization flux-system/infrastructure" {
			t.Fatalf("result %s, root cause %+v", doc.Result, doc.RootCause)
		}
		phases := map[string]follow.Phase{}
		for _, o := range doc.Objects {
			phases[o.ID().String()] = o.Phase
		}
		if phases["Kustomization flux-system/infrastructure"] != follow.PhaseFailed || phases["Kustomization flux-system/apps"] != follow.PhaseBlocked {
			t.Errorf("phases %v: want infrastructure Failed, apps Blocked", phases)
		}
	})
}

// syncBuffer is a buffer a command writes to while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestFollowInterrupted: Ctrl-C while Flux is still applying (a Kustomization waiting
// on a rollout that never ends: the bed has no kubelet) stops the follow within a
// second, exit 1, with what it saw printed: the lines so far on stdout, and on stderr
// one error line naming what had not applied yet.
func TestFollowInterrupted(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	bed, fleet := testbed.StartDemo(t, ctx)
	slow := `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: slow
  namespace: flux-system
spec:
  interval: 1m
  timeout: 5m
  wait: true
  prune: true
  path: ./slow
  sourceRef:
    kind: GitRepository
    name: flux-system
`
	deployment := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: slow
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels: {app: slow}
  template:
    metadata:
      labels: {app: slow}
    spec:
      containers:
        - name: slow
          image: registry.invalid/slow:1
`
	sha, err := fleet.Repo.Commit(ctx, "A rollout that never ends", map[string]string{"clusters/demo/slow.yaml": slow, "slow/deploy.yaml": deployment})
	if err != nil {
		t.Fatal(err)
	}
	bin, err := testbed.PluginBin()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bed.Assets.Bin("kubectl"), "gitops", "follow", sha, "-n", "flux-system", "--timeout", "4m")
	cmd.Env = []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + filepath.Dir(bed.Kubeconfig), "KUBECONFIG=" + bed.Kubeconfig, "NO_COLOR=1"}
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Busy: the follow printed that flux-system applied the commit, and Flux is in
	// slow's health check.
	busy := func() bool {
		if !strings.Contains(stdout.String(), "Kustomization flux-system/flux-system Applied: main@sha1:"+sha) {
			return false
		}
		u, err := bed.Get(ctx, flux.KindKustomization, testbed.FluxNamespace, "slow")
		if err != nil {
			return false
		}
		rev, _, _ := unstructured.NestedString(u.Object, "status", "lastAttemptedRevision")
		return strings.HasSuffix(rev, sha)
	}
	for !busy() {
		select {
		case err := <-done:
			t.Fatalf("ended before Flux was at work: %v\n%s%s", err, stdout.String(), stderr.String())
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			t.Fatalf("Flux never started on slow\n%s%s", stdout.String(), stderr.String())
		}
	}
	time.Sleep(time.Second)
	// kubectl execs the plugin in its own process: the signal reaches the plugin.
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err = <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("still running five seconds after SIGINT\n%s%s", stdout.String(), stderr.String())
	}
	took := time.Since(sent)
	t.Logf("stopped %s after SIGINT\n%s%s", took, stdout.String(), stderr.String())
	if took > time.Second {
		t.Errorf("stopped %s after SIGINT, want within a second", took)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("ended with %v, want exit 1", err)
	}
	if want := "error: interrupted while following the revision; not applied yet: "; !strings.HasPrefix(stderr.String(), want) || !strings.Contains(stderr.String(), "Kustomization flux-system/slow") ||
		strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
		t.Errorf("stderr: want one line starting %q and naming slow:\n%s", want, stderr.String())
	}
	if !strings.Contains(stdout.String(), "Kustomization flux-system/flux-system Applied: main@sha1:"+sha) {
		t.Errorf("stdout does not keep what it saw:\n%s", stdout.String())
	}
}

// TestFollowAcrossContexts follows the branch in every context of the demo's fleet
// kubeconfig at once: the management cluster, whose Flux applies it, and workload-1,
// which runs no Flux of its own: a note with --all-contexts, an error when named.
func TestFollowAcrossContexts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	fleet, err := bed.StartDemoFleetWith(ctx, testbed.DemoOptions{Workload: true})
	if err != nil {
		t.Fatal(err)
	}
	kubectl := func(args ...string) testbed.Run {
		t.Helper()
		r, err := testbed.Kubectl(ctx, bed.Assets, fleet.Kubeconfig, append([]string{"gitops", "follow"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Log(r)
		return r
	}
	deployment := testbed.DemoFleetFiles(fleet.Repo.URL)["apps/deployment.yaml"]
	sha, err := fleet.Repo.Commit(ctx, "Release api 2.0.0", map[string]string{"apps/deployment.yaml": strings.Replace(deployment, "api:1.0.0", "api:2.0.0", 1)})
	if err != nil {
		t.Fatal(err)
	}
	mgmt, workload := testbed.ManagementContext, testbed.DemoWorkload
	run := kubectl(sha, "--all-contexts", "-n", "flux-system", "--timeout", "3m")
	if run.Code != 0 {
		t.Fatalf("--all-contexts: exit %d, want 0", run.Code)
	}
	if !strings.Contains(run.Stdout, "["+mgmt+"] Kustomization flux-system/apps Applied: main@sha1:"+sha) || !strings.Contains(run.Stdout, "["+mgmt+"] applied "+sha[:12]) {
		t.Errorf("no line of %s saying apps applied %s", mgmt, sha)
	}
	if !strings.Contains(run.Stderr, "note: context "+workload+": ") || strings.Contains(run.Stdout, "["+workload+"]") {
		t.Errorf("want a note, and no line, for %s", workload)
	}
	run = kubectl(sha, "--contexts", mgmt+","+workload, "-n", "flux-system", "--timeout", "3m", "-o", "json")
	if run.Code == 0 || !strings.Contains(run.Stderr, "error: context "+workload+": ") {
		t.Errorf("a named context with nothing to follow: exit %d, want an error naming it", run.Code)
	}
	var doc *follow.Document
	if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindFollow, func() any { return &follow.Document{} }, func(d any) { doc = d.(*follow.Document) }); err != nil {
		t.Fatalf("%v\n%s", err, run.Stdout)
	}
	if doc.Context != mgmt || doc.Result != follow.VerdictApplied {
		t.Errorf("document of context %q result %s, want %s Applied", doc.Context, doc.Result, mgmt)
	}
}

// TestFollowThreeControlPlanes follows one commit through three control planes: the
// management cluster, whose Flux applies to workload-1 and workload-2 through
// spec.kubeConfig, where the commit applies in workload-1 and fails in workload-2 (its
// ConfigMap's namespace does not exist there), with a fourth context whose port is
// closed. The exit code is 1, the summary counts the clusters, names workload-2 with
// its root cause and the unreachable context, and the others are followed all the same.
func TestFollowThreeControlPlanes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	fleet, err := bed.StartDemoFleetWith(ctx, testbed.DemoOptions{Workload: true})
	if err != nil {
		t.Fatal(err)
	}
	const second = "workload-2"
	if _, err := bed.AddWorkload(ctx, second, testbed.DemoWorkloadNamespace); err != nil {
		t.Fatal(err)
	}
	// workload-2-apps first applies a ConfigMap to default, so that the followed
	// commit is the one that breaks it.
	files := func(namespace, value string) map[string]string {
		return map[string]string{
			"clusters/demo/" + second + ".yaml": testbed.KustomizationYAML(testbed.Kustomization{
				Namespace: testbed.DemoWorkloadNamespace, Name: second + "-apps", Path: "./workloads/" + second + "/apps",
				Source: "flux-system", SourceNamespace: testbed.FluxNamespace, KubeConfigSecret: second + "-kubeconfig",
			}),
			"workloads/" + second + "/apps/config.yaml":               testbed.ConfigMapYAML(namespace, "settings", "value", value),
			"workloads/" + testbed.DemoWorkload + "/apps/config.yaml": testbed.ConfigMapYAML("edge", "gateway-config", "upstream", value),
		}
	}
	sha, err := fleet.Repo.Commit(ctx, "Add workload-2", files("default", "one"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "flux-system", sha); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitApplied(ctx, testbed.DemoWorkloadNamespace, second+"-apps", sha); err != nil {
		t.Fatal(err)
	}
	if sha, err = fleet.Repo.Commit(ctx, "Settings two, workload-2's in a namespace it lacks", files("missing", "two")); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "https://" + l.Addr().String()
	_ = l.Close()
	kubeconfig, err := bed.FleetKubeconfig("kubeconfig-three", testbed.ManagementContext, map[string]string{"unreachable": closed})
	if err != nil {
		t.Fatal(err)
	}
	kubectl := func(args ...string) testbed.Run {
		t.Helper()
		r, err := testbed.Kubectl(ctx, bed.Assets, kubeconfig, append([]string{"gitops", "follow", sha, "--contexts", testbed.ManagementContext + ",unreachable", "-n", "flux-system", "--timeout", "3m"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Log(r)
		return r
	}
	run := kubectl()
	if run.Code != 1 {
		t.Fatalf("exit %d, want 1", run.Code)
	}
	lines := strings.Split(strings.TrimSpace(run.Stdout), "\n")
	summary := lines[len(lines)-1]
	for _, w := range []string{"applied in 2 of 4 clusters; not in ", second + " (failed: root cause: Kustomization fleet/" + second + "-apps failed: ", `"missing"`, "unreachable (unreachable: "} {
		if !strings.Contains(summary, w) {
			t.Errorf("summary %q does not say %q", summary, w)
		}
	}
	if strings.Contains(summary, testbed.DemoWorkload+" (") || strings.Contains(summary, testbed.ManagementContext+" (") {
		t.Errorf("summary %q names a cluster where the commit applied", summary)
	}
	for _, w := range []string{"error: context unreachable: ", "error: context " + testbed.ManagementContext + ": root cause: Kustomization fleet/" + second + "-apps"} {
		if !strings.Contains(run.Stderr, w) {
			t.Errorf("stderr does not say %q", w)
		}
	}
	if !strings.Contains(run.Stdout, "["+testbed.ManagementContext+"] Kustomization fleet/workload-apps (in "+testbed.DemoWorkload+") Applied: main@sha1:"+sha) {
		t.Errorf("no line saying workload-apps applied %s", sha)
	}

	// The documents: one per context, the management's covering its three clusters.
	run = kubectl("-o", "json")
	if run.Code != 1 {
		t.Fatalf("-o json: exit %d, want 1", run.Code)
	}
	docs := map[string]*follow.Document{}
	if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindFollow, func() any { return &follow.Document{} }, func(d any) {
		doc := d.(*follow.Document)
		docs[doc.Context] = doc
	}); err != nil {
		t.Fatalf("%v\n%s", err, run.Stdout)
	}
	if d := docs["unreachable"]; d == nil || d.Result != follow.VerdictUnreachable || d.Error == "" {
		t.Errorf("unreachable context's document: %+v", d)
	}
	mgmt := docs[testbed.ManagementContext]
	if mgmt == nil || mgmt.Result != follow.VerdictFailed {
		t.Fatalf("management's document: %+v", mgmt)
	}
	results := map[string]follow.Verdict{}
	for _, c := range mgmt.Clusters {
		results[c.Name] = c.Result
	}
	want := map[string]follow.Verdict{testbed.ManagementContext: follow.VerdictApplied, testbed.DemoWorkload: follow.VerdictApplied, second: follow.VerdictFailed}
	if !reflect.DeepEqual(results, want) {
		t.Errorf("clusters %v, want %v", results, want)
	}
}

// reportLag is how long after kustomize-controller finished applying Kustomization
// flux-system/name (its history's last reconcile) the line of stdout saying it
// applied was printed; both are whole seconds.
func reportLag(t *testing.T, ctx context.Context, bed *testbed.Bed, stdout, name string) time.Duration {
	t.Helper()
	gvr, _ := flux.GVR(flux.KindKustomization)
	u, err := bed.Dynamic.Resource(gvr).Namespace(testbed.FluxNamespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	history, _, _ := unstructured.NestedSlice(u.Object, "status", "history")
	if len(history) == 0 {
		t.Fatalf("Kustomization %s has no status.history", name)
	}
	last, _, _ := unstructured.NestedString(history[0].(map[string]any), "lastReconciled")
	applied, err := time.Parse(time.RFC3339, last)
	if err != nil {
		t.Fatalf("history's lastReconciled %q: %v", last, err)
	}
	for _, line := range strings.Split(stdout, "\n") {
		clock, rest, ok := strings.Cut(line, " ")
		if !ok || !strings.HasPrefix(rest, "Kustomization "+testbed.FluxNamespace+"/"+name+" Applied") {
			continue
		}
		at, err := time.Parse(time.TimeOnly, clock)
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		y, m, d := applied.UTC().Date()
		reported := time.Date(y, m, d, at.Hour(), at.Minute(), at.Second(), 0, time.UTC)
		t.Logf("%s applied at %s (Flux), reported at %s", name, applied.UTC().Format(time.TimeOnly), clock)
		return reported.Sub(applied)
	}
	t.Fatalf("no line saying %s applied:\n%s", name, stdout)
	return 0
}
