package history

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
)

// Revision is one commit a rollback names: its target, or one it takes out of the
// cluster. What Git says (subject, author) is filled from a clone; without one, when
// Flux applied it is what identifies it.
type Revision struct {
	SHA          string     `json:"sha"`
	Subject      string     `json:"subject,omitempty"`
	Author       string     `json:"author,omitempty"`
	FirstApplied *time.Time `json:"firstApplied,omitempty"`
	LastApplied  *time.Time `json:"lastApplied,omitempty"`
	// NeverApplied says Flux tried this commit and could not apply it.
	NeverApplied bool `json:"neverApplied,omitempty"`
}

// Plan is what a pin or a revert is about to do, shown before anything is written (in
// the confirmation, the dry run and the result): the revision it goes back to and the
// commits it undoes, newest first.
type Plan struct {
	// Target is the revision gone back to; nil when one commit is undone alone.
	Target *Revision  `json:"target,omitempty"`
	Undoes []Revision `json:"undoes"`
	// More counts the commits undone beyond those listed.
	More int `json:"more,omitempty"`
}

// maxListed bounds the commits a plan lists: a pin far back names the newest ones and
// counts the rest.
const maxListed = 10

// String names the revision for one line: the short SHA, and its subject and author,
// or else when Flux applied it.
func (r Revision) String() string {
	s := git.Short(r.SHA)
	switch {
	case r.Subject != "":
		s += fmt.Sprintf(" %q", r.Subject)
		if r.Author != "" {
			s += " by " + r.Author
		}
	case r.NeverApplied:
		s += " (never applied)"
	case r.FirstApplied != nil:
		s += " (first applied " + r.FirstApplied.Format(time.RFC3339) + ")"
	}
	return s
}

// Summary is the plan in one line, for the confirmation.
func (p *Plan) Summary() string {
	if p == nil {
		return ""
	}
	s := ""
	if p.Target != nil {
		s = "back to " + p.Target.String() + ", "
	}
	switch n := len(p.Undoes) + p.More; n {
	case 0:
		return strings.TrimSuffix(s, ", ")
	case 1:
		return s + "undoing 1 commit: " + p.Undoes[0].String()
	default:
		names := make([]string, 0, len(p.Undoes))
		for _, u := range p.Undoes {
			names = append(names, u.String())
		}
		more := ""
		if p.More > 0 {
			more = fmt.Sprintf(" and %d more", p.More)
		}
		return fmt.Sprintf("%sundoing %d commits: %s%s", s, n, strings.Join(names, ", "), more)
	}
}

// RevisionOf is the entry as a Revision.
func RevisionOf(e Entry) Revision {
	r := Revision{SHA: e.SHA, NeverApplied: e.NeverApplied}
	if !e.NeverApplied && !e.FirstReconciled.IsZero() {
		first, last := e.FirstReconciled, e.LastReconciled
		r.FirstApplied, r.LastApplied = &first, &last
	}
	if e.Commit != nil {
		r.Subject, r.Author = e.Commit.Subject, e.Commit.Author
	}
	return r
}

// PlanFromHistory is the plan of going back to target without a clone: the commits
// undone are those Flux applied or tried after it (newer in entries' order), once each.
func PlanFromHistory(entries []Entry, target Entry) *Plan {
	r := RevisionOf(target)
	p := &Plan{Target: &r, Undoes: []Revision{}}
	seen := map[string]bool{target.SHA: true}
	for _, e := range entries {
		if e.SHA == target.SHA {
			break
		}
		if e.SHA == "" || seen[e.SHA] {
			continue
		}
		seen[e.SHA] = true
		p.add(RevisionOf(e))
	}
	return p
}

// PlanFromGit is the plan of going back from tip to target, from the clone at dir:
// the commits in target..tip that changed paths (every path when none), newest first,
// and each with its subject and author. applied, when known, gives Flux's times.
func PlanFromGit(ctx context.Context, dir, target, tip string, paths []string, applied []Entry) (*Plan, error) {
	p := &Plan{Target: &Revision{SHA: target}, Undoes: []Revision{}}
	for _, e := range applied {
		if e.SHA == target && !e.NeverApplied {
			r := RevisionOf(e)
			p.Target = &r
			break
		}
	}
	if err := describe(ctx, dir, p.Target); err != nil {
		return nil, err
	}
	if tip == "" || tip == target {
		return p, nil
	}
	args := []string{"log", "--no-show-signature", "--format=%H%x00%s%x00%an <%ae>", target + ".." + tip}
	if len(paths) > 0 {
		args = append(append(args, "--"), paths...)
	}
	out, err := git.Run(ctx, dir, args...)
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\x00")
		if len(f) != 3 {
			continue
		}
		r := Revision{SHA: f[0], Subject: f[1], Author: f[2]}
		for _, e := range applied {
			if e.SHA == r.SHA {
				t := RevisionOf(e)
				r.FirstApplied, r.LastApplied, r.NeverApplied = t.FirstApplied, t.LastApplied, t.NeverApplied
				break
			}
		}
		p.add(r)
	}
	return p, nil
}

func (p *Plan) add(r Revision) {
	if len(p.Undoes) < maxListed {
		p.Undoes = append(p.Undoes, r)
		return
	}
	p.More++
}

// describe fills r's subject and author from the clone.
func describe(ctx context.Context, dir string, r *Revision) error {
	head, err := git.Line(ctx, dir, "show", "-s", "--no-show-signature", "--format=%s%x00%an <%ae>", r.SHA)
	if err != nil {
		return err
	}
	r.Subject, r.Author, _ = strings.Cut(head, "\x00")
	return nil
}

// Print writes the plan as "Target:" and "Undoes:" lines.
func (p *Plan) Print(printf func(format string, args ...any)) {
	if p == nil {
		return
	}
	if p.Target != nil {
		printf("Target:     %s\n", p.Target)
	}
	for _, u := range p.Undoes {
		printf("Undoes:     %s\n", u)
	}
	if p.More > 0 {
		printf("Undoes:     and %d older commits\n", p.More)
	}
}

// PlanOfCommit is the plan of undoing the one commit sha, from the clone at dir.
func PlanOfCommit(ctx context.Context, dir, sha string, applied []Entry) (*Plan, error) {
	r := Revision{SHA: sha}
	for _, e := range applied {
		if e.SHA == sha {
			t := RevisionOf(e)
			r.FirstApplied, r.LastApplied, r.NeverApplied = t.FirstApplied, t.LastApplied, t.NeverApplied
			break
		}
	}
	if err := describe(ctx, dir, &r); err != nil {
		return nil, err
	}
	return &Plan{Undoes: []Revision{r}}, nil
}
