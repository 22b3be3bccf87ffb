package cluster

import (
	"context"
	"errors"
	"net/http"
	"sync"
)

// lostWatch watches every request a command makes and reports the first one that got
// no answer from the server (refused, reset, timed out): from then on every further
// request would wait for the same timeout, so a command reading many objects stops at
// once instead of waiting once per object.
type lostWatch struct {
	once sync.Once
	lost chan error
}

func newLostWatch() *lostWatch { return &lostWatch{lost: make(chan error, 1)} }

func (w *lostWatch) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		// A request cancelled by Ctrl-C is not a lost server; one whose deadline
		// (--request-timeout) passed is.
		if err != nil && !errors.Is(r.Context().Err(), context.Canceled) && IsUnreachable(err) {
			w.once.Do(func() { w.lost <- Classify(err) })
		}
		return resp, err
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
