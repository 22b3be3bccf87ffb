// Package dev is the development session of the guide's "Local Development Workflow":
// pause the Kustomizations a change is about, try manifests live, checkpoint in Git,
// then squash, push and hand the cluster back to Flux with nothing left behind.
//
// A session is recorded in the cluster (a ConfigMap beside the source), not in the
// terminal: it survives the shell closing, colleagues see it with `dev status`, and
// `dev abort` from any shell undoes it exactly. Every object the session writes is
// written under the suite's field manager and listed in the record, because Flux never
// prunes what is in no inventory and never removes fields it does not own.
package dev

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// Names of the record.
const (
	// SessionLabel marks a session's ConfigMap; its value is the session ID.
	SessionLabel = "gitops.kubectl.io/dev-session"
	// BranchPrefix starts the name of every session branch: dev/<id>.
	BranchPrefix = "dev/"
	recordPrefix = "gitops-dev-"
	recordKey    = "session.json"
	// reasonPrefix starts the suspension reason a session writes; it is how hand-back
	// knows a suspension is the session's own and not someone else's.
	reasonPrefix = "dev session "
)

var configMaps = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

// Applied is an object `dev test` wrote: Created says it did not exist before the
// session, so that hand-back deletes it unless Git declares it.
type Applied struct {
	output.ObjectRef `json:",inline"`
	Created          bool      `json:"created"`
	At               time.Time `json:"at"`
}

// Checkpoint is a commit `dev checkpoint` made on the session branch.
type Checkpoint struct {
	Commit  string    `json:"commit"`
	Message string    `json:"message"`
	At      time.Time `json:"at"`
}

// Session is the record of one development session: the DevSession document `dev
// status -o json|yaml` prints, and what the ConfigMap holds.
type Session struct {
	output.TypeMeta `json:",inline"`
	ID              string     `json:"id"`
	Description     string     `json:"description"`
	User            string     `json:"user,omitempty"`
	Started         time.Time  `json:"started"`
	Until           *time.Time `json:"until,omitempty"`
	// Namespace is where the record lives: the source's.
	Namespace string           `json:"namespace"`
	Source    output.ObjectRef `json:"source"`
	// TrackedBranch is the branch Flux applies; Branch the session's, made from Base.
	TrackedBranch  string             `json:"trackedBranch"`
	Branch         string             `json:"branch"`
	Base           string             `json:"base"`
	Kustomizations []output.ObjectRef `json:"kustomizations"`
	Applied        []Applied          `json:"applied,omitempty"`
	Checkpoints    []Checkpoint       `json:"checkpoints,omitempty"`
	// Overdue is computed when read: the session outlived its intended end.
	Overdue bool `json:"overdue,omitempty"`

	resourceVersion string
	uid             types.UID
}

// Reason is the suspension reason the session writes on what it pauses.
func (s *Session) Reason() string { return reasonPrefix + s.ID + ": " + s.Description }

// owns reports whether a suspension reason is this session's.
func (s *Session) owns(reason string) bool { return strings.HasPrefix(reason, reasonPrefix+s.ID+": ") }

// pauses reports whether the session paused Kustomization namespace/name.
func (s *Session) pauses(namespace, name string) bool {
	for _, k := range s.Kustomizations {
		if k.Namespace == namespace && k.Name == name {
			return true
		}
	}
	return false
}

var slugUnsafe = regexp.MustCompile(`[^a-z0-9]+`)

// Slug turns a description into a session ID and branch name: "implementing feature
// X" becomes implementing-feature-x, at most 40 characters, so that it fits a
// ConfigMap name and reads well in a branch name.
func Slug(description string) (string, error) {
	s := strings.Trim(slugUnsafe.ReplaceAllString(strings.ToLower(description), "-"), "-")
	if len(s) > 40 {
		s = s[:40]
		if i := strings.LastIndex(s, "-"); i > 20 {
			s = s[:i] // a whole word rather than half of one
		}
		s = strings.TrimRight(s, "-")
	}
	if s == "" {
		return "", exitcode.New(exitcode.Usage, "the description %q has no letter or digit to name the session by: describe the change, e.g. \"implementing feature X\"", output.Safe(description))
	}
	return s, nil
}

// Store reads and writes session records with the suite's field manager, every update
// and delete under a resourceVersion precondition: two commands of one session run from
// two terminals never lose each other's entries.
type Store struct {
	Dyn    dynamic.Interface
	DryRun bool
}

func recordName(id string) string { return recordPrefix + id }

// List returns every session in namespace ("" for all). A user who may not list
// ConfigMaps cluster-wide gets those of fallback, and a note saying so.
func (st Store) List(ctx context.Context, namespace, fallback string) ([]*Session, string, error) {
	list, err := st.Dyn.Resource(configMaps).Namespace(namespace).List(ctx, metav1.ListOptions{LabelSelector: SessionLabel})
	note := ""
	if err != nil && apierrors.IsForbidden(err) && namespace == "" && fallback != "" {
		note = fmt.Sprintf("may not list ConfigMaps in every namespace: showing the sessions of namespace %s only", fallback)
		list, err = st.Dyn.Resource(configMaps).Namespace(fallback).List(ctx, metav1.ListOptions{LabelSelector: SessionLabel})
	}
	if err != nil {
		return nil, "", cluster.Classify(err)
	}
	var out []*Session
	for i := range list.Items {
		s, err := decode(&list.Items[i])
		if err != nil {
			return nil, "", err
		}
		out = append(out, s)
	}
	return out, note, nil
}

// Get reads session id in namespace.
func (st Store) Get(ctx context.Context, namespace, id string) (*Session, error) {
	u, err := st.Dyn.Resource(configMaps).Namespace(namespace).Get(ctx, recordName(id), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, exitcode.New(exitcode.NotFound, "no dev session %q in namespace %s: list the open ones with '%s'", id, namespace, invocation.Command(ctx, "dev status"))
	}
	if err != nil {
		return nil, cluster.Classify(err)
	}
	return decode(u)
}

// Create writes a new record; an existing one of the same ID is refused.
func (st Store) Create(ctx context.Context, s *Session) error {
	u, err := encode(s)
	if err != nil {
		return err
	}
	out, err := st.Dyn.Resource(configMaps).Namespace(s.Namespace).Create(ctx, u, metav1.CreateOptions{FieldManager: cluster.FieldManager, DryRun: st.dryRun()})
	if apierrors.IsAlreadyExists(err) {
		return exitcode.New(exitcode.Failure, "a dev session %q is already open in namespace %s: finish or abort it first ('%s')", s.ID, s.Namespace, invocation.Command(ctx, "dev status"))
	}
	if err != nil {
		return cluster.Classify(err)
	}
	s.resourceVersion, s.uid = out.GetResourceVersion(), out.GetUID()
	return nil
}

// Modify re-reads the record, applies change and writes it back under the
// resourceVersion it read; a concurrent write makes it read and change again.
func (st Store) Modify(ctx context.Context, s *Session, change func(*Session)) error {
	for attempt := 0; ; attempt++ {
		fresh, err := st.Get(ctx, s.Namespace, s.ID)
		if err != nil {
			return err
		}
		change(fresh)
		u, err := encode(fresh)
		if err != nil {
			return err
		}
		u.SetResourceVersion(fresh.resourceVersion)
		out, err := st.Dyn.Resource(configMaps).Namespace(s.Namespace).Update(ctx, u, metav1.UpdateOptions{FieldManager: cluster.FieldManager, DryRun: st.dryRun()})
		if apierrors.IsConflict(err) && attempt < 3 {
			continue
		}
		if err != nil {
			return cluster.Classify(err)
		}
		*s = *fresh
		s.resourceVersion = out.GetResourceVersion()
		return nil
	}
}

// Delete removes the record, only the one that was read (its UID).
func (st Store) Delete(ctx context.Context, s *Session) error {
	opts := metav1.DeleteOptions{DryRun: st.dryRun()}
	if s.uid != "" {
		opts.Preconditions = &metav1.Preconditions{UID: &s.uid}
	}
	err := st.Dyn.Resource(configMaps).Namespace(s.Namespace).Delete(ctx, recordName(s.ID), opts)
	if err != nil && !apierrors.IsNotFound(err) {
		return cluster.Classify(err)
	}
	return nil
}

func (st Store) dryRun() []string {
	if st.DryRun {
		return []string{metav1.DryRunAll}
	}
	return nil
}

func encode(s *Session) (*unstructured.Unstructured, error) {
	doc := *s
	doc.TypeMeta, doc.Overdue = output.NewTypeMeta(output.KindDevSession), false
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	cm := &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{
			Name: recordName(s.ID), Namespace: s.Namespace,
			Labels: map[string]string{SessionLabel: s.ID},
			// Read by anyone, however they run the suite: canonical (package invocation).
			Annotations: map[string]string{"gitops.kubectl.io/description": "kubectl gitops dev session: see 'kubectl gitops dev status'; close it with 'kubectl gitops dev finish' or 'abort'"},
		},
		Data: map[string]string{recordKey: string(raw)},
	}
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(cm)
	if err != nil {
		return nil, err
	}
	return &unstructured.Unstructured{Object: obj}, nil
}

func decode(u *unstructured.Unstructured) (*Session, error) {
	raw, _, _ := unstructured.NestedString(u.Object, "data", recordKey)
	var s Session
	if err := json.Unmarshal([]byte(raw), &s); err != nil || s.ID == "" {
		return nil, exitcode.New(exitcode.Failure, "ConfigMap %s/%s is labelled %s but holds no session this suite wrote: delete it if it is stale", u.GetNamespace(), u.GetName(), SessionLabel)
	}
	s.TypeMeta = output.NewTypeMeta(output.KindDevSession)
	s.Namespace, s.resourceVersion, s.uid = u.GetNamespace(), u.GetResourceVersion(), u.GetUID()
	s.Overdue = s.Until != nil && time.Now().After(*s.Until)
	return &s, nil
}
