package testbed

import (
	"context"
	"fmt"
	"os"
	"strconv"
)

// startNotification starts notification-controller on loopback ports and returns the
// address ("127.0.0.1:PORT") of its event receiver, which the other controllers post
// their events to (--events-addr). It watches every namespace, as Flux installs it,
// and its rate limit is the shortest it takes: a test that breaks a Kustomization
// twice within the default five minutes must still see the second alert.
func (b *Bed) startNotification(ctx context.Context) (string, error) {
	if _, err := os.Stat(b.Assets.Bin("notification-controller")); err != nil {
		return "", fmt.Errorf("test bed binary notification-controller not found in %s: run 'make testbin' first", b.Assets.Dir)
	}
	ports, err := freePorts(4)
	if err != nil {
		return "", err
	}
	addr := func(i int) string { return "127.0.0.1:" + strconv.Itoa(ports[i]) }
	p, err := b.startProcess("notification-controller", []string{
		"--events-addr=" + addr(0), "--receiverAddr=" + addr(1),
		"--metrics-addr=" + addr(2), "--health-addr=" + addr(3),
		"--enable-leader-election=false", "--watch-all-namespaces=true",
		"--rate-limit-interval=1s", "--log-level=debug",
	})
	if err != nil {
		return "", err
	}
	b.procs = append(b.procs, p)
	if err := waitHealthy(ctx, p, "http://"+addr(3)+"/readyz"); err != nil {
		return "", err
	}
	return addr(0), nil
}
