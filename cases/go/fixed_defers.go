// fixed_defers/K in Go: K defers written out in one function (open-coded up to 8).

package godefer

// fixed_defers/K: K cleanups written out in one function, K in {1, 4, 8, 9}
// (cases/scenarios/fixed_defers.cc). Go 1.14+ open-codes at most 8 defers per function (and only
// when returns x defers <= 15): K = 8 is the last open-coded count, K = 9 falls back to
// records, on the stack since 1.13 (runtime.deferprocStack) as none is in a loop.

//go:noinline
func fixedDefersGoDefer1(l *Ledger) {
	acquire(l, 0, noFailure)
	defer release(l, 0)
}

//go:noinline
func fixedDefersGoDefer4(l *Ledger) {
	acquire(l, 0, noFailure)
	defer release(l, 0)
	acquire(l, 1, noFailure)
	defer release(l, 1)
	acquire(l, 2, noFailure)
	defer release(l, 2)
	acquire(l, 3, noFailure)
	defer release(l, 3)
}

//go:noinline
func fixedDefersGoDefer8(l *Ledger) {
	acquire(l, 0, noFailure)
	defer release(l, 0)
	acquire(l, 1, noFailure)
	defer release(l, 1)
	acquire(l, 2, noFailure)
	defer release(l, 2)
	acquire(l, 3, noFailure)
	defer release(l, 3)
	acquire(l, 4, noFailure)
	defer release(l, 4)
	acquire(l, 5, noFailure)
	defer release(l, 5)
	acquire(l, 6, noFailure)
	defer release(l, 6)
	acquire(l, 7, noFailure)
	defer release(l, 7)
}

//go:noinline
func fixedDefersGoDefer9(l *Ledger) {
	acquire(l, 0, noFailure)
	defer release(l, 0)
	acquire(l, 1, noFailure)
	defer release(l, 1)
	acquire(l, 2, noFailure)
	defer release(l, 2)
	acquire(l, 3, noFailure)
	defer release(l, 3)
	acquire(l, 4, noFailure)
	defer release(l, 4)
	acquire(l, 5, noFailure)
	defer release(l, 5)
	acquire(l, 6, noFailure)
	defer release(l, 6)
	acquire(l, 7, noFailure)
	defer release(l, 7)
	acquire(l, 8, noFailure)
	defer release(l, 8)
}

//go:noinline
func fixedDefersGoManual1(l *Ledger) {
	acquire(l, 0, noFailure)
	release(l, 0)
}

//go:noinline
func fixedDefersGoManual4(l *Ledger) {
	acquire(l, 0, noFailure)
	acquire(l, 1, noFailure)
	acquire(l, 2, noFailure)
	acquire(l, 3, noFailure)
	release(l, 3)
	release(l, 2)
	release(l, 1)
	release(l, 0)
}

//go:noinline
func fixedDefersGoManual8(l *Ledger) {
	acquire(l, 0, noFailure)
	acquire(l, 1, noFailure)
	acquire(l, 2, noFailure)
	acquire(l, 3, noFailure)
	acquire(l, 4, noFailure)
	acquire(l, 5, noFailure)
	acquire(l, 6, noFailure)
	acquire(l, 7, noFailure)
	release(l, 7)
	release(l, 6)
	release(l, 5)
	release(l, 4)
	release(l, 3)
	release(l, 2)
	release(l, 1)
	release(l, 0)
}

//go:noinline
func fixedDefersGoManual9(l *Ledger) {
	acquire(l, 0, noFailure)
	acquire(l, 1, noFailure)
	acquire(l, 2, noFailure)
	acquire(l, 3, noFailure)
	acquire(l, 4, noFailure)
	acquire(l, 5, noFailure)
	acquire(l, 6, noFailure)
	acquire(l, 7, noFailure)
	acquire(l, 8, noFailure)
	release(l, 8)
	release(l, 7)
	release(l, 6)
	release(l, 5)
	release(l, 4)
	release(l, 3)
	release(l, 2)
	release(l, 1)
	release(l, 0)
}
