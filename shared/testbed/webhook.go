package testbed

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Notice is one event a generic Provider posted to a Webhook: the fields of Flux's
// event that tests check.
type Notice struct {
	InvolvedObject struct {
		Kind, Namespace, Name string
	} `json:"involvedObject"`
	Severity string `json:"severity"`
	Reason   string `json:"reason"`
	Message  string `json:"message"`
}

// Webhook is an HTTP receiver on loopback that records what notification-controller
// posts to it: the far end of an Alert, to prove what was (and was not) delivered.
type Webhook struct {
	URL string
	mu  sync.Mutex
	got []Notice
}

// StartWebhook starts a Webhook, stopped when the test ends.
func StartWebhook(t testing.TB) *Webhook {
	w := &Webhook{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		var n Notice
		if err := json.Unmarshal(data, &n); err == nil {
			w.mu.Lock()
			w.got = append(w.got, n)
			w.mu.Unlock()
		}
		rw.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	w.URL = srv.URL
	return w
}

// Received returns a copy of the notices received so far, in arrival order.
func (w *Webhook) Received() []Notice {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Notice(nil), w.got...)
}
