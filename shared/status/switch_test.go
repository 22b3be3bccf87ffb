package status

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"

	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
)

func ptr(s string) *string { return &s }

func TestSwitchOf(t *testing.T) {
	for _, tc := range []struct {
		name        string
		annotations map[string]string
		want        *Switch
		err         string
	}{
		{"absent", map[string]string{"other": "x"}, nil, ""},
		{"nil annotations", nil, nil, ""},
		{"a record", map[string]string{SwitchAnnotation: `{"action":"pin","refBefore":{"branch":"main","tag":"v1"},"by":"bob","at":"2026-01-02T03:04:05Z","parent":"ns/p","parentDisabled":true,"reconcileBefore":"enabled","undo":"kubectl gitops rollback unpin apps -n ns"}`},
			&Switch{Action: "pin", RefBefore: &sourcev1.GitRepositoryRef{Branch: "main", Tag: "v1"}, By: "bob", At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
				Parent: "ns/p", ParentDisabled: true, ReconcileBefore: ptr("enabled"), Undo: "kubectl gitops rollback unpin apps -n ns"}, ""},
		{"truncated", map[string]string{SwitchAnnotation: `{"refBefore":{"branch":`}, nil, "annotation gitops.kubectl.io/switch is not a record this suite wrote: unexpected end of JSON input"},
		{"empty", map[string]string{SwitchAnnotation: ""}, nil, "annotation gitops.kubectl.io/switch is not a record this suite wrote: unexpected end of JSON input"},
		{"a list", map[string]string{SwitchAnnotation: `[]`}, nil, "annotation gitops.kubectl.io/switch is not a record this suite wrote: json: cannot unmarshal array into Go value of type status.Switch"},
		{"a wrong type", map[string]string{SwitchAnnotation: `{"at":"yesterday"}`}, nil, "annotation gitops.kubectl.io/switch is not a record this suite wrote: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SwitchOf(tc.annotations)
			if tc.err == "" {
				if err != nil || !reflect.DeepEqual(got, tc.want) {
					t.Errorf("SwitchOf = %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			if got != nil || err == nil || !strings.HasPrefix(err.Error(), tc.err) {
				t.Errorf("SwitchOf = %+v, %v; want %q", got, err, tc.err)
			}
		})
	}
}

// TestUndoCommand: the undo a record holds is canonical (it outlives the invocation that
// wrote it); whoever reads it is told the command as they run the suite.
func TestUndoCommand(t *testing.T) {
	pinned := &Switch{Undo: "kubectl gitops rollback unpin apps -n team-a"}
	tests := []struct {
		invoked string
		rec     *Switch
		want    string
	}{
		{"kubectl gitops", &Switch{}, "kubectl gitops branch restore fleet -n team-a"},
		{"kubectl gitops", pinned, "kubectl gitops rollback unpin apps -n team-a"},
		{"flux gitops", &Switch{}, "flux gitops branch restore fleet -n team-a"},
		{"flux gitops", pinned, "flux gitops rollback unpin apps -n team-a"},
		{"kubectl gitops-branch", &Switch{}, "kubectl gitops-branch restore fleet -n team-a"},
		{"kubectl gitops-branch", pinned, "kubectl gitops-rollback unpin apps -n team-a"},
		// recorded by another tool: left as it is
		{"flux gitops", &Switch{Undo: "flux resume source git fleet"}, "flux resume source git fleet"},
	}
	for _, tt := range tests {
		t.Run(tt.invoked+"/"+tt.want, func(t *testing.T) {
			ctx := invocation.NewContext(context.Background(), invocation.Parse(tt.invoked))
			if got := tt.rec.UndoCommand(ctx, "team-a", "fleet"); got != tt.want {
				t.Errorf("UndoCommand = %q, want %q", got, tt.want)
			}
		})
	}
	if got := RestoreCommand("team-a", "fleet"); got != "kubectl gitops branch restore fleet -n team-a" {
		t.Errorf("RestoreCommand, recorded, is canonical: %q", got)
	}
}
