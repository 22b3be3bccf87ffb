package deps

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestReceiverTriggers: a Receiver names a source by kind and name, or every one of
// the kind with "*" (in its own namespace unless it says another); a "*" narrowed by
// labels names none, as far as the graph can tell.
func TestReceiverTriggers(t *testing.T) {
	recv := func(resources ...any) Receiver {
		return ReceiverOf(&unstructured.Unstructured{Object: map[string]any{
			"metadata": map[string]any{"name": "github", "namespace": "flux-system"},
			"spec":     map[string]any{"resources": resources},
		}})
	}
	fleet := SourceRef{Kind: "GitRepository", Namespace: "flux-system", Name: "fleet"}
	tests := []struct {
		name string
		r    Receiver
		want bool
	}{
		{"by name", recv(map[string]any{"kind": "GitRepository", "name": "fleet"}), true},
		{"another name", recv(map[string]any{"kind": "GitRepository", "name": "other"}), false},
		{"every one of the kind", recv(map[string]any{"kind": "GitRepository", "name": "*"}), true},
		{"another kind", recv(map[string]any{"kind": "OCIRepository", "name": "fleet"}), false},
		{"another namespace", recv(map[string]any{"kind": "GitRepository", "name": "fleet", "namespace": "team-a"}), false},
		{"by labels", recv(map[string]any{"kind": "GitRepository", "name": "*", "matchLabels": map[string]any{"team": "a"}}), false},
	}
	for _, tt := range tests {
		if got := tt.r.Triggers(fleet); got != tt.want {
			t.Errorf("%s: Triggers = %v, want %v", tt.name, got, tt.want)
		}
	}
	// A Receiver makes the typical wait for the source nothing; the poll stays the worst.
	nodes := []Node{{Kind: KindKustomization, Namespace: "flux-system", Name: "apps", SourceRef: fleet, SourceInterval: 10 * time.Minute}}
	SetSourceReceivers(nodes, []Receiver{tests[0].r})
	b := Latency(nodes, 30*time.Second)[0]
	if nodes[0].SourceReceiver != "flux-system/github" || b.Typical != 0 || b.Worst != 10*time.Minute || b.Path[0].What != "webhook (else source poll)" {
		t.Errorf("with a Receiver: %+v, budget %+v", nodes[0].SourceReceiver, b)
	}
}
