package trace

import (
	"fmt"
	"strings"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// A Secret's data is rarely in Git as it is: Git holds a SealedSecret, an
// ExternalSecret naming a key in a secret manager, or a SOPS-encrypted file that
// kustomize-controller decrypts. The chain up ownerReferences already reaches the
// SealedSecret or ExternalSecret; SecretSource says what that hop (or the decrypting
// Kustomization) makes of the Secret, by name only: no value is ever read into it.

// How SecretSource.From says where a Secret's data comes from.
const (
	// SecretFromExternalSecret: External Secrets copied it from a secret store.
	SecretFromExternalSecret = "ExternalSecret"
	// SecretFromSealedSecret: the sealed-secrets controller unsealed it.
	SecretFromSealedSecret = "SealedSecret"
	// SecretFromSOPS: kustomize-controller decrypted it from a SOPS-encrypted file.
	SecretFromSOPS = "SOPS"
)

// The groups of the two controllers that make Secrets from other objects.
const (
	externalSecretsGroup = "external-secrets.io"
	sealedSecretsGroup   = "bitnami.com"
)

// SecretSource is where a Secret's data comes from when Git does not hold it in the
// clear: on the ExternalSecret or SealedSecret hop that makes the Secret, or, for
// SOPS, on the Secret's hop under the Kustomization that decrypts it.
type SecretSource struct {
	// From is ExternalSecret, SealedSecret or SOPS.
	From string `json:"from"`
	// Store is the SecretStore or ClusterSecretStore an ExternalSecret reads
	// (spec.secretStoreRef): kind and name.
	Store *output.ObjectRef `json:"store,omitempty"`
	// RemoteKeys are the keys an ExternalSecret reads in its store, by name: each
	// spec.data[].remoteRef.key, spec.dataFrom[].extract.key, and a dataFrom find as
	// "find path P, name R" ("key (KIND NAME)" when an entry names its own store).
	RemoteKeys []string `json:"remoteKeys,omitempty"`
	// RefreshTime is when an ExternalSecret last read its store (status.refreshTime).
	RefreshTime *time.Time `json:"refreshTime,omitempty"`
	// Decryption is the Kustomization that decrypts with SOPS and KeySecret the
	// Secret holding its private keys (spec.decryption.secretRef, a name only). It
	// says the Kustomization decrypts what it applies; --git-dir confirms that the
	// file is encrypted (Commit.Git.Encrypted).
	Decryption *output.ObjectRef `json:"decryption,omitempty"`
	KeySecret  string            `json:"keySecret,omitempty"`
}

// isCoreSecret reports whether obj is a core v1 Secret.
func isCoreSecret(obj *unstructured.Unstructured) bool {
	return obj.GetKind() == "Secret" && obj.GetAPIVersion() == "v1"
}

// secretMaker is ExternalSecret or SealedSecret when obj is one, else "".
func secretMaker(obj *unstructured.Unstructured) string {
	gvk := schema.FromAPIVersionAndKind(obj.GetAPIVersion(), obj.GetKind())
	switch {
	case gvk.Group == externalSecretsGroup && gvk.Kind == "ExternalSecret":
		return SecretFromExternalSecret
	case gvk.Group == sealedSecretsGroup && gvk.Kind == "SealedSecret":
		return SecretFromSealedSecret
	}
	return ""
}

// madeFromSecretOwner reports whether obj is a Secret that its controlling owner, an
// ExternalSecret or SealedSecret, made. External Secrets copies the ExternalSecret's
// labels and annotations to the Secret it makes (without a template), Flux's and
// Helm's among them: the Secret then names the ExternalSecret's Kustomization, whose
// inventory does not list it. It is that owner Git holds, so the walk goes on to it
// rather than stopping at labels the Secret only inherited.
func madeFromSecretOwner(obj *unstructured.Unstructured, owner *metav1.OwnerReference) bool {
	if owner == nil || owner.Controller == nil || !*owner.Controller || !isCoreSecret(obj) {
		return false
	}
	gv, err := schema.ParseGroupVersion(owner.APIVersion)
	if err != nil {
		return false
	}
	return (gv.Group == externalSecretsGroup && owner.Kind == "ExternalSecret") || (gv.Group == sealedSecretsGroup && owner.Kind == "SealedSecret")
}

// labelledMadeSecret reports whether obj is a Secret its ExternalSecret or SealedSecret
// made that carries Flux labels or Helm annotations of its own: when that owner cannot
// be read, the Secret is traced from them.
func labelledMadeSecret(obj *unstructured.Unstructured, owner *metav1.OwnerReference) bool {
	_, ok := kustomizeOwner(obj)
	return (ok || isHelmManaged(obj)) && madeFromSecretOwner(obj, owner)
}

// unreadableMakerNote says that the ExternalSecret or SealedSecret ref could not be
// read, and why, by name only, and that the Secret was traced from its own labels,
// which may be the ones its maker copied from itself.
func unreadableMakerNote(ref output.ObjectRef, err error) string {
	why := redact.Text(err.Error())
	if exitcode.Of(err) == exitcode.Forbidden {
		why = "forbidden: you may not read " + ref.Kind + "s"
	}
	return fmt.Sprintf("its %s could not be read (%s): traced from the Secret's own Flux labels, which may be copies of the %s's", ref, why, ref.Kind)
}

// describeSecretMaker fills h, the hop of an ExternalSecret or SealedSecret, with its
// condition and where the Secret's data comes from; other objects are left alone.
func describeSecretMaker(h *Hop, obj *unstructured.Unstructured) {
	switch secretMaker(obj) {
	case SecretFromExternalSecret:
		h.Health = makerHealth(obj, "Ready")
		h.Secret = externalSecretSource(obj)
	case SecretFromSealedSecret:
		// The controller's one condition is Synced: whether it could unseal.
		h.Health = makerHealth(obj, "Synced")
		h.Secret = &SecretSource{From: SecretFromSealedSecret}
	}
}

// makerHealth reads the condition of type cond as the hop's Ready. These controllers
// record no observedGeneration as Flux does, so a hop is never called stale.
func makerHealth(obj *unstructured.Unstructured, cond string) *Health {
	var st struct {
		Conditions []metav1.Condition `json:"conditions"`
	}
	m, _ := obj.Object["status"].(map[string]any)
	if m != nil {
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &st); err != nil {
			c := status.Unreadable(fmt.Errorf(".status: %w", err))
			return &Health{Ready: c.Status, Reason: c.Reason, Message: c.Message}
		}
	}
	for _, c := range st.Conditions {
		if c.Type != cond {
			continue
		}
		// Messages may quote a provider's address, credentials and all: masked as
		// Flux's are.
		h := &Health{Ready: c.Status, Reason: c.Reason, Message: redact.Text(c.Message)}
		if t := c.LastTransitionTime.Time; !t.IsZero() {
			t = t.UTC().Truncate(time.Second)
			h.LastReconciled = &t
		}
		return h
	}
	return &Health{}
}

// externalSecretSource reads an ExternalSecret's store and remote keys, by name.
func externalSecretSource(obj *unstructured.Unstructured) *SecretSource {
	type storeRef struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	}
	var es struct {
		Spec struct {
			SecretStoreRef storeRef `json:"secretStoreRef"`
			Data           []struct {
				RemoteRef struct {
					Key string `json:"key"`
				} `json:"remoteRef"`
				SourceRef *struct {
					StoreRef *storeRef `json:"storeRef"`
				} `json:"sourceRef"`
			} `json:"data"`
			DataFrom []struct {
				Extract *struct {
					Key string `json:"key"`
				} `json:"extract"`
				Find *struct {
					Path *string `json:"path"`
					Name *struct {
						RegExp string `json:"regexp"`
					} `json:"name"`
				} `json:"find"`
				SourceRef *struct {
					StoreRef     *storeRef `json:"storeRef"`
					GeneratorRef *struct {
						Kind string `json:"kind"`
						Name string `json:"name"`
					} `json:"generatorRef"`
				} `json:"sourceRef"`
			} `json:"dataFrom"`
		} `json:"spec"`
		Status struct {
			RefreshTime metav1.Time `json:"refreshTime"`
		} `json:"status"`
	}
	src := &SecretSource{From: SecretFromExternalSecret}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, &es); err != nil {
		return src
	}
	storeKind := func(r storeRef) string {
		if r.Kind == "" {
			return "SecretStore"
		}
		return r.Kind
	}
	if r := es.Spec.SecretStoreRef; r.Name != "" {
		// The store is of the ExternalSecret's group and version (v1beta1 before v0.16).
		src.Store = &output.ObjectRef{APIVersion: obj.GetAPIVersion(), Kind: storeKind(r), Name: r.Name}
		if src.Store.Kind == "SecretStore" {
			src.Store.Namespace = obj.GetNamespace()
		}
	}
	// in names an entry's own store, when it is not the ExternalSecret's.
	in := func(r *storeRef) string {
		if r == nil || r.Name == "" || (src.Store != nil && storeKind(*r) == src.Store.Kind && r.Name == src.Store.Name) {
			return ""
		}
		return fmt.Sprintf(" (%s %s)", storeKind(*r), r.Name)
	}
	seen := map[string]bool{}
	add := func(k string) {
		if k != "" && !seen[k] {
			seen[k] = true
			src.RemoteKeys = append(src.RemoteKeys, k)
		}
	}
	for _, d := range es.Spec.Data {
		var r *storeRef
		if d.SourceRef != nil {
			r = d.SourceRef.StoreRef
		}
		if d.RemoteRef.Key != "" {
			add(d.RemoteRef.Key + in(r))
		}
	}
	for _, d := range es.Spec.DataFrom {
		var r *storeRef
		suffix := ""
		if d.SourceRef != nil {
			r = d.SourceRef.StoreRef
			if g := d.SourceRef.GeneratorRef; g != nil {
				suffix = fmt.Sprintf(" (generated by %s %s)", g.Kind, g.Name)
			}
		}
		switch {
		case d.Extract != nil:
			add(d.Extract.Key + in(r) + suffix)
		case d.Find != nil:
			var by []string
			if d.Find.Path != nil {
				by = append(by, "path "+*d.Find.Path)
			}
			if d.Find.Name != nil {
				by = append(by, "name "+d.Find.Name.RegExp)
			}
			add(strings.TrimSpace("find "+strings.Join(by, ", ")) + in(r))
		case suffix != "":
			add(strings.TrimSpace(suffix[2 : len(suffix)-1]))
		}
	}
	if t := es.Status.RefreshTime.Time; !t.IsZero() {
		t = t.UTC().Truncate(time.Second)
		src.RefreshTime = &t
	}
	return src
}

// sopsSource is what a Secret applied by ks says when ks decrypts with SOPS; nil
// when it does not.
func sopsSource(ks *kustomizev1.Kustomization) *SecretSource {
	d := ks.Spec.Decryption
	if d == nil || !strings.EqualFold(d.Provider, "sops") {
		return nil
	}
	src := &SecretSource{From: SecretFromSOPS, Decryption: &output.ObjectRef{APIVersion: kustomizev1.GroupVersion.String(), Kind: flux.KindKustomization, Namespace: ks.Namespace, Name: ks.Name}}
	if d.SecretRef != nil {
		src.KeySecret = d.SecretRef.Name
	}
	return src
}

// line is the human summary of a SecretSource on the hop of ref; git is the commit's
// file, when --git-dir (or an origin annotation) found it.
func (s *SecretSource) line(ref output.ObjectRef, git *GitLocation, now time.Time) string {
	switch s.From {
	case SecretFromExternalSecret:
		line := "copied by External Secrets (ExternalSecret " + name(ref) + ") from "
		if s.Store != nil {
			line += s.Store.Kind + " " + s.Store.Name
		} else {
			line += "no store named"
		}
		if len(s.RemoteKeys) > 0 {
			line += ", remote keys " + strings.Join(s.RemoteKeys, ", ")
		}
		if s.RefreshTime != nil {
			return line + ", last refreshed " + output.Age(now, *s.RefreshTime) + " ago"
		}
		return line + ", never refreshed"
	case SecretFromSealedSecret:
		return "unsealed by the sealed-secrets controller from SealedSecret " + name(ref) + "; Git holds the SealedSecret, encrypted"
	case SecretFromSOPS:
		keys := ""
		if s.KeySecret != "" {
			keys = " (keys in Secret " + s.KeySecret + ")"
		}
		switch {
		case git != nil && git.Encrypted == EncryptedSOPS:
			return "decrypted with SOPS by Kustomization " + name(*s.Decryption) + keys + " from the encrypted file " + git.File
		case git != nil && git.Encrypted == EncryptedNone && git.File != "":
			// Read in the clone, the Secret's document found: it is in the clear.
			return "applied by Kustomization " + name(*s.Decryption) + ", which decrypts with SOPS" + keys + ", but " + git.File + " is not encrypted: Git holds this Secret in the clear"
		case git != nil && git.Encrypted == EncryptedUnknown && git.File != "":
			// The Git line says why it could not be read.
			return "applied by Kustomization " + name(*s.Decryption) + ", which decrypts SOPS-encrypted files" + keys + ": whether " + git.File + " is encrypted could not be read"
		}
		return "applied by Kustomization " + name(*s.Decryption) + ", which decrypts SOPS-encrypted files" + keys + ": give --git-dir to name the encrypted file"
	}
	return ""
}
