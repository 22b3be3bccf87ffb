package trace

import (
	"bytes"
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/remote"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var goldenNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) *time.Time { t := goldenNow.Add(-d); return &t }

const (
	shaGood = "1111111111111111111111111111111111111111"
	shaBad  = "2222222222222222222222222222222222222222"
)

func ks(name, path, applied string) Hop {
	return Hop{Role: RoleKustomization, Ref: output.ObjectRef{APIVersion: "kustomize.toolkit.fluxcd.io/v1", Kind: "Kustomization", Namespace: "flux-system", Name: name},
		Via: "kustomize labels", Path: path, LastAppliedRevision: applied, LastAttemptedRevision: applied, Inventory: InventoryListed,
		Health: &Health{Ready: "True", Reason: "ReconciliationSucceeded", LastReconciled: at(90 * time.Second)}}
}

func gitSource() Hop {
	return Hop{Role: RoleSource, Ref: output.ObjectRef{Kind: "GitRepository", Namespace: "flux-system", Name: "flux-system"},
		URL: "https://github.com/acme/fleet.git", Tracks: "branch main", Revision: "main@sha1:" + shaBad,
		Health: &Health{Ready: "True", LastReconciled: at(3 * time.Hour)}}
}

func goldenReports() map[string][]*Report {
	current := &Report{TypeMeta: output.NewTypeMeta(output.KindTrace), Result: ResultTraced,
		Object: output.ObjectRef{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: "api-5d9f7-x2x9q"},
		Hops: []Hop{
			{Role: RoleObject, Ref: output.ObjectRef{Kind: "Pod", Namespace: "shop", Name: "api-5d9f7-x2x9q"}},
			{Role: RoleOwner, Ref: output.ObjectRef{Kind: "ReplicaSet", Namespace: "shop", Name: "api-5d9f7"}, Via: "ownerReference"},
			{Role: RoleOwner, Ref: output.ObjectRef{Kind: "Deployment", Namespace: "shop", Name: "api"}, Via: "ownerReference"},
			ks("apps", "./apps", "main@sha1:"+shaBad),
			ks("flux-system", "./clusters/prod", "main@sha1:"+shaBad),
			gitSource(),
		},
		Commit: &Commit{By: output.ObjectRef{Kind: "Kustomization", Namespace: "flux-system", Name: "apps"}, Applied: "main@sha1:" + shaBad, SHA: shaBad, Source: "main@sha1:" + shaBad, Status: CommitCurrent,
			Git: &GitLocation{File: "apps/deployment.yaml", Line: 1, Subject: "Bump api to 1.2.0", Author: "Dev <dev@example.com>",
				LastChange: &GitCommit{SHA: shaGood, Subject: "Add api", Author: "Ops <ops@example.com>"}}},
	}
	failedKs := ks("apps", "./apps", "main@sha1:"+shaGood)
	failedKs.LastAttemptedRevision = "main@sha1:" + shaBad
	failedKs.Health = &Health{Ready: "False", Reason: "ReconciliationFailed", Message: "ConfigMap/default/flaky dry-run failed:\n  data.state: Invalid value", LastReconciled: at(2 * 24 * time.Hour)}
	failed := &Report{TypeMeta: output.NewTypeMeta(output.KindTrace), Result: ResultTraced,
		Object: output.ObjectRef{Kind: "ConfigMap", Namespace: "default", Name: "flaky"},
		Hops:   []Hop{{Role: RoleObject, Ref: output.ObjectRef{Kind: "ConfigMap", Namespace: "default", Name: "flaky"}}, failedKs, gitSource()},
		Commit: &Commit{By: failedKs.Ref, Applied: "main@sha1:" + shaGood, SHA: shaGood, Attempted: "main@sha1:" + shaBad, Source: "main@sha1:" + shaBad,
			Status: CommitFailed, Reason: "ConfigMap/default/flaky dry-run failed:\n  data.state: Invalid value"},
	}
	forbidden := &Report{TypeMeta: output.NewTypeMeta(output.KindTrace), Result: ResultForbidden, Error: "cannot read Kustomization flux-system/apps: forbidden",
		Object: output.ObjectRef{Kind: "Deployment", Namespace: "shop", Name: "api"},
		Hops: []Hop{{Role: RoleObject, Ref: output.ObjectRef{Kind: "Deployment", Namespace: "shop", Name: "api"}},
			{Role: RoleKustomization, Ref: output.ObjectRef{Kind: "Kustomization", Namespace: "flux-system", Name: "apps"}, Via: "kustomize labels", Forbidden: true, Error: "forbidden: you may not read this Kustomization"}},
	}
	stray := ks("apps", "./apps", "main@sha1:"+shaBad)
	stray.Inventory = InventoryNotListed
	stray.Notes = []string{"ConfigMap shop/stray carries this Kustomization's labels but is not in its inventory"}
	stray.Health.Suspended = true
	orphan := &Report{TypeMeta: output.NewTypeMeta(output.KindTrace), Result: ResultTraced,
		Object: output.ObjectRef{Kind: "ConfigMap", Namespace: "shop", Name: "stray"},
		Hops:   []Hop{{Role: RoleObject, Ref: output.ObjectRef{Kind: "ConfigMap", Namespace: "shop", Name: "stray"}}, stray, gitSource()},
	}
	missing := &Report{TypeMeta: output.NewTypeMeta(output.KindTrace), Result: ResultNotFound, Error: "not found", Object: output.ObjectRef{Kind: "deployments", Namespace: "shop", Name: "nope"}}
	// Across clusters: the object in workload-1, its Kustomization and the rest in the
	// management cluster; then the management side's view of what it applied there.
	remoteKs := ks("workload-apps", "./workloads/w1", "main@sha1:"+shaBad)
	remoteKs.Ref.Namespace = "fleet"
	remoteKs.Via = "kustomize labels, in another cluster"
	remoteKs.Target = &Target{Ref: remote.Ref{Secret: "fleet/w1-kubeconfig", Server: "https://10.0.0.2:6443"}}
	remoteKs.Notes = []string{"applies to workload-1 (https://10.0.0.2:6443) through Secret fleet/w1-kubeconfig"}
	inCluster := func(h Hop, c string) Hop { h.Cluster = c; return h }
	crossing := &Report{TypeMeta: output.NewTypeMeta(output.KindTrace), Result: ResultTraced,
		Object: output.ObjectRef{Kind: "Deployment", Namespace: "edge", Name: "gateway"},
		Hops: []Hop{
			inCluster(Hop{Role: RoleObject, Ref: output.ObjectRef{Kind: "Deployment", Namespace: "edge", Name: "gateway"}}, "workload-1"),
			inCluster(remoteKs, "management"),
			inCluster(ks("flux-system", "./clusters/management", "main@sha1:"+shaBad), "management"),
			inCluster(gitSource(), "management"),
		},
		Commit:    &Commit{By: remoteKs.Ref, Applied: "main@sha1:" + shaBad, SHA: shaBad, Source: "main@sha1:" + shaBad, Status: CommitCurrent},
		Discovery: []Probe{{Context: "management", Result: ProbeFound}, {Context: "offline", Result: ProbeUnreachable, Error: "dial tcp 127.0.0.1:1: connect: connection refused"}},
	}
	mgmtView := &Report{TypeMeta: output.NewTypeMeta(output.KindTrace), Result: ResultTraced,
		Object: remoteKs.Ref,
		Hops: []Hop{
			{Role: RoleObject, Ref: remoteKs.Ref, Health: remoteKs.Health, Target: &Target{Ref: remote.Ref{Secret: "fleet/w1-kubeconfig", Server: "https://10.0.0.2:6443"}, Cluster: "workload-1", Missing: 1,
				Objects: []RemoteObject{
					{Ref: output.ObjectRef{Kind: "Namespace", Name: "edge"}, Present: true, Status: "Current", Message: "Resource is current"},
					{Ref: output.ObjectRef{Kind: "ConfigMap", Namespace: "edge", Name: "gateway-config"}, Status: "NotFound"},
					{Ref: output.ObjectRef{Kind: "Deployment", Namespace: "edge", Name: "gateway"}, Present: true, Status: "InProgress", Message: "Available: 0/1"},
				}}},
			ks("flux-system", "./clusters/management", "main@sha1:"+shaBad),
			gitSource(),
		},
	}
	// Alerts beside each Flux hop: one covered (with filters), one covered only by a
	// suspended Alert, one by none.
	alertedKs := failedKs
	alertedKs.Alerting = &Alerting{Notified: true, Alerts: []HopAlert{{
		Ref:           output.ObjectRef{APIVersion: "notification.toolkit.fluxcd.io/v1beta3", Kind: "Alert", Namespace: "flux-system", Name: "on-call"},
		EventSeverity: "error", ExclusionList: []string{"waiting.*"},
		Provider: AlertProvider{Name: "slack", Type: "slack", Secret: "slack-url"},
	}}}
	parentKs := ks("flux-system", "./clusters/prod", "main@sha1:"+shaBad)
	parentKs.Alerting = &Alerting{Alerts: []HopAlert{{
		Ref:           output.ObjectRef{APIVersion: "notification.toolkit.fluxcd.io/v1beta3", Kind: "Alert", Namespace: "flux-system", Name: "paused"},
		EventSeverity: "info", Suspended: true, Provider: AlertProvider{Name: "gone", Missing: true}, Undeliverable: "the Alert is suspended",
	}}}
	alertedSrc := gitSource()
	alertedSrc.Alerting = &Alerting{Alerts: []HopAlert{}}
	alerted := &Report{TypeMeta: output.NewTypeMeta(output.KindTrace), Result: ResultTraced,
		Object: failed.Object,
		Hops:   []Hop{failed.Hops[0], alertedKs, parentKs, alertedSrc},
	}
	return map[string][]*Report{
		"alerts":    {alerted},
		"clusters":  {crossing, mgmtView},
		"current":   {current},
		"failed":    {failed},
		"forbidden": {forbidden},
		"secrets":   secretReports(),
		"several":   {orphan, missing, failed},
	}
}

// writeText is the human view of reports, as the text printer writes it.
func writeText(w io.Writer, reports []*Report, color bool, now time.Time) error {
	return Reports(reports).WriteText(w, output.TextOptions{Palette: output.Palette(color), Now: now})
}

func TestWriteTextGolden(t *testing.T) {
	for name, reports := range goldenReports() {
		for _, color := range []bool{false, true} {
			file := name + ".golden"
			if color {
				file = name + "-color.golden"
			}
			t.Run(file, func(t *testing.T) {
				var buf bytes.Buffer
				if err := writeText(&buf, reports, color, goldenNow); err != nil {
					t.Fatal(err)
				}
				outputtest.Golden(t, filepath.Join("testdata", file), buf.Bytes(), *update)
				if !color && strings.Contains(buf.String(), "\x1b[") {
					t.Errorf("colour codes without colour")
				}
			})
		}
	}
}

func TestWriteErrors(t *testing.T) {
	var buf bytes.Buffer
	WriteErrors(&buf, goldenReports()["several"])
	if got, want := buf.String(), "error: not found\n"; got != want {
		t.Errorf("WriteErrors = %q, want %q", got, want)
	}
}

func TestShortRev(t *testing.T) {
	tests := []struct{ in, want string }{
		{"main@sha1:" + shaGood, "main@sha1:111111111111"},
		{"sha1:" + shaGood, "sha1:111111111111"},
		{"v1.0.0@sha256:abc", "v1.0.0@sha256:abc"},
		{"0.1.0", "0.1.0"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := shortRev(tt.in); got != tt.want {
			t.Errorf("shortRev(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
