package dir

import (
	"reflect"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

func TestParseSources(t *testing.T) {
	const hint = `: give KIND/NAMESPACE/NAME=DIR, e.g. --source OCIRepository/flux-system/apps=../apps`
	for _, tc := range []struct {
		name  string
		flags []string
		want  map[string]string
		err   string
	}{
		{name: "none", flags: nil, want: nil},
		{name: "one", flags: []string{"OCIRepository/flux-system/apps=../apps"}, want: map[string]string{"OCIRepository/flux-system/apps": "../apps"}},
		{name: "several, the last of a source wins", flags: []string{"GitRepository/flux-system/infra=/src/infra", "OCIRepository/apps/web=a", "OCIRepository/apps/web=b=c"},
			want: map[string]string{"GitRepository/flux-system/infra": "/src/infra", "OCIRepository/apps/web": "b=c"}},
		{name: "no DIR", flags: []string{"OCIRepository/flux-system/apps"}, err: `--source "OCIRepository/flux-system/apps"` + hint},
		{name: "empty DIR", flags: []string{"OCIRepository/flux-system/apps="}, err: `--source "OCIRepository/flux-system/apps="` + hint},
		{name: "two parts", flags: []string{"OCIRepository/apps=../apps"}, err: `--source "OCIRepository/apps=../apps"` + hint},
		{name: "four parts", flags: []string{"a/b/c/d=x"}, err: `--source "a/b/c/d=x"` + hint},
		{name: "an empty part", flags: []string{"OCIRepository//apps=x"}, err: `--source "OCIRepository//apps=x"` + hint},
		{name: "a bad one after a good one", flags: []string{"OCIRepository/flux-system/apps=x", "nope"}, err: `--source "nope"` + hint},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSources(tc.flags)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err || exitcode.Of(err) != exitcode.Usage {
					t.Fatalf("err %v (exit %d), want %q (exit %d)", err, exitcode.Of(err), tc.err, exitcode.Usage)
				}
				if got != nil {
					t.Errorf("sources %v with an error, want nil", got)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
