// loop_defer/N in Go: N defers registered in a loop, run when the function returns.

package godefer

// loop_defer/N: N cleanups registered in a loop inside one call, run LIFO when the call
// returns (cases/scenarios/loop_defer.cc). Go never open-codes a defer in a loop: each one goes
// through runtime.deferproc with a record from the runtime's pool.

//go:noinline
func loopDeferGoDefer(l *Ledger, n int) {
	for i := 0; i < n; i++ {
		id := uint32(i)
		acquire(l, id, noFailure)
		defer release(l, id) // the arguments are evaluated here, the call runs at return
	}
}

//go:noinline
func loopDeferGoDeferClosure(l *Ledger, n int) {
	for i := 0; i < n; i++ {
		id := uint32(i)
		acquire(l, id, noFailure)
		defer func() { release(l, id) }() // captures this iteration's id
	}
}

// loopDeferStack is where go_defer_static keeps its ids: a deferred function that
// captures nothing can take its state only from a package variable.
var loopDeferStack struct {
	ledger *Ledger
	ids    [1024]uint32
	depth  int
}

// releaseTop captures nothing: its funcval is a static symbol, so deferring it needs no
// closure object, and whatever the defer costs is the record alone.
func releaseTop() {
	s := &loopDeferStack
	s.depth--
	release(s.ledger, s.ids[s.depth])
}

//go:noinline
func loopDeferGoDeferStatic(l *Ledger, n int) {
	s := &loopDeferStack
	s.ledger = l
	for i := 0; i < n; i++ {
		id := uint32(i)
		acquire(l, id, noFailure)
		s.ids[s.depth] = id
		s.depth++
		defer releaseTop()
	}
}

// The closure captures the loop variable itself. Go 1.19 has one i for the whole loop,
// so every deferred call sees its last value, n; Go 1.22 gives each iteration its own i
// and the releases would be n-1, ..., 0.
//
//go:noinline
func loopDeferGoDeferLoopvar(l *Ledger, n int) {
	for i := 0; i < n; i++ {
		acquire(l, uint32(i), noFailure)
		defer func() { release(l, uint32(i)) }()
	}
}

// The usual fix: the loop body in a function literal, so its defer runs at the end of
// each iteration and is open-coded. The semantics change: each resource is released
// before the next is acquired, not all at the end.
//
//go:noinline
func loopDeferGoFuncLiteral(l *Ledger, n int) {
	for i := 0; i < n; i++ {
		func() {
			id := uint32(i)
			acquire(l, id, noFailure)
			defer release(l, id)
		}()
	}
}

// One defer before the loop that unwinds whatever the loop acquired: the form of the C++
// guard rows (one guard declared before the loop).
//
//go:noinline
func loopDeferGoDeferUnwind(l *Ledger, n int) {
	var acquired uint32
	defer func() {
		for acquired > 0 {
			acquired--
			release(l, acquired)
		}
	}()
	for i := 0; i < n; i++ {
		acquire(l, acquired, noFailure)
		acquired++
	}
}

//go:noinline
func loopDeferGoManual(l *Ledger, n int) {
	var acquired uint32
	for i := 0; i < n; i++ {
		if !acquire(l, acquired, noFailure) {
			break
		}
		acquired++
	}
	for acquired > 0 {
		acquired--
		release(l, acquired)
	}
}
