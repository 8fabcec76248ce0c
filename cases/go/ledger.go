// Package godefer is the lab's scenarios written in Go: the same ledger, the same
// scenarios and parameters as the C++ cases (cases/scenarios/*.cc), with Go's own defer in place of
// the C++ models, so the models can be checked against the real thing.
//
// Every hot function is //go:noinline and records its cleanups in a Ledger it reaches
// through a pointer, so the compiler can delete neither the function nor its cleanup, and
// the disassembly shows the defer mechanism the compiler chose.
package godefer

// LogCapacity is a power of two: the release index wraps with a mask in long runs.
const LogCapacity = 4096

// Ledger is what every case acquires from and releases into (cases/ledger.h in Go).
type Ledger struct {
	Acquired  uint64
	Released  uint64
	Committed uint64 // resources handed over instead of released
	Log       [LogCapacity]uint32
}

// ReleasedIDs are the ids released so far, oldest first (only before the log wraps).
func (l *Ledger) ReleasedIDs() []uint32 {
	if l.Released >= LogCapacity {
		return nil
	}
	return append([]uint32(nil), l.Log[:l.Released]...)
}

// acquire fails (returns false, acquires nothing) when id == failAt. Small enough to be
// inlined, like the C++ always_inline acquire.
func acquire(l *Ledger, id uint32, failAt int32) bool {
	if int32(id) == failAt {
		return false
	}
	l.Acquired++
	return true
}

func release(l *Ledger, id uint32) {
	l.Log[l.Released&(LogCapacity-1)] = id
	l.Released++
}

func commit(l *Ledger, count uint64) {
	l.Committed += count
}

// noFailure is the failAt of an acquisition that cannot fail.
const noFailure = -1
