package timeline

import (
	"bytes"
	"flag"
	"path/filepath"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

var t0 = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

func at(sec int) *metav1.Time { return &metav1.Time{Time: t0.Add(time.Duration(sec) * time.Second)} }

func took(d time.Duration) *metav1.Duration { return &metav1.Duration{Duration: d} }

func ks(name string) output.ObjectRef {
	return output.ObjectRef{Kind: "Kustomization", Namespace: "flux-system", Name: name}
}

var fleet = output.ObjectRef{Kind: "GitRepository", Namespace: "flux-system", Name: "fleet"}

// TestAttribute: each wait is split into its causes, the parts add up to the wait,
// and each names the setting behind it.
func TestAttribute(t *testing.T) {
	committed := Step{What: Committed, Object: output.ObjectRef{Kind: "Commit", Name: "abc1234"}, At: at(0)}
	fetched := Step{What: Fetched, Object: fleet, At: at(40), settings: settings{interval: time.Minute}}
	tests := []struct {
		name  string
		steps []Step
		// want is, for the last step, its parts as "cause duration".
		want []string
	}{
		{"the source's poll", []Step{committed, fetched}, []string{"source poll 40s"}},
		{"a dependency, the requeue, the apply", []Step{committed, fetched,
			{What: Applied, Dependency: true, Object: ks("infra"), At: at(50), Took: took(3 * time.Second)},
			{What: Applied, Object: ks("apps"), At: at(82), Took: took(2 * time.Second)},
		}, []string{"dependency 10s", "dependency requeue 30s", "apply 2s"}},
		{"a dependency whose objects did not change", []Step{committed, fetched,
			{What: Applied, Dependency: true, Object: ks("infra"), At: at(-3600), settings: settings{lastReconciled: at(41).Time}},
			{What: Applied, Object: ks("apps"), At: at(47), Took: took(time.Second)},
		}, []string{"dependency 1s", "dependency requeue 5s", "apply 1s"}},
		{"failures before the apply", []Step{committed, fetched,
			{What: Applied, Object: ks("apps"), At: at(160), Took: took(time.Second), settings: settings{retry: time.Minute, failures: []time.Time{at(41).Time, at(100).Time}}},
		}, []string{"retries 1m59s", "apply 1s"}},
		{"a suspension that ended", []Step{committed, fetched,
			{What: Applied, Object: ks("apps"), At: at(102), Took: took(time.Second), settings: settings{suspended: &status.LastSuspension{
				Suspension: status.Suspension{Reason: "INC-42", By: "jane", At: &at(10).Time}, Resumed: at(100).Time, ResumedBy: "joe"}}},
		}, []string{"suspended 1m0s", "queue 1s", "apply 1s"}},
		{"nothing explains it", []Step{committed, fetched,
			{What: Applied, Object: ks("apps"), At: at(45), Took: took(time.Second)},
		}, []string{"queue 4s", "apply 1s"}},
		{"the rollout", []Step{committed, fetched,
			{What: Applied, Object: ks("apps"), At: at(42), Took: took(2 * time.Second)},
			{What: Ready, Object: output.ObjectRef{Kind: "Deployment", Namespace: "shop", Name: "api"}, At: at(70)},
		}, []string{"rollout 28s"}},
		{"a root whose objects did not change", []Step{committed, fetched,
			{What: Applied, Object: ks("flux-system"), At: at(-3600)},
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := &Timeline{Steps: append([]Step(nil), tt.steps...)}
			tl.attribute(Request{RequeueDependency: 30 * time.Second})
			last := tl.Steps[len(tl.Steps)-1]
			var got []string
			var sum time.Duration
			if last.Wait != nil {
				for _, p := range last.Wait.Parts {
					got = append(got, p.Cause+" "+p.Duration.Duration.String())
					sum += p.Duration.Duration
				}
				if sum != last.Wait.Duration.Duration {
					t.Errorf("parts add up to %s, the wait is %s", sum, last.Wait.Duration.Duration)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("parts %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("parts %q, want %q", got, tt.want)
				}
			}
			if tt.want == nil && (last.What != Unchanged || last.At != nil) {
				t.Errorf("step %+v, want unchanged without a time", last)
			}
		})
	}
}

// TestWriteTextGolden is the human view of a timeline with a dependency.
func TestWriteTextGolden(t *testing.T) {
	tl := &Timeline{Revision: "main@sha1:abc1234", Steps: []Step{
		{What: Committed, Object: output.ObjectRef{Kind: "Commit", Name: "abc1234"}, At: at(0)},
		{What: Fetched, Object: fleet, At: at(40), settings: settings{interval: time.Minute}},
		{What: Applied, Object: ks("flux-system"), At: at(-3600)},
		{What: Applied, Dependency: true, Object: ks("infra"), At: at(50), Took: took(3 * time.Second)},
		{What: Applied, Object: ks("apps"), At: at(82), Took: took(2 * time.Second), settings: settings{wait: true, timeout: 5 * time.Minute}},
	}, Notes: []string{"an example note"}}
	tl.attribute(Request{RequeueDependency: 30 * time.Second})
	var buf bytes.Buffer
	w := &output.Writer{W: &buf}
	tl.WriteText(w)
	if w.Err != nil {
		t.Fatal(w.Err)
	}
	outputtest.Golden(t, filepath.Join("testdata", "timeline.golden"), buf.Bytes(), *update)
}
