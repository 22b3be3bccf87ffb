package trace

import (
	"context"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
)

// Event is a recent Warning event about a hop: what the object's controller (or
// Flux's) complained about, so that a trace answers it without `flux events`.
type Event struct {
	Reason  string    `json:"reason"`
	Message string    `json:"message"`
	Count   int64     `json:"count,omitempty"`
	Last    time.Time `json:"lastSeen"`
	// From is the component that reported it (kustomize-controller, …).
	From string `json:"from,omitempty"`
}

// Bounds of the events a trace reads and shows.
const (
	maxEventsPerHop = 5
	// maxEventPages bounds the pages read per namespace: a namespace flooded with
	// events must not make a trace slow or large.
	maxEventPages = 4
)

var eventsResource = schema.GroupVersionResource{Version: "v1", Resource: "events"}

// AttachEvents puts beside every hop its recent Warning events, newest first, at most
// maxEventsPerHop: one list per namespace the reports touch in each cluster (Warnings
// only, by field selector), not one per hop. Events that cannot be read (RBAC) are
// left out; the trace itself does not depend on them. It reads through the tracer's
// clients: those of the object's cluster and of every cluster the traces crossed into.
func (t *Tracer) AttachEvents(ctx context.Context, reports []*Report) {
	AttachEvents(ctx, t.clients(), reports)
}

// Clients are the dynamic clients of the clusters this tracer read, by cluster name.
func (t *Tracer) Clients() map[string]dynamic.Interface { return t.clients() }

// clients are the dynamic clients of the clusters this tracer read, by cluster name.
func (t *Tracer) clients() map[string]dynamic.Interface {
	m := map[string]dynamic.Interface{t.cluster: t.dyn}
	for _, f := range t.found {
		if f.t != nil {
			m[f.t.cluster] = f.t.dyn
		}
	}
	return m
}

// AttachEvents is Tracer.AttachEvents over clients by cluster name.
func AttachEvents(ctx context.Context, clients map[string]dynamic.Interface, reports []*Report) {
	type where struct{ cluster, namespace string }
	namespaces := map[where]bool{}
	for _, r := range reports {
		for _, h := range r.Hops {
			if h.Ref.Namespace != "" && clients[h.Cluster] != nil {
				namespaces[where{h.Cluster, h.Ref.Namespace}] = true
			}
		}
	}
	type key struct{ cluster, kind, namespace, name string }
	byObject := map[key][]Event{}
	for w := range namespaces {
		opts := metav1.ListOptions{FieldSelector: "type=Warning", Limit: 500}
		for page := 0; page < maxEventPages; page++ {
			list, err := clients[w.cluster].Resource(eventsResource).Namespace(w.namespace).List(ctx, opts)
			if err != nil {
				break
			}
			for _, u := range list.Items {
				k := key{
					cluster:   w.cluster,
					kind:      nested(u.Object, "involvedObject", "kind"),
					namespace: nested(u.Object, "involvedObject", "namespace"),
					name:      nested(u.Object, "involvedObject", "name"),
				}
				byObject[k] = append(byObject[k], eventOf(&u))
			}
			if opts.Continue = list.GetContinue(); opts.Continue == "" {
				break
			}
		}
	}
	for _, r := range reports {
		for i := range r.Hops {
			h := &r.Hops[i]
			events := byObject[key{h.Cluster, h.Ref.Kind, h.Ref.Namespace, h.Ref.Name}]
			slices.SortFunc(events, func(a, b Event) int { return b.Last.Compare(a.Last) })
			if len(events) > maxEventsPerHop {
				events = events[:maxEventsPerHop]
			}
			h.Events = events
		}
	}
}

func eventOf(u *unstructured.Unstructured) Event {
	// Flux's messages can hold a source's URL with its credentials: masked here, so that
	// no format prints them.
	e := Event{Reason: nested(u.Object, "reason"), Message: redact.Text(nested(u.Object, "message")), From: nested(u.Object, "source", "component")}
	if e.From == "" {
		e.From = nested(u.Object, "reportingComponent")
	}
	e.Count, _, _ = unstructured.NestedInt64(u.Object, "count")
	for _, field := range [][]string{{"lastTimestamp"}, {"series", "lastObservedTime"}, {"eventTime"}, {"metadata", "creationTimestamp"}} {
		if t, err := time.Parse(time.RFC3339, nested(u.Object, field...)); err == nil {
			e.Last = t
			break
		}
	}
	return e
}

func nested(obj map[string]any, fields ...string) string {
	s, _, _ := unstructured.NestedString(obj, fields...)
	return s
}
