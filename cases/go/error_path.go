// error_path/j in Go: four acquisitions failing at step j, with defer and by hand.

package godefer

// error_path/j: four acquisitions, the one at step j failing; whatever was acquired is
// released in reverse (cases/scenarios/error_path.cc). Five returns x four defers is 20, over the
// 15 Go 1.19 open-codes (returns x defers), so these defers take stack records.

//go:noinline
func errorPathGoDefer(l *Ledger, failAt int32) int {
	if !acquire(l, 0, failAt) {
		return -1
	}
	defer release(l, 0)
	if !acquire(l, 1, failAt) {
		return -1
	}
	defer release(l, 1)
	if !acquire(l, 2, failAt) {
		return -1
	}
	defer release(l, 2)
	if !acquire(l, 3, failAt) {
		return -1
	}
	defer release(l, 3)
	return 0
}

//go:noinline
func errorPathGoManual(l *Ledger, failAt int32) int {
	if !acquire(l, 0, failAt) {
		return -1
	}
	if !acquire(l, 1, failAt) {
		release(l, 0)
		return -1
	}
	if !acquire(l, 2, failAt) {
		release(l, 1)
		release(l, 0)
		return -1
	}
	if !acquire(l, 3, failAt) {
		release(l, 2)
		release(l, 1)
		release(l, 0)
		return -1
	}
	release(l, 3)
	release(l, 2)
	release(l, 1)
	release(l, 0)
	return 0
}

// Go's defer cannot be cancelled: the commit variant's deferred calls test a flag the
// function sets on success (the closest form, as gsl_finally's row in C++).
//
//go:noinline
func commitPathGoDefer(l *Ledger, failAt int32) int {
	committed := false
	if !acquire(l, 0, failAt) {
		return -1
	}
	defer func() {
		if !committed {
			release(l, 0)
		}
	}()
	if !acquire(l, 1, failAt) {
		return -1
	}
	defer func() {
		if !committed {
			release(l, 1)
		}
	}()
	if !acquire(l, 2, failAt) {
		return -1
	}
	defer func() {
		if !committed {
			release(l, 2)
		}
	}()
	if !acquire(l, 3, failAt) {
		return -1
	}
	defer func() {
		if !committed {
			release(l, 3)
		}
	}()
	committed = true
	commit(l, 4)
	return 0
}

//go:noinline
func commitPathGoManual(l *Ledger, failAt int32) int {
	if !acquire(l, 0, failAt) {
		return -1
	}
	if !acquire(l, 1, failAt) {
		release(l, 0)
		return -1
	}
	if !acquire(l, 2, failAt) {
		release(l, 1)
		release(l, 0)
		return -1
	}
	if !acquire(l, 3, failAt) {
		release(l, 2)
		release(l, 1)
		release(l, 0)
		return -1
	}
	commit(l, 4)
	return 0
}
