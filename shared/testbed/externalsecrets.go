package testbed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
)

// ExternalSecretGVR is External Secrets' ExternalSecret at the version its CRD stores.
var ExternalSecretGVR = schema.GroupVersionResource{Group: "external-secrets.io", Version: "v1", Resource: "externalsecrets"}

// SyncExternalSecret does what External Secrets' controller (v0.16.2,
// pkg/controllers/externalsecret) does once it has read data from the store: it
// creates the target Secret (spec.target.name, else the ExternalSecret's name) owned
// by the ExternalSecret (controller, blockOwnerDeletion: creationPolicy Owner), with
// the ExternalSecret's labels and annotations copied onto it as the controller copies
// them without a template (Flux's among them), its managed label, and then sets the
// ExternalSecret's status through the status subresource: Ready True SecretSynced,
// refreshTime, syncedResourceVersion and binding. The bed runs no such controller
// (Options.ExternalSecrets says why); this is its write, not a guess at its result.
func (b *Bed) SyncExternalSecret(ctx context.Context, namespace, name string, data map[string][]byte) error {
	es, err := b.Dynamic.Resource(ExternalSecretGVR).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	target, _, _ := unstructured.NestedString(es.Object, "spec", "target", "name")
	if target == "" {
		target = name
	}
	labels := map[string]string{}
	for k, v := range es.GetLabels() {
		labels[k] = v
	}
	owner := sha256.Sum224([]byte(namespace + "/" + name))
	labels["reconcile.external-secrets.io/created-by"] = hex.EncodeToString(owner[:])[:56]
	labels["reconcile.external-secrets.io/managed"] = "true"
	annotations := map[string]string{}
	for k, v := range es.GetAnnotations() {
		annotations[k] = v
	}
	yes := true
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name: target, Namespace: namespace, Labels: labels, Annotations: annotations,
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: ExternalSecretGVR.GroupVersion().String(), Kind: "ExternalSecret", Name: name, UID: es.GetUID(),
				Controller: &yes, BlockOwnerDeletion: &yes,
			}},
		},
		Type: corev1.SecretTypeOpaque,
		Data: data,
	}
	cs, err := kubernetes.NewForConfig(b.Config)
	if err != nil {
		return err
	}
	_, err = cs.CoreV1().Secrets(namespace).Create(ctx, secret, metav1.CreateOptions{FieldManager: "external-secrets"})
	if err != nil {
		return fmt.Errorf("creating the ExternalSecret's Secret: %w", err)
	}
	now := time.Now().UTC().Format(time.RFC3339)
	es.Object["status"] = map[string]any{
		"refreshTime":           now,
		"syncedResourceVersion": fmt.Sprintf("%d-%s", es.GetGeneration(), hex.EncodeToString(owner[:4])),
		"binding":               map[string]any{"name": target},
		"conditions": []any{map[string]any{
			"type": "Ready", "status": "True", "reason": "SecretSynced", "message": "secret synced", "lastTransitionTime": now,
		}},
	}
	_, err = b.Dynamic.Resource(ExternalSecretGVR).Namespace(namespace).UpdateStatus(ctx, es, metav1.UpdateOptions{FieldManager: "external-secrets"})
	return err
}
