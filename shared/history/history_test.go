package history

import (
	"context"
	"strings"
	"testing"
	"time"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestFromKustomization(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	good := "main@sha1:1111111111111111111111111111111111111111"
	bad := "main@sha1:2222222222222222222222222222222222222222"
	ks := &kustomizev1.Kustomization{}
	ks.Status.LastAppliedRevision = good
	ks.Status.History = meta.History{
		{Digest: "sha256:b", LastReconciledStatus: "ReconciliationFailed", FirstReconciled: metav1.NewTime(t0.Add(time.Hour)), LastReconciled: metav1.NewTime(t0.Add(2 * time.Hour)), TotalReconciliations: 3, Metadata: map[string]string{"revision": bad}},
		{Digest: "sha256:a", LastReconciledStatus: "ReconciliationSucceeded", FirstReconciled: metav1.NewTime(t0), LastReconciled: metav1.NewTime(t0.Add(time.Hour)), TotalReconciliations: 7, Metadata: map[string]string{"revision": good}},
	}
	got := FromKustomization(ks)
	if len(got) != 2 {
		t.Fatalf("got %d entries, want 2", len(got))
	}
	tests := []struct {
		i       int
		rev     string
		current bool
		status  string
		count   int64
	}{
		{0, bad, false, "ReconciliationFailed", 3},
		{1, good, true, "ReconciliationSucceeded", 7},
	}
	for _, tt := range tests {
		e := got[tt.i]
		if e.Revision != tt.rev || e.Current != tt.current || e.Status != tt.status || e.Reconciliations != tt.count {
			t.Errorf("entry %d = %+v, want revision %s current %v status %s count %d", tt.i, e, tt.rev, tt.current, tt.status, tt.count)
		}
		if len(e.SHA) != 40 {
			t.Errorf("entry %d SHA = %q, want the 40-hex commit", tt.i, e.SHA)
		}
	}
}

func TestPick(t *testing.T) {
	sha := func(c byte) string { return strings.Repeat(string(c), 40) }
	// Newest first: c failed, b applied (current), b again, a applied before.
	entries := []Entry{
		{SHA: sha('c'), Status: "ReconciliationFailed", LastAttempted: true},
		{SHA: sha('b'), Status: Succeeded, Current: true},
		{SHA: sha('b'), Status: "ReconciliationFailed"},
		{SHA: sha('a'), Status: Succeeded},
	}
	markLastGood(entries)
	tests := []struct {
		name   string
		choice Choice
		want   string
		code   exitcode.Code
	}{
		{"last good after a failed commit is the one applied before it", Choice{LastGood: true}, sha('b'), 0},
		{"one step back skips the newest commit", Choice{Steps: 1}, sha('b'), 0},
		{"steps count distinct commits", Choice{Steps: 2}, sha('a'), 0},
		{"too many steps", Choice{Steps: 3}, "", exitcode.NotFound},
		{"a SHA prefix", Choice{To: "aaaa"}, sha('a'), 0},
		{"a Flux revision", Choice{To: "main@sha1:" + sha('a')}, sha('a'), 0},
		{"an unknown commit", Choice{To: "dddd"}, "", exitcode.NotFound},
		{"nothing chosen", Choice{}, "", exitcode.Usage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Pick(context.Background(), entries, tt.choice)
			if exitcode.Of(err) != tt.code || got.SHA != tt.want {
				t.Errorf("Pick = %s, %v; want %s, exit code %d", got.SHA, err, tt.want, tt.code)
			}
		})
	}
	// After a successful commit, last good is the one before it.
	ok := []Entry{{SHA: sha('b'), Status: Succeeded, Current: true, LastAttempted: true}, {SHA: sha('a'), Status: Succeeded}}
	markLastGood(ok)
	if got, err := Pick(context.Background(), ok, Choice{LastGood: true}); err != nil || got.SHA != sha('a') {
		t.Errorf("last good after a good commit = %s, %v; want %s", got.SHA, err, sha('a'))
	}
	if _, err := Pick(context.Background(), nil, Choice{LastGood: true}); exitcode.Of(err) != exitcode.NotFound {
		t.Errorf("last good of an empty history: %v, want not found", err)
	}
}

func TestNewHelmRelease(t *testing.T) {
	hr := &helmv2.HelmRelease{}
	hr.Name, hr.Namespace = "web", "shop"
	hr.Status.History = helmv2.Snapshots{
		&helmv2.Snapshot{Version: 2, Status: "deployed", ChartName: "web", ChartVersion: "0.2.0+1a2b3c4d5e6f", AppVersion: "2.0"},
		&helmv2.Snapshot{Version: 1, Status: "superseded", ChartName: "web", ChartVersion: "0.1.0"},
	}
	h := NewHelmRelease(hr)
	if len(h.Entries) != 2 {
		t.Fatalf("entries %+v", h.Entries)
	}
	newest, before := h.Entries[0], h.Entries[1]
	if newest.Revision != "web@0.2.0+1a2b3c4d5e6f" || newest.SHA != "1a2b3c4d5e6f" || !newest.Current || newest.Chart.AppVersion != "2.0" || newest.Chart.Release != 2 {
		t.Errorf("newest = %+v %+v", newest, newest.Chart)
	}
	if before.SHA != "" || before.Current || !before.LastGood {
		t.Errorf("before = %+v", before)
	}
}
