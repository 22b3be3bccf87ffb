package deps_test

import (
	"context"
	"reflect"
	"testing"

	. "github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	. "github.com/kubectl-gitops/kubectl-gitops/shared/deps/depstest"
)

func TestFilter(t *testing.T) {
	nodes := []Node{
		KS("flux-system"),
		KS("infra", "flux-system"),
		Failing("BuildFailed", "boom", KS("platform", "infra")),
		Waiting(KS("apps", "platform", "gone")),
		Waiting(KS("web", "apps")),
		KS("monitoring", "infra"),
		KS("other"),
		Waiting(KSIn("team-b", "api", "flux-system/platform")),
		HR("infra"),
	}
	r := Analyze(context.Background(), nodes)
	tests := []struct {
		name        string
		names       []string
		wantEntries []string
		wantUnknown []string
		wantCauses  []string
		wantMissing int
	}{
		{
			name:  "upstream and downstream, not siblings",
			names: []string{"apps"},
			wantEntries: []string{
				"Kustomization flux-system/apps", "Kustomization flux-system/flux-system",
				"Kustomization flux-system/infra", "Kustomization flux-system/platform",
				"Kustomization flux-system/web", "Kustomization flux-system/gone",
			},
			wantCauses:  []string{"failing Kustomization flux-system/platform victims=[flux-system/apps, flux-system/web]"},
			wantMissing: 1,
		},
		{
			name:  "namespace-qualified name",
			names: []string{"team-b/api", "nothing-here"},
			wantEntries: []string{
				"Kustomization flux-system/flux-system", "Kustomization flux-system/infra",
				"Kustomization flux-system/platform", "Kustomization team-b/api",
			},
			wantUnknown: []string{"nothing-here"},
			wantCauses:  []string{"failing Kustomization flux-system/platform victims=[team-b/api]"},
		},
		{
			name:        "kind-qualified name",
			names:       []string{"hr/flux-system/infra"},
			wantEntries: []string{"HelmRelease flux-system/infra"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, unknown := r.Filter(tc.names)
			var ids []string
			for i := range f.Entries {
				ids = append(ids, f.Entries[i].ID().String())
			}
			if !reflect.DeepEqual(ids, tc.wantEntries) {
				t.Errorf("entries = %q, want %q", ids, tc.wantEntries)
			}
			if !reflect.DeepEqual(unknown, tc.wantUnknown) {
				t.Errorf("unknown = %q, want %q", unknown, tc.wantUnknown)
			}
			if got := Summarize(f).Causes; !reflect.DeepEqual(got, tc.wantCauses) {
				t.Errorf("causes = %q, want %q", got, tc.wantCauses)
			}
			if len(f.Missing) != tc.wantMissing {
				t.Errorf("missing = %d, want %d", len(f.Missing), tc.wantMissing)
			}
			checkConsistent(t, f)
		})
	}
	if len(r.Entries) != 10 || len(r.RootCauses[0].Victims) != 3 {
		t.Errorf("Filter modified the original report")
	}
}

func TestNamespaceAndFilterIn(t *testing.T) {
	r := Analyze(context.Background(), []Node{
		KS("infra"),
		KSIn("team-a", "web", "flux-system/infra"),
		KSIn("team-a", "api", "web"),
		KSIn("team-b", "web"),
		KS("unrelated"),
	})
	ids := func(v *Report) []string {
		var out []string
		for i := range v.Entries {
			out = append(out, v.Entries[i].ID().String())
		}
		return out
	}
	tests := []struct {
		name        string
		view        func() (*Report, []string)
		want        []string
		wantUnknown []string
		// nothing: the view checks nothing, so --check must fail on it.
		nothing bool
	}{
		{
			name: "namespace keeps its objects and what they depend on elsewhere",
			view: func() (*Report, []string) { return r.Namespace("team-a"), nil },
			want: []string{"Kustomization flux-system/infra", "Kustomization team-a/api", "Kustomization team-a/web"},
		},
		{
			name: "plain names are read in the given namespace",
			view: func() (*Report, []string) { return r.FilterIn("team-b", []string{"web"}) },
			want: []string{"Kustomization team-b/web"},
		},
		{
			name: "qualified names are left alone",
			view: func() (*Report, []string) { return r.FilterIn("team-b", []string{"team-a/api"}) },
			want: []string{"Kustomization flux-system/infra", "Kustomization team-a/api", "Kustomization team-a/web"},
		},
		{
			name:        "unknown names are returned",
			view:        func() (*Report, []string) { return r.FilterIn("team-b", []string{"nope"}) },
			wantUnknown: []string{"team-b/nope"},
		},
		{
			name:    "empty namespace checks nothing",
			view:    func() (*Report, []string) { return r.Namespace("nobody"), nil },
			nothing: true,
		},
		{
			name:    "an empty cluster checks nothing",
			view:    func() (*Report, []string) { return Analyze(context.Background(), nil).Namespace("flux-system"), nil },
			nothing: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, unknown := tt.view()
			if got := ids(v); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("entries = %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(unknown, tt.wantUnknown) {
				t.Errorf("unknown = %v, want %v", unknown, tt.wantUnknown)
			}
			if v.NothingChecked != tt.nothing || (tt.nothing && !v.HasProblems()) {
				t.Errorf("NothingChecked = %v, HasProblems = %v; want %v", v.NothingChecked, v.HasProblems(), tt.nothing)
			}
		})
	}
}

func TestUnmatched(t *testing.T) {
	r := Analyze(context.Background(), []Node{
		KS("apps"),
		KS("infra"),
		KSIn("team-a", "web"),
		KSIn("team-b", "web"),
		HR("podinfo"),
	})
	tests := []struct{ name, want string }{
		{"default/apps", "Kustomization default/apps not found; flux-system has one: add -n flux-system"},
		{"Kustomization/default/apps", "Kustomization default/apps not found; flux-system has one: add -n flux-system"},
		{"default/web", "Kustomization default/web not found; team-a, team-b have one: add -n with one of them, or -A"},
		{"flux-system/aps", "no Kustomization or HelmRelease named aps in namespace flux-system; did you mean apps?"},
		{"hr/flux-system/podinf", "no HelmRelease named podinf in namespace flux-system; did you mean podinfo?"},
		{"hr/default/apps", "no HelmRelease named apps in namespace default"},
		{"nosuch", "no Kustomization or HelmRelease named nosuch in namespace default"},
	}
	for _, tt := range tests {
		view, unknown := r.FilterIn("default", []string{tt.name})
		if len(unknown) != 1 || len(view.Entries) != 0 {
			t.Fatalf("%s: unknown %v", tt.name, unknown)
		}
		if got := r.Unmatched(unknown[0]); got != tt.want {
			t.Errorf("Unmatched(%q) = %q, want %q", unknown[0], got, tt.want)
		}
	}
}
