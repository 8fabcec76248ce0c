// The Go cases' registry types and the deferlab.cases/1 manifest they print.

package godefer

import (
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strconv"
)

// Strategy is a row of the lab's tables; ranks put the Go rows after the C++ ones.
type Strategy struct {
	Name    string
	Rank    int
	Summary string
}

var (
	goDefer = Strategy{"go_defer", 200,
		"Go's defer statement with arguments (defer release(l, id)); the compiler picks the mechanism"}
	goDeferClosure = Strategy{"go_defer_closure", 210,
		"defer of a function literal capturing the iteration's variables"}
	goDeferStatic = Strategy{"go_defer_static", 220,
		"defer of a function that captures nothing: the record alone, no closure object"}
	goDeferLoopvar = Strategy{"go_defer_loopvar", 230,
		"defer of a closure capturing the loop variable itself (one variable per loop before Go 1.22)"}
	goFuncLiteral = Strategy{"go_func_literal", 240,
		"the usual fix: the loop body in a function literal, so its defer runs per iteration"}
	goDeferUnwind = Strategy{"go_defer_unwind", 250,
		"one defer before the loop unwinding what the loop acquired"}
	goManual = Strategy{"go_manual", 260,
		"cleanup written out by hand, no defer: the Go floor"}
)

// Scenario ranks and summaries match the C++ ones (cases/scenarios/*.cc) so the rows share tables.
type Scenario struct {
	Name    string
	Rank    int
	Summary string
}

var (
	loopDefer = Scenario{"loop_defer", 10,
		"N cleanups registered in a loop inside one call, run LIFO when the call returns (a Go defer inside a loop)"}
	fixedDefers = Scenario{"fixed_defers", 20,
		"K cleanups written out in one function (Go open-codes at most 8 defers; K = 9 crosses that limit)"}
	errorPath = Scenario{"error_path", 30,
		"four acquisitions failing at step j (none, 0, 2, 3), and a commit/rollback variant that cancels the cleanups on success"}
	exceptionPath = Scenario{"exception_path", 40,
		"a throw after K cleanups are registered (K in {1, 4}); they run during unwinding"}
)

// Outcome is what one call leaves in a fresh ledger (cases/case_registry.h Outcome).
type Outcome struct {
	Released  []uint32 // in release order
	Acquired  uint64
	Committed uint64
	Result    int
	Threw     bool
}

// Case is one (scenario, strategy, parameter) cell.
type Case struct {
	Scenario    Scenario
	Strategy    Strategy
	Param       string
	ParamIndex  int
	Parameters  map[string]interface{}
	ClosestForm bool
	Notes       string
	Expected    Outcome
	// Hot is the hot function itself (for its symbol and source line); Run calls it once
	// with the case's arguments and returns its result.
	Hot interface{}
	Run func(l *Ledger) int
	// Panics: Run ends in a Failure panic, recovered by the benchmark loop.
	Panics bool
}

// Name is the benchmark name, as in C++: <scenario>/<strategy>/<param>.
func (c *Case) Name() string { return c.Scenario.Name + "/" + c.Strategy.Name + "/" + c.Param }

var registry []*Case

func add(c *Case) { registry = append(registry, c) }

// Cases are every registered case, ordered by scenario, strategy, then parameter.
func Cases() []*Case {
	cases := append([]*Case(nil), registry...)
	sort.SliceStable(cases, func(i, j int) bool {
		a, b := cases[i], cases[j]
		if a.Scenario.Rank != b.Scenario.Rank {
			return a.Scenario.Rank < b.Scenario.Rank
		}
		if a.Strategy.Rank != b.Strategy.Rank {
			return a.Strategy.Rank < b.Strategy.Rank
		}
		return a.ParamIndex < b.ParamIndex
	})
	return cases
}

// RunOnce runs c on a fresh ledger and reports what it did.
func RunOnce(c *Case) Outcome {
	l := new(Ledger)
	var o Outcome
	if c.Panics {
		o.Threw = callRecovering(l, func(l *Ledger) { c.Run(l) })
	} else {
		o.Result = c.Run(l)
	}
	o.Released = l.ReleasedIDs()
	o.Acquired = l.Acquired
	o.Committed = l.Committed
	return o
}

// lifo is the outcome of acquiring 0..n-1 and releasing them all in reverse.
func lifo(n int) Outcome {
	o := Outcome{Acquired: uint64(n)}
	for i := n - 1; i >= 0; i-- {
		o.Released = append(o.Released, uint32(i))
	}
	return o
}

// Symbol is a function's linker symbol, e.g. "deferlab/godefer.loopDeferGoDefer".
func Symbol(fn interface{}) string {
	return runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
}

// sourceOf is where fn is defined, relative to the repository (cases/go/FILE), and the
// line of its first statement as the runtime records it.
func sourceOf(fn interface{}) (string, int) {
	f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer())
	file, line := f.FileLine(f.Entry())
	return "cases/go/" + filepath.Base(file), line
}

// Manifest is the deferlab.cases/1 document of the Go cases (what deferlab_bench
// --deferlab_cases prints for C++), each case marked "language": "go".
func Manifest() map[string]interface{} {
	var strategies, scenarios, cases []interface{}
	seenStrategy := map[string]bool{}
	params := map[string][]string{}
	var scenarioOrder []Scenario
	for _, c := range Cases() {
		if !seenStrategy[c.Strategy.Name] {
			seenStrategy[c.Strategy.Name] = true
			strategies = append(strategies, map[string]interface{}{
				"name": c.Strategy.Name, "rank": c.Strategy.Rank,
				"summary": c.Strategy.Summary, "header": "cases/go",
			})
		}
		if _, ok := params[c.Scenario.Name]; !ok {
			scenarioOrder = append(scenarioOrder, c.Scenario)
			params[c.Scenario.Name] = []string{}
		}
		if !contains(params[c.Scenario.Name], c.Param) {
			params[c.Scenario.Name] = append(params[c.Scenario.Name], c.Param)
		}
		symbol := Symbol(c.Hot)
		file, line := sourceOf(c.Hot)
		fidelity := "faithful"
		if c.ClosestForm {
			fidelity = "closest_form"
		}
		parameters := c.Parameters
		if parameters == nil {
			parameters = map[string]interface{}{}
		}
		cases = append(cases, map[string]interface{}{
			"id": c.Name(), "benchmark": c.Name(), "scenario": c.Scenario.Name,
			"strategy": c.Strategy.Name, "param": c.Param, "parameters": parameters,
			"hot_symbol": map[string]interface{}{"mangled": symbol, "demangled": symbol},
			"source":     map[string]interface{}{"file": file, "line": line},
			"fidelity":   fidelity, "notes": c.Notes, "language": "go",
			"expected": map[string]interface{}{
				"released": len(c.Expected.Released), "acquired": c.Expected.Acquired,
				"committed": c.Expected.Committed, "throws": c.Expected.Threw,
			},
		})
	}
	for _, s := range scenarioOrder {
		p := params[s.Name]
		scenarios = append(scenarios, map[string]interface{}{
			"name": s.Name, "rank": s.Rank, "summary": s.Summary, "params": p,
		})
	}
	return map[string]interface{}{
		"schema": "deferlab.cases/1", "baseline_strategy": goManual.Name,
		"compiler":   runtime.Version() + " " + runtime.Compiler + " " + runtime.GOARCH,
		"strategies": strategies, "scenarios": scenarios, "cases": cases,
		"omitted": []interface{}{},
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }
