// exception_path/K in Go: K deferred calls, then a panic the caller recovers.

package godefer

// exception_path/K: K cleanups registered, then a panic (K in {1, 4}); the deferred calls
// run while the panic unwinds the frame, and the caller recovers (cases/scenarios/exception_path.cc,
// where the C++ throws and the benchmark loop catches).

// Failure is what the hot functions panic with: a pointer to a package variable, so the
// panic value needs no allocation (boxing a fresh int into an interface could).
type Failure struct{ Step int }

var failures = [...]Failure{{1}, {4}}

//go:noinline
func panicFailure(f *Failure) {
	panic(f)
}

//go:noinline
func exceptionPathGoDefer1(l *Ledger) {
	acquire(l, 0, noFailure)
	defer release(l, 0)
	panicFailure(&failures[0])
}

//go:noinline
func exceptionPathGoDefer4(l *Ledger) {
	acquire(l, 0, noFailure)
	defer release(l, 0)
	acquire(l, 1, noFailure)
	defer release(l, 1)
	acquire(l, 2, noFailure)
	defer release(l, 2)
	acquire(l, 3, noFailure)
	defer release(l, 3)
	panicFailure(&failures[1])
}

// Manual cleanup has no panic path: the closest form releases in reverse before the panic
// it knows is coming (as goto_cleanup's catch-all-and-rethrow is the closest C++ form).
//
//go:noinline
func exceptionPathGoManual1(l *Ledger) {
	acquire(l, 0, noFailure)
	release(l, 0)
	panicFailure(&failures[0])
}

//go:noinline
func exceptionPathGoManual4(l *Ledger) {
	acquire(l, 0, noFailure)
	acquire(l, 1, noFailure)
	acquire(l, 2, noFailure)
	acquire(l, 3, noFailure)
	release(l, 3)
	release(l, 2)
	release(l, 1)
	release(l, 0)
	panicFailure(&failures[1])
}

// callRecovering runs f and recovers the Failure it panics with, as the C++ benchmark
// loop catches; any other panic goes on.
func callRecovering(l *Ledger, f func(*Ledger)) (threw bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(*Failure); !ok {
				panic(r)
			}
			threw = true
		}
	}()
	f(l)
	return false
}
