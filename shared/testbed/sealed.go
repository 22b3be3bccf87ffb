package testbed

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// SealedSecretsNamespace holds the sealed-secrets controller's sealing keys, as its
// own namespace does in a cluster (kube-system by default there).
const SealedSecretsNamespace = "sealed-secrets"

// startSealedSecrets starts the sealed-secrets controller against the bed's API server
// (built to read $KUBECONFIG, see hack/testbin.sh), its keys in SealedSecretsNamespace,
// its HTTP endpoints on loopback ports, and waits until it serves its certificate.
// Its keys are 2048 bits rather than 4096: generating one at start is most of its
// start-up, and nothing in a test depends on the size.
func (b *Bed) startSealedSecrets(ctx context.Context) error {
	if _, err := os.Stat(b.Assets.Bin("sealed-secrets-controller")); err != nil {
		return fmt.Errorf("test bed binary sealed-secrets-controller not found in %s: run 'make testbin' first", b.Assets.Dir)
	}
	cs, err := kubernetes.NewForConfig(b.Config)
	if err != nil {
		return err
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: SealedSecretsNamespace}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		return err
	}
	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	addr := func(i int) string { return "127.0.0.1:" + strconv.Itoa(ports[i]) }
	p, err := b.startProcessEnv("sealed-secrets-controller", "sealed-secrets-controller", []string{
		"--listen-addr=" + addr(0), "--listen-metrics-addr=" + addr(1),
		"--key-size=2048", "--all-namespaces=true",
	}, b.Kubeconfig, "POD_NAMESPACE="+SealedSecretsNamespace)
	if err != nil {
		return err
	}
	b.procs = append(b.procs, p)
	b.sealedCert = "http://" + addr(0) + "/v1/cert.pem"
	// The certificate is served once the first key exists: ready to seal.
	return waitHealthy(ctx, p, b.sealedCert)
}

// Seal encrypts a Secret manifest into a SealedSecret manifest (YAML) with kubeseal and
// the bed controller's certificate, read from its HTTP endpoint on loopback, as
// `kubeseal --cert URL` does outside a cluster.
func (b *Bed) Seal(ctx context.Context, secretYAML string) (string, error) {
	if b.sealedCert == "" {
		return "", fmt.Errorf("the bed runs no sealed-secrets controller: start it with Options.SealedSecrets")
	}
	cmd := exec.CommandContext(ctx, b.Assets.Bin("kubeseal"), "--cert", b.sealedCert, "--format", "yaml")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+b.Kubeconfig)
	cmd.Stdin = bytes.NewBufferString(secretYAML)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("kubeseal: %w: %s", err, stderr.String())
	}
	return stdout.String(), nil
}
