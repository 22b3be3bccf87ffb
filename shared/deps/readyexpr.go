package deps

import (
	"context"
	"time"

	fluxcel "github.com/fluxcd/pkg/runtime/cel"
	"github.com/google/cel-go/cel"
)

// The results of a readyExpr.
const (
	ExprTrue  = "True"
	ExprFalse = "False"
	// ExprError: the expression does not compile or evaluate; Flux fails the
	// dependency check on it too.
	ExprError = "Error"
	// ExprNotEvaluated: the objects are not at hand (offline, or a missing dependency).
	ExprNotEvaluated = "NotEvaluated"
)

// exprBudget bounds one evaluation: the expression comes from the cluster.
const exprBudget = time.Second

// ReadyExprCheck is a dependsOn entry with a readyExpr, and what it gives.
type ReadyExprCheck struct {
	Dependent  NodeID
	Dependency NodeID
	Expr       string
	// Result is one of ExprTrue, ExprFalse, ExprError, ExprNotEvaluated; Message
	// says why for an error.
	Result  string
	Message string
}

// evaluateReadyExprs evaluates every readyExpr the way the controllers do: a CEL
// expression compiled to a bool over the dependent as self and the dependency as
// dep, both as read from the cluster; with it, the built-in readiness check of that
// dependency is skipped (Flux's default, without the AdditiveCELDependencyCheck gate).
// Each evaluation runs under ctx, bounded by exprBudget: once ctx is done (Ctrl-C),
// what is left stays ExprNotEvaluated rather than reading as a failed expression.
func (r *Report) evaluateReadyExprs(ctx context.Context) {
	compiled := map[string]*fluxcel.Expression{}
	failed := map[string]string{}
	for i := range r.Entries {
		e := &r.Entries[i]
		for _, ref := range e.DependsOn {
			if ref.ReadyExpr == "" {
				continue
			}
			j, ok := r.index[e.target(ref)]
			if !ok {
				continue
			}
			d := &r.Entries[j]
			check := ReadyExprCheck{Dependent: e.ID(), Dependency: d.ID(), Expr: ref.ReadyExpr, Result: ExprNotEvaluated}
			if e.Object != nil && d.Object != nil && !d.Missing && ctx.Err() == nil {
				expr, ok := compiled[ref.ReadyExpr]
				if msg, bad := failed[ref.ReadyExpr]; bad {
					check.Result, check.Message = ExprError, msg
				} else if !ok {
					var err error
					expr, err = fluxcel.NewExpression(ref.ReadyExpr, fluxcel.WithCompile(), fluxcel.WithOutputType(cel.BoolType), fluxcel.WithStructVariables("self", "dep"))
					if err != nil {
						failed[ref.ReadyExpr] = err.Error()
						check.Result, check.Message = ExprError, err.Error()
					}
					compiled[ref.ReadyExpr] = expr
				}
				if expr != nil {
					evalCtx, cancel := context.WithTimeout(ctx, exprBudget)
					ready, err := expr.EvaluateBoolean(evalCtx, map[string]any{"self": e.Object, "dep": d.Object})
					cancel()
					switch {
					case err != nil && ctx.Err() != nil:
						// Interrupted, not a failing expression.
					case err != nil:
						check.Result, check.Message = ExprError, err.Error()
					case ready:
						check.Result = ExprTrue
					default:
						check.Result = ExprFalse
					}
				}
			}
			if r.readyExprOf == nil {
				r.readyExprOf = map[[2]int]int{}
			}
			r.readyExprOf[[2]int{i, j}] = len(r.ReadyExprs)
			r.ReadyExprs = append(r.ReadyExprs, check)
		}
	}
}
