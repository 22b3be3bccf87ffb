package timeline

import (
	"context"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

var eventsResource = schema.GroupVersionResource{Version: "v1", Resource: "events"}

// maxEvents bounds the Warning events read for one object.
const maxEvents = 100

// failures are the times l's controller reported a failure of it (Warning events,
// each occurrence's last time): one list, by field selector. Events that cannot be
// read leave the retries unattributed, not the timeline broken.
func failures(ctx context.Context, dyn dynamic.Interface, l Link) []time.Time {
	if dyn == nil {
		return nil
	}
	list, err := dyn.Resource(eventsResource).Namespace(l.Namespace).List(ctx, metav1.ListOptions{
		FieldSelector: "type=Warning,involvedObject.kind=" + l.Kind + ",involvedObject.name=" + l.Name,
		Limit:         maxEvents,
	})
	if err != nil {
		return nil
	}
	var out []time.Time
	for _, e := range list.Items {
		for _, f := range []string{"lastTimestamp", "eventTime", "firstTimestamp"} {
			if v, ok := e.Object[f].(string); ok {
				if t, err := time.Parse(time.RFC3339, v); err == nil {
					out = append(out, t)
					break
				}
			}
		}
	}
	return out
}
