// The Go cases' registrations, one block per scenario.

package godefer

// The registrations, one block per scenario, as the C++ scenario files register theirs.

var loopDeferN = [...]int{1, 8, 16, 64, 1024}

func init() {
	type cell struct {
		strategy Strategy
		fn       func(*Ledger, int)
		closest  bool
		notes    string
		expected func(n int) Outcome
	}
	const chainNote = "one runtime defer record per iteration; all N run LIFO when the call returns"
	cells := []cell{
		{goDefer, loopDeferGoDefer, false, chainNote, lifo},
		{goDeferClosure, loopDeferGoDeferClosure, false, chainNote, lifo},
		{goDeferStatic, loopDeferGoDeferStatic, false,
			chainNote + "; the deferred function captures nothing (its ids live in a package variable)", lifo},
		{goDeferLoopvar, loopDeferGoDeferLoopvar, false,
			"the closure captures the loop variable: with Go 1.19's one variable per loop every release sees i = N (Go 1.22: N-1, ..., 0)",
			func(n int) Outcome {
				o := Outcome{Acquired: uint64(n)}
				for i := 0; i < n; i++ {
					o.Released = append(o.Released, uint32(n))
				}
				return o
			}},
		{goFuncLiteral, loopDeferGoFuncLiteral, true,
			"closest form: each iteration's defer runs when its function literal returns, so resource i is released before i+1 is acquired (in acquisition order, not LIFO at the end)",
			func(n int) Outcome {
				o := Outcome{Acquired: uint64(n)}
				for i := 0; i < n; i++ {
					o.Released = append(o.Released, uint32(i))
				}
				return o
			}},
		{goDeferUnwind, loopDeferGoDeferUnwind, true,
			"closest form: one defer declared before the loop releases the N acquired resources in reverse (as the C++ guard rows)", lifo},
		{goManual, loopDeferGoManual, false,
			"the loop counts what it acquired; a loop after it releases in reverse", lifo},
	}
	for _, c := range cells {
		for index, n := range loopDeferN {
			c, n := c, n
			add(&Case{
				Scenario: loopDefer, Strategy: c.strategy, Param: itoa(n), ParamIndex: index,
				Parameters: map[string]interface{}{"N": n}, ClosestForm: c.closest,
				Notes: c.notes, Expected: c.expected(n), Hot: c.fn,
				Run: func(l *Ledger) int { c.fn(l, n); return 0 },
			})
		}
	}
}

func init() {
	counts := [...]int{1, 4, 8, 9}
	deferFns := [...]func(*Ledger){fixedDefersGoDefer1, fixedDefersGoDefer4, fixedDefersGoDefer8, fixedDefersGoDefer9}
	manualFns := [...]func(*Ledger){fixedDefersGoManual1, fixedDefersGoManual4, fixedDefersGoManual8, fixedDefersGoManual9}
	for index, k := range counts {
		for _, c := range []struct {
			strategy Strategy
			fn       func(*Ledger)
			notes    string
		}{
			{goDefer, deferFns[index], "K defer statements written out; the compiler open-codes up to 8"},
			{goManual, manualFns[index], "the K releases written out at the exit in reverse"},
		} {
			fn := c.fn
			add(&Case{
				Scenario: fixedDefers, Strategy: c.strategy, Param: itoa(k), ParamIndex: index,
				Parameters: map[string]interface{}{"K": k}, Notes: c.notes, Expected: lifo(k),
				Hot: fn, Run: func(l *Ledger) int { fn(l); return 0 },
			})
		}
	}
}

func init() {
	params := []struct {
		name   string
		failAt int32
		commit bool
	}{{"none", -1, false}, {"0", 0, false}, {"2", 2, false}, {"3", 3, false},
		{"commit", -1, true}, {"rollback_2", 2, true}}
	for index, p := range params {
		expected := lifo(4)
		if p.failAt >= 0 {
			expected = lifo(int(p.failAt))
			expected.Result = -1
		} else if p.commit {
			expected = Outcome{Acquired: 4, Committed: 4}
		}
		var parameters = map[string]interface{}{"fail_at": nil, "variant": "cleanup"}
		if p.failAt >= 0 {
			parameters["fail_at"] = p.failAt
		}
		if p.commit {
			parameters["variant"] = "commit_rollback"
		}
		deferFn, manualFn := errorPathGoDefer, errorPathGoManual
		deferNotes := "one defer per acquisition; an early return runs those registered"
		manualNotes := "releases written out in reverse before each early return"
		closest := false
		if p.commit {
			deferFn, manualFn = commitPathGoDefer, commitPathGoManual
			deferNotes = "closest form: a defer cannot be cancelled, so each deferred call tests a `committed` flag set on success"
			manualNotes = "success returns before any rollback"
			closest = true
		}
		failAt := p.failAt
		for _, c := range []struct {
			strategy Strategy
			fn       func(*Ledger, int32) int
			closest  bool
			notes    string
		}{{goDefer, deferFn, closest, deferNotes}, {goManual, manualFn, false, manualNotes}} {
			fn := c.fn
			add(&Case{
				Scenario: errorPath, Strategy: c.strategy, Param: p.name, ParamIndex: index,
				Parameters: parameters, ClosestForm: c.closest, Notes: c.notes,
				Expected: expected, Hot: fn,
				Run: func(l *Ledger) int { return fn(l, failAt) },
			})
		}
	}
}

func init() {
	counts := [...]int{1, 4}
	deferFns := [...]func(*Ledger){exceptionPathGoDefer1, exceptionPathGoDefer4}
	manualFns := [...]func(*Ledger){exceptionPathGoManual1, exceptionPathGoManual4}
	for index, k := range counts {
		expected := lifo(k)
		expected.Threw = true
		for _, c := range []struct {
			strategy Strategy
			fn       func(*Ledger)
			closest  bool
			notes    string
		}{
			{goDefer, deferFns[index], false, "panic unwinds the frame and runs the deferred calls; the benchmark loop recovers"},
			{goManual, manualFns[index], true, "closest form: manual cleanup has no panic path; the releases are written out before the panic"},
		} {
			fn := c.fn
			add(&Case{
				Scenario: exceptionPath, Strategy: c.strategy, Param: itoa(k), ParamIndex: index,
				Parameters: map[string]interface{}{"K": k}, ClosestForm: c.closest,
				Notes: c.notes, Expected: expected, Hot: fn, Panics: true,
				Run: func(l *Ledger) int { fn(l); return 0 },
			})
		}
	}
}
