package main_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

const secretMarker = "S3CRETMARK"

// TestTrustNothingLive runs every command, in every output format, against objects a
// hostile or careless fleet really produces on the bed: a GitRepository whose URL
// carries credentials (source-controller repeats the URL in its failure message) and
// status written with escape sequences and line breaks. No secret reaches stdout or
// stderr, no raw escape sequence reaches a human view, no string forges a line.
func TestTrustNothingLive(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	repo, err := bed.Git.CreateRepo(ctx, "trust")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Commit(ctx, "app", map[string]string{"app/cm.yaml": testbed.ConfigMapYAML("default", "trusted", "a", "b")}); err != nil {
		t.Fatal(err)
	}
	withCreds := strings.Replace(repo.URL, "http://", "http://deploy:pa%zz"+secretMarker+"@", 1) + "-missing?access_key=" + secretMarker
	manifests := testbed.GitRepositoryYAML(testbed.FluxNamespace, "creds", withCreds, "main") + "---\n" +
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "creds-app", Path: "./app", Source: "creds"}) + "---\n" +
		testbed.GitRepositoryYAML(testbed.FluxNamespace, "trust", repo.URL, "main") + "---\n" +
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "evil", Path: "./app", Source: "trust"})
	// The other source kinds with credentials in their addresses, each with a
	// Kustomization, and a ConfigMap carrying that Kustomization's labels so that trace
	// walks to the source.
	manifests += "---\n" + `apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: oci-creds, namespace: flux-system}
spec: {interval: 1m, url: "oci://robot:` + secretMarker + `@127.0.0.1:1/fleet", ref: {tag: latest}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: Bucket
metadata: {name: bucket-creds, namespace: flux-system}
spec: {interval: 1m, endpoint: "minio:` + secretMarker + `@127.0.0.1:1", bucketName: fleet, insecure: true}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: oci-app, namespace: flux-system}
spec: {interval: 1m, path: ./, prune: true, sourceRef: {kind: OCIRepository, name: oci-creds}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: bucket-app, namespace: flux-system}
spec: {interval: 1m, path: ./, prune: true, sourceRef: {kind: Bucket, name: bucket-creds}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: via-oci, namespace: default, labels: {kustomize.toolkit.fluxcd.io/name: oci-app, kustomize.toolkit.fluxcd.io/namespace: flux-system}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: via-bucket, namespace: default, labels: {kustomize.toolkit.fluxcd.io/name: bucket-app, kustomize.toolkit.fluxcd.io/namespace: flux-system}}
`
	if err := bed.Apply(ctx, manifests); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitFor(ctx, 60*time.Second, flux.KindGitRepository, testbed.FluxNamespace, "creds", func(u *unstructured.Unstructured) bool {
		return status.Of(u).Ready.IsFalse()
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitReady(ctx, flux.KindKustomization, testbed.FluxNamespace, "evil"); err != nil {
		t.Fatal(err)
	}
	// Suspend evil, then write its status as a hostile writer would: the controller
	// leaves a suspended object's status alone.
	if err := bed.Apply(ctx, testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "evil", Path: "./app", Source: "trust", Suspend: true})); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	ri, _ := flux.Resource(bed.Dynamic, flux.KindKustomization, testbed.FluxNamespace)
	u, err := ri.Get(ctx, "evil", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	evil := "\x1b]0;owned\x07\x1b[2J boom\nReady: True\nerror: forged https://u:" + secretMarker + "@h/x"
	_ = unstructured.SetNestedSlice(u.Object, []any{map[string]any{
		"type": "Ready", "status": "False", "reason": "EvilReason", "message": evil, "lastTransitionTime": "2026-01-01T00:00:00Z", "observedGeneration": u.GetGeneration(),
	}}, "status", "conditions")
	_ = unstructured.SetNestedField(u.Object, "main@sha1:\x1b[2Jforged\n", "status", "lastAttemptedRevision")
	if _, err := ri.UpdateStatus(ctx, u, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}

	// The fixture is hostile for real: Flux itself put the URL, password included, into
	// the source's status, and the evil status is what the API server stored.
	raw, err := bed.Get(ctx, flux.KindGitRepository, testbed.FluxNamespace, "creds")
	if err != nil {
		t.Fatal(err)
	}
	conds, _, _ := unstructured.NestedSlice(raw.Object, "status", "conditions")
	t.Logf("source-controller on the credentials URL: %v", conds)
	shown := map[string][]string{
		"trace cm/trusted -n default":               {`\x1b]0;owned\x07\x1b[2J boom\nReady: True\nerror: forged https://h/x`},
		"rollback history evil -n flux-system":      {"REVISION"},
		"branch show creds -n flux-system":          {"URL:           http://127.0.0.1:"},
		"trace cm/via-oci cm/via-bucket -n default": {"oci://127.0.0.1:1/fleet", "127.0.0.1:1/fleet"},
	}

	paletteOrNothing := regexp.MustCompile(`\x1b\[(0|1|2|31|32|33)m`)
	for _, args := range [][]string{
		{"trace", "kustomization/creds-app", "-n", "flux-system"},
		{"trace", "kustomization/evil", "-n", "flux-system"},
		{"trace", "cm/trusted", "-n", "default"},
		{"trace", "cm/via-oci", "cm/via-bucket", "-n", "default"},
		{"deps", "-A"},
		{"deps", "-A", "--check"},
		{"branch", "show", "creds", "-n", "flux-system"},
		{"rollback", "history", "evil", "-n", "flux-system"},
	} {
		for _, format := range []string{"", "json", "yaml"} {
			full := append([]string{"gitops"}, args...)
			if format != "" {
				full = append(full, "-o", format)
			}
			t.Run(strings.Join(full[1:], " "), func(t *testing.T) {
				run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, full...)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(run.Stdout+run.Stderr, secretMarker) {
					t.Errorf("the secret was printed:\n%s", run)
				}
				if strings.Contains(run.Stderr, "goroutine ") {
					t.Errorf("crashed:\n%s", run)
				}
				if format == "" {
					for _, want := range shown[strings.Join(args, " ")] {
						if !strings.Contains(run.Stdout, want) {
							t.Errorf("stdout lacks %q, shown escaped:\n%s", want, run)
						}
					}
					for _, out := range []string{run.Stdout, run.Stderr} {
						if strings.ContainsAny(paletteOrNothing.ReplaceAllString(out, ""), "\x1b\x07") {
							t.Errorf("a raw escape sequence was printed:\n%q", out)
						}
						for _, line := range strings.Split(out, "\n") {
							if strings.HasPrefix(line, "Ready: True") || strings.HasPrefix(line, "error: forged") || strings.HasPrefix(line, "forged") {
								t.Errorf("a status string forged a line: %q\n%s", line, run)
							}
						}
					}
				}
			})
		}
	}
}
