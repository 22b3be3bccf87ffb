package main_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
	"github.com/kubectl-gitops/kubectl-gitops/shared/timeline"
)

// TestTraceTimeline: a commit changing both infrastructure and apps (apps dependsOn
// infrastructure) is followed to the Deployment. Every time the timeline gives equals
// the one Flux recorded (artifact lastUpdateTime, status.history firstReconciled), the
// commit time is Git's, and apps' wait is split into its dependency, the dependency
// requeue (the bed's kustomize-controller runs with --requeue-dependency=5s) and its
// apply; the parts add up to the wait.
func TestTraceTimeline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bed, fleet := testbed.StartDemo(t, ctx)
	clone := filepath.Join(t.TempDir(), "clone")
	if out, err := exec.CommandContext(ctx, "git", "clone", "--quiet", fleet.Repo.URL, clone).CombinedOutput(); err != nil {
		t.Fatalf("clone: %v\n%s", err, out)
	}
	next, err := fleet.Repo.Commit(ctx, "bump api and move the region", map[string]string{
		"apps/deployment.yaml":                strings.Replace(testbed.DemoFleetFiles(fleet.Repo.URL)["apps/deployment.yaml"], "api:1.0.0", "api:1.0.1", 1),
		"infrastructure/platform-config.yaml": testbed.ConfigMapYAML("shop", "platform-config", "region", "moved"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.CommandContext(ctx, "git", "-C", clone, "fetch", "--quiet").CombinedOutput(); err != nil {
		t.Fatalf("fetch: %v\n%s", err, out)
	}
	if err := bed.Reconcile(ctx, flux.KindGitRepository, testbed.FluxNamespace, "flux-system"); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "apps", next); err != nil {
		t.Fatal(err)
	}
	rev := "main@sha1:" + next

	r := traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "deploy/api", "-n", "shop", "--timeline", "--git-dir", clone, "--requeue-dependency", "5s")
	tl := r.Timeline
	if tl == nil || tl.Revision != rev {
		t.Fatalf("timeline %+v, want one of %s", tl, rev)
	}
	steps := map[string]timeline.Step{}
	for _, s := range tl.Steps {
		steps[s.What+" "+s.Object.String()] = s
	}
	at := func(key string) time.Time {
		t.Helper()
		s, ok := steps[key]
		if !ok || s.At == nil {
			t.Fatalf("no time for step %q in %+v", key, tl.Steps)
		}
		return s.At.Time
	}

	// The commit, as Git records it.
	out, err := exec.CommandContext(ctx, "git", "-C", clone, "show", "-s", "--format=%cI", next).Output()
	if err != nil {
		t.Fatal(err)
	}
	committed, _ := time.Parse(time.RFC3339, strings.TrimSpace(string(out)))
	if got := at("committed Commit " + git.Short(next)); !got.Equal(committed) {
		t.Errorf("committed at %s, git says %s", got, committed)
	}
	// The fetch, as the source records it.
	src, err := bed.Get(ctx, flux.KindGitRepository, testbed.FluxNamespace, "flux-system")
	if err != nil {
		t.Fatal(err)
	}
	fetchedAt, _, _ := unstructured.NestedString(src.Object, "status", "artifact", "lastUpdateTime")
	if got := at("fetched GitRepository flux-system/flux-system").UTC().Format(time.RFC3339); got != fetchedAt {
		t.Errorf("fetched at %s, the artifact says %s", got, fetchedAt)
	}
	// Each apply, as the Kustomization's history records it.
	for _, name := range []string{"infrastructure", "apps"} {
		var k kustomizev1.Kustomization
		if err := flux.GetInto(ctx, bed.Dynamic, testbed.FluxNamespace, name, &k); err != nil {
			t.Fatal(err)
		}
		var want time.Time
		for _, h := range k.Status.History {
			if h.Metadata["revision"] == rev {
				want = h.FirstReconciled.Time
			}
		}
		if got := at("applied Kustomization flux-system/" + name); !got.Equal(want) {
			t.Errorf("%s applied at %s, its history says %s", name, got, want)
		}
	}
	if !steps["applied Kustomization flux-system/infrastructure"].Dependency {
		t.Errorf("infrastructure is not marked as apps' dependency")
	}
	// The root's objects (the Kustomizations) did not change with the commit: its
	// history's time for them is older than the commit, and not given as its apply.
	if s, ok := steps["unchanged Kustomization flux-system/flux-system"]; !ok || s.At != nil {
		t.Errorf("the root is not unchanged without a time: %+v", tl.Steps)
	}

	apps := steps["applied Kustomization flux-system/apps"]
	if apps.Wait == nil {
		t.Fatalf("apps has no wait: %+v", apps)
	}
	var sum time.Duration
	causes := map[string]timeline.Part{}
	for _, p := range apps.Wait.Parts {
		sum += p.Duration.Duration
		causes[p.Cause] = p
	}
	if diff := sum - apps.Wait.Duration.Duration; diff > time.Second || diff < -time.Second {
		t.Errorf("apps' wait %s, its parts add up to %s: %+v", apps.Wait.Duration.Duration, sum, apps.Wait.Parts)
	}
	dep, ok := causes[timeline.CauseDependency]
	wantDep := at("applied Kustomization flux-system/infrastructure").Sub(at("fetched GitRepository flux-system/flux-system"))
	if !ok || dep.Duration.Duration != wantDep || !strings.Contains(dep.Detail, "infrastructure") {
		t.Errorf("dependency part %+v, want %s waiting for infrastructure", dep, wantDep)
	}
	if rq, ok := causes[timeline.CauseRequeue]; ok && !strings.Contains(rq.Setting, "--requeue-dependency=5s") {
		t.Errorf("requeue part names %q", rq.Setting)
	}
	if _, ok := causes[timeline.CauseApply]; !ok {
		t.Errorf("apps' own apply is not a part: %+v", apps.Wait.Parts)
	}

	// The human view says the same.
	text, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "trace", "deploy/api", "-n", "shop", "--timeline", "--git-dir", clone, "--requeue-dependency", "5s")
	if err != nil || text.Code != 0 || !strings.Contains(text.Stdout, "Timeline of "+rev+":") || !strings.Contains(text.Stdout, "dependency ") {
		t.Errorf("text view:\n%s", text)
	}

	// A suspension holds the next commit back: once resumed, the wait is put down to it,
	// with its reason, from the record resume keeps.
	rollback := func(args ...string) {
		t.Helper()
		run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, append([]string{"gitops", "rollback"}, args...)...)
		if err != nil || run.Code != 0 {
			t.Fatalf("rollback %v: %v\n%s", args, err, run)
		}
	}
	rollback("suspend", "apps", "-n", "flux-system", "--reason", "INC-9: hold the release", "--yes")
	held, err := fleet.Repo.Commit(ctx, "bump api again", map[string]string{
		"apps/deployment.yaml": strings.Replace(testbed.DemoFleetFiles(fleet.Repo.URL)["apps/deployment.yaml"], "api:1.0.0", "api:1.0.2", 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := bed.Reconcile(ctx, flux.KindGitRepository, testbed.FluxNamespace, "flux-system"); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitSourceRevision(ctx, flux.KindGitRepository, testbed.FluxNamespace, "flux-system", held); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second)
	rollback("resume", "apps", "-n", "flux-system", "--yes", "--preview=false")
	r = traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "deploy/api", "-n", "shop", "--timeline", "--requeue-dependency", "5s")
	var suspended *timeline.Part
	for _, s := range r.Timeline.Steps {
		if s.What == timeline.Applied && s.Object.Name == "apps" && s.Wait != nil {
			for i, p := range s.Wait.Parts {
				if p.Cause == timeline.CauseSuspended {
					suspended = &s.Wait.Parts[i]
				}
			}
		}
	}
	if r.Timeline.Revision != "main@sha1:"+held || suspended == nil || suspended.Duration.Duration < 3*time.Second || !strings.Contains(suspended.Detail, "INC-9: hold the release (by admin)") {
		t.Errorf("the held commit's wait is not put down to the suspension: %+v in %+v", suspended, r.Timeline)
	}
}

// TestTraceTimelineDependencyRecovers: a commit that infrastructure fails to apply (a
// ConfigMap in a namespace that does not exist yet) until the namespace is made by
// hand, while apps (dependsOn infrastructure) waits. infrastructure's wait is put
// down to its retries (spec.retryInterval), apps' to the failing dependency, then to
// kustomize-controller's dependency requeue when it took a second or more, then its
// own apply; the parts add up to each wait.
func TestTraceTimelineDependencyRecovers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bed, fleet := testbed.StartDemo(t, ctx)
	next, err := fleet.Repo.Commit(ctx, "api 1.0.1 and the late namespace's settings", map[string]string{
		"apps/deployment.yaml":            strings.Replace(testbed.DemoFleetFiles(fleet.Repo.URL)["apps/deployment.yaml"], "api:1.0.0", "api:1.0.1", 1),
		"infrastructure/late-config.yaml": testbed.ConfigMapYAML("late", "settings", "k", "v"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := bed.Reconcile(ctx, flux.KindGitRepository, testbed.FluxNamespace, "flux-system"); err != nil {
		t.Fatal(err)
	}
	// infrastructure fails on the commit, and goes on failing for a while.
	failing := func() bool {
		u, err := bed.Get(ctx, flux.KindKustomization, testbed.FluxNamespace, "infrastructure")
		if err != nil {
			return false
		}
		st := status.Of(u)
		return st.Ready.IsFalse() && strings.HasSuffix(st.LastAttemptedRevision, next)
	}
	for !failing() {
		select {
		case <-ctx.Done():
			t.Fatal("infrastructure never failed on the commit")
		case <-time.After(500 * time.Millisecond):
		}
	}
	failedAt := time.Now()
	time.Sleep(8 * time.Second)
	if err := bed.Apply(ctx, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: late\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "apps", next); err != nil {
		t.Fatal(err)
	}

	r := traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "deploy/api", "-n", "shop", "--timeline", "--requeue-dependency", "5s")
	if r.Timeline == nil || r.Timeline.Revision != "main@sha1:"+next {
		t.Fatalf("timeline %+v, want one of %s", r.Timeline, next)
	}
	steps := map[string]timeline.Step{}
	for _, s := range r.Timeline.Steps {
		steps[s.What+" "+s.Object.String()] = s
	}
	parts := func(name string) map[string]timeline.Part {
		t.Helper()
		s := steps["applied Kustomization flux-system/"+name]
		if s.Wait == nil || s.At == nil {
			t.Fatalf("%s has no apply with a wait: %+v", name, r.Timeline.Steps)
		}
		var sum time.Duration
		out := map[string]timeline.Part{}
		for _, p := range s.Wait.Parts {
			sum += p.Duration.Duration
			out[p.Cause] = p
		}
		if d := sum - s.Wait.Duration.Duration; d > time.Second || d < -time.Second {
			t.Errorf("%s's wait %s, its parts add up to %s: %+v", name, s.Wait.Duration.Duration, sum, s.Wait.Parts)
		}
		return out
	}
	infra := parts("infrastructure")
	retry, ok := infra[timeline.CauseRetry]
	if !ok || retry.Duration.Duration < 7*time.Second || !strings.Contains(retry.Setting, "Kustomization flux-system/infrastructure spec.retryInterval=") {
		t.Errorf("infrastructure's wait is not put down to its retries (failing for %s at least): %+v", time.Since(failedAt).Round(time.Second), infra)
	}
	apps := parts("apps")
	dep, ok := apps[timeline.CauseDependency]
	infraAt, fetched := steps["applied Kustomization flux-system/infrastructure"].At, steps["fetched GitRepository flux-system/flux-system"].At
	if !ok || fetched == nil || dep.Duration.Duration != infraAt.Sub(fetched.Time) || dep.Duration.Duration < 7*time.Second || !strings.Contains(dep.Detail, "infrastructure") {
		t.Errorf("apps' wait is not put down to infrastructure, failing then applied: %+v", apps)
	}
	if _, ok := apps[timeline.CauseRetry]; ok {
		t.Errorf("apps' own wait counted as its retries: it only waited: %+v", apps)
	}
	// After its dependency applied, apps waits for the controller's next look.
	rest := steps["applied Kustomization flux-system/apps"].At.Sub(infraAt.Time)
	if rq, ok := apps[timeline.CauseRequeue]; ok != (rest-apps[timeline.CauseApply].Duration.Duration >= time.Second) || ok && !strings.Contains(rq.Setting, "--requeue-dependency=5s") {
		t.Errorf("requeue part %+v (present %v) for %s between infrastructure and apps: %+v", rq, ok, rest, apps)
	}
}
