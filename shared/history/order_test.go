package history

import (
	"context"
	"strings"
	"testing"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// snapshot is one status.history entry of commit c (a letter), first and last
// reconciled at minutes first and last after t0.
type snapshot struct {
	commit      byte
	status      string
	first, last int
}

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func commit(c byte) string { return strings.Repeat(string(c), 40) }
func rev(c byte) string    { return "main@sha1:" + commit(c) }

// kustomization builds a Kustomization whose status.history is snaps, in the order
// given (Flux's: last reconciled first), that applied applied and tried attempted.
func kustomization(snaps []snapshot, applied, attempted byte, ready *metav1.Condition) *kustomizev1.Kustomization {
	ks := &kustomizev1.Kustomization{}
	for _, s := range snaps {
		status := s.status
		if status == "" {
			status = Succeeded
		}
		ks.Status.History = append(ks.Status.History, meta.Snapshot{
			Digest: "sha256:" + string(s.commit), LastReconciledStatus: status, TotalReconciliations: 1,
			FirstReconciled: metav1.NewTime(t0.Add(time.Duration(s.first) * time.Minute)),
			LastReconciled:  metav1.NewTime(t0.Add(time.Duration(s.last) * time.Minute)),
			Metadata:        map[string]string{"revision": rev(s.commit)},
		})
	}
	ks.Status.LastAppliedRevision = rev(applied)
	ks.Status.LastAttemptedRevision = rev(attempted)
	if ready != nil {
		ks.Status.Conditions = []metav1.Condition{*ready}
	}
	return ks
}

func order(entries []Entry) string {
	var b strings.Builder
	for _, e := range entries {
		b.WriteByte(e.SHA[0])
	}
	return b.String()
}

func mark(entries []Entry, f func(Entry) bool) string {
	for _, e := range entries {
		if f(e) {
			return string(e.SHA[0])
		}
	}
	return ""
}

// TestRollbackTargets replays the sequences an on-call engineer goes through: each
// case is a status as Flux leaves it, and the targets the three choices pick from it.
func TestRollbackTargets(t *testing.T) {
	buildFailed := &metav1.Condition{Type: meta.ReadyCondition, Status: metav1.ConditionFalse, Reason: "BuildFailed", Message: "kustomize build failed: accumulating resources", LastTransitionTime: metav1.NewTime(t0.Add(50 * time.Minute))}
	tests := []struct {
		name                string
		ks                  *kustomizev1.Kustomization
		ancestry            Ancestry
		order, current      string
		lastGood            string
		steps1, steps2      string
		neverApplied        string
		lastGoodIsRunning   bool
		stepsErr, lastGoodE exitcode.Code
	}{
		{
			// a, b, c applied; d failed to build and left no snapshot: c runs, and c is
			// the last good revision (the README's definition), not b.
			name:  "the newest commit fails to build",
			ks:    kustomization([]snapshot{{'c', "", 30, 45}, {'b', "", 20, 20}, {'a', "", 10, 10}}, 'c', 'd', buildFailed),
			order: "dcba", current: "c", lastGood: "c", steps1: "c", steps2: "b", neverApplied: "d",
		},
		{
			// a, b, c applied; pinned back to b (b's snapshot moves to the top of Flux's
			// list): last good is a, one further back, never c again.
			name:  "pinned back to the last good revision",
			ks:    kustomization([]snapshot{{'b', "", 20, 60}, {'c', "", 30, 30}, {'a', "", 10, 10}}, 'b', 'b', nil),
			order: "cba", current: "b", lastGood: "a", steps1: "a", stepsErr: exitcode.NotFound,
		},
		{
			// a, b, e applied; branch set to f, then restored: e runs again; one step
			// back is b, not f and not a.
			name:  "after branch set and restore",
			ks:    kustomization([]snapshot{{'e', "", 30, 90}, {'f', "", 60, 60}, {'b', "", 20, 20}, {'a', "", 10, 10}}, 'e', 'e', nil),
			order: "feba", current: "e", lastGood: "b", steps1: "b", steps2: "a",
		},
		{
			// c is a revert of b that builds the same objects as a: Flux merged it into
			// a's snapshot (a's first time, c's revision). Git's ancestry puts c first.
			name:     "a revert merged into an older snapshot, ordered by Git",
			ks:       kustomization([]snapshot{{'c', "", 10, 40}, {'b', "", 20, 20}}, 'c', 'c', nil),
			ancestry: func(a, b string) (bool, bool) { return a[0] < b[0], true },
			order:    "cb", current: "c", lastGood: "b", steps1: "b", stepsErr: exitcode.NotFound,
		},
		{
			name:  "a good release on top",
			ks:    kustomization([]snapshot{{'c', "", 30, 30}, {'b', "", 20, 20}, {'a', "", 10, 10}}, 'c', 'c', nil),
			order: "cba", current: "c", lastGood: "b", steps1: "b", steps2: "a",
		},
		{
			// c failed to apply (a snapshot with a failed status): b runs and is last good.
			name:  "the newest commit fails to apply",
			ks:    kustomization([]snapshot{{'c', "ReconciliationFailed", 30, 31}, {'b', "", 20, 20}, {'a', "", 10, 10}}, 'b', 'c', nil),
			order: "cba", current: "b", lastGood: "b", steps1: "b", steps2: "a",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries := FromKustomization(tt.ks)
			if tt.ancestry != nil {
				Reorder(entries, tt.ancestry)
			}
			if got := order(entries); got != tt.order {
				t.Errorf("order %s, want %s", got, tt.order)
			}
			if got := mark(entries, func(e Entry) bool { return e.Current }); got != tt.current {
				t.Errorf("current %s, want %s", got, tt.current)
			}
			if got := mark(entries, func(e Entry) bool { return e.LastGood }); got != tt.lastGood {
				t.Errorf("last good %s, want %s", got, tt.lastGood)
			}
			if got := mark(entries, func(e Entry) bool { return e.NeverApplied }); got != tt.neverApplied {
				t.Errorf("never applied %s, want %s", got, tt.neverApplied)
			}
			for _, c := range []struct {
				choice Choice
				want   string
				code   exitcode.Code
			}{
				{Choice{LastGood: true}, tt.lastGood, 0},
				{Choice{Steps: 1}, tt.steps1, 0},
				{Choice{Steps: 2}, tt.steps2, tt.stepsErr},
			} {
				got, err := Pick(context.Background(), entries, c.choice)
				if c.want == "" && c.code == 0 {
					continue
				}
				if exitcode.Of(err) != c.code || (c.want != "" && (got.SHA == "" || got.SHA[0] != c.want[0])) {
					t.Errorf("Pick(%+v) = %.1s, %v; want %s, exit code %d", c.choice, got.SHA, err, c.want, c.code)
				}
			}
			if tt.neverApplied != "" {
				if _, err := Pick(context.Background(), entries, Choice{To: tt.neverApplied}); exitcode.Of(err) != exitcode.NotFound || !strings.Contains(err.Error(), "never applied") {
					t.Errorf("--to a commit that never applied: %v", err)
				}
			}
		})
	}
}

func TestPickEmpty(t *testing.T) {
	for _, c := range []Choice{{Steps: 1}, {LastGood: true}, {To: "abc"}} {
		if _, err := Pick(context.Background(), nil, c); exitcode.Of(err) != exitcode.NotFound {
			t.Errorf("Pick(nil, %+v) = %v, want not found", c, err)
		}
	}
}

func TestNeverAppliedEntry(t *testing.T) {
	ready := &metav1.Condition{Type: meta.ReadyCondition, Status: metav1.ConditionFalse, Reason: "BuildFailed", Message: "fetch https://user:s3cret@example.com/x failed", LastTransitionTime: metav1.NewTime(t0.Add(time.Hour))}
	h := New(kustomization([]snapshot{{'a', "", 10, 10}}, 'a', 'b', ready))
	e := h.Entries[0]
	if !e.NeverApplied || e.Status != "BuildFailed" || !e.FirstReconciled.Equal(t0.Add(time.Hour)) || e.Marks() != "never-applied" {
		t.Errorf("failed attempt entry = %+v", e)
	}
	if strings.Contains(e.Message, "s3cret") || len(h.Notes) != 1 || strings.Contains(h.Notes[0], "s3cret") || !strings.Contains(h.Notes[0], "BuildFailed") {
		t.Errorf("message %q, notes %q: want Flux's message without credentials", e.Message, h.Notes)
	}
}

func TestPlanFromHistory(t *testing.T) {
	entries := FromKustomization(kustomization([]snapshot{{'c', "", 30, 45}, {'b', "", 20, 20}, {'a', "", 10, 10}}, 'c', 'd', &metav1.Condition{Type: meta.ReadyCondition, Status: metav1.ConditionFalse, Reason: "BuildFailed", LastTransitionTime: metav1.NewTime(t0.Add(time.Hour))}))
	target, err := Pick(context.Background(), entries, Choice{Steps: 2})
	if err != nil {
		t.Fatal(err)
	}
	p := PlanFromHistory(entries, target)
	if p.Target.SHA != commit('b') || len(p.Undoes) != 2 || p.Undoes[0].SHA != commit('d') || !p.Undoes[0].NeverApplied || p.Undoes[1].SHA != commit('c') {
		t.Fatalf("plan = %+v", p)
	}
	want := "back to bbbbbbbbbbbb (first applied 2026-12-01T09:20:00Z), undoing 2 commits: dddddddddddd (never applied), cccccccccccc (first applied 2026-12-01T09:30:00Z)"
	if got := p.Summary(); got != want {
		t.Errorf("summary\n got %s\nwant %s", got, want)
	}
}

// TestPickRefusesTies: Flux records times to the second, and on a fast cluster a branch
// switch and its restore apply two commits within one. Counting back across commits
// whose order nothing decides is refused (naming them, and the ways out) instead of
// guessed; Git's ancestry, with --git-dir, decides it; a tie the count does not cross
// changes nothing.
func TestPickRefusesTies(t *testing.T) {
	byLetter := func(a, b string) (bool, bool) { return a[0] < b[0], true }
	tests := []struct {
		name     string
		snaps    []snapshot
		ancestry Ancestry
		choice   Choice
		want     string
		code     exitcode.Code
	}{
		{"switch and restore in one second, one step back", []snapshot{{'e', "", 30, 30}, {'f', "", 30, 30}, {'b', "", 20, 20}, {'a', "", 10, 10}}, nil, Choice{Steps: 1}, "", exitcode.Usage},
		{"switch and restore in one second, last good", []snapshot{{'e', "", 30, 30}, {'f', "", 30, 30}, {'b', "", 20, 20}, {'a', "", 10, 10}}, nil, Choice{LastGood: true}, "", exitcode.Usage},
		{"switch and restore in one second, a named commit", []snapshot{{'e', "", 30, 30}, {'f', "", 30, 30}, {'b', "", 20, 20}, {'a', "", 10, 10}}, nil, Choice{To: commit('b')}, "b", 0},
		{"switch and restore in one second, ordered by Git", []snapshot{{'e', "", 30, 30}, {'f', "", 30, 30}, {'b', "", 20, 20}, {'a', "", 10, 10}}, byLetter, Choice{Steps: 1}, "b", 0},
		{"a tie further back, one step", []snapshot{{'d', "", 40, 40}, {'c', "", 30, 30}, {'b', "", 20, 20}, {'a', "", 20, 20}}, nil, Choice{Steps: 1}, "c", 0},
		{"a tie further back, last good", []snapshot{{'d', "", 40, 40}, {'c', "", 30, 30}, {'b', "", 20, 20}, {'a', "", 20, 20}}, nil, Choice{LastGood: true}, "c", 0},
		{"a tie further back, two steps", []snapshot{{'d', "", 40, 40}, {'c', "", 30, 30}, {'b', "", 20, 20}, {'a', "", 20, 20}}, nil, Choice{Steps: 2}, "", exitcode.Usage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries := FromKustomization(kustomization(tt.snaps, tt.snaps[0].commit, tt.snaps[0].commit, nil))
			if tt.ancestry != nil {
				Reorder(entries, tt.ancestry)
			}
			got, err := Pick(context.Background(), entries, tt.choice)
			if exitcode.Of(err) != tt.code || (tt.want != "" && (got.SHA == "" || got.SHA[0] != tt.want[0])) {
				t.Fatalf("Pick(%+v) = %.1s, %v; want %q, exit code %d", tt.choice, got.SHA, err, tt.want, tt.code)
			}
			if tt.code == exitcode.Usage && (!strings.Contains(err.Error(), "same second") || !strings.Contains(err.Error(), "--to") || !strings.Contains(err.Error(), "--git-dir")) {
				t.Errorf("refusal does not say why and what to do: %v", err)
			}
		})
	}
}
