package cluster

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
)

func TestLostWatch(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	w := newLostWatch()
	rt := w.wrap(roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, refused }))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://127.0.0.1/api", nil)
	_, _ = rt.RoundTrip(req)
	select {
	case err := <-w.lost:
		t.Fatalf("a request cancelled by Ctrl-C reported the server lost: %v", err)
	default:
	}

	req, _ = http.NewRequest(http.MethodGet, "https://127.0.0.1/api", nil)
	_, _ = rt.RoundTrip(req)
	_, _ = rt.RoundTrip(req) // reported once
	select {
	case err := <-w.lost:
		if !errors.Is(err, refused) {
			t.Errorf("lost = %v", err)
		}
	default:
		t.Fatal("a refused connection did not report the server lost")
	}
}
