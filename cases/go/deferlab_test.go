// The Go cases' benchmarks and outcome tests, built into one binary by go test -c.

package godefer

// The benchmarks and tests of the Go cases, built into one binary with `go test -c`
// (CMake target deferlab_go) and run by `deferlab run`:
//
//   deferlab_go.test -deferlab.cases                      prints the deferlab.cases/1 manifest
//   deferlab_go.test -deferlab.list -deferlab.filter RE   prints the names RE selects
//   deferlab_go.test -test.run '^$' -test.bench . -test.benchmem -deferlab.filter 'loop_defer'
//   deferlab_go.test -test.run .                          checks every case's outcome
//
// Each benchmark reports allocs/iter and B/iter exactly: runtime.MemStats deltas over the
// timed loop divided by b.N, where Go's own allocs/op is an integer division.

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"runtime"
	"runtime/debug"
	"testing"
)

var (
	printCases = flag.Bool("deferlab.cases", false, "print the deferlab.cases/1 manifest and exit")
	caseFilter = flag.String("deferlab.filter", "", "run only the cases whose name (scenario/strategy/param) matches this regular expression")
	listCases  = flag.Bool("deferlab.list", false, "print the names of the cases -deferlab.filter selects, one a line, and exit")
)

func TestMain(m *testing.M) {
	flag.Parse()
	if *printCases {
		out, err := json.MarshalIndent(Manifest(), "", "  ")
		if err != nil {
			fmt.Fprintln(os.Stderr, "deferlab_go:", err)
			os.Exit(2)
		}
		fmt.Println(string(out))
		os.Exit(0)
	}
	if _, err := regexp.Compile(*caseFilter); err != nil {
		fmt.Fprintln(os.Stderr, "deferlab_go: bad -deferlab.filter:", err)
		os.Exit(2)
	}
	if *listCases {
		for _, c := range selected() {
			fmt.Println(c.Name())
		}
		os.Exit(0)
	}
	// One P and no collection: nothing runs beside the timed loop, and the MemStats deltas
	// are the loop's own. A GC between the timed loops (runtime.GC, untimed) keeps the heap
	// small.
	runtime.GOMAXPROCS(1)
	debug.SetGCPercent(-1)
	os.Exit(m.Run())
}

// selected are the cases -deferlab.filter selects, in table order.
func selected() []*Case {
	filter := regexp.MustCompile(*caseFilter)
	var cases []*Case
	for _, c := range Cases() {
		if filter.MatchString(c.Name()) {
			cases = append(cases, c)
		}
	}
	return cases
}

// benchLedger is shared by every benchmark, as C++'s per-thread benchmark_ledger.
var benchLedger = new(Ledger)

// BenchmarkDeferlab runs every case as a sub-benchmark named like the C++ benchmark:
// BenchmarkDeferlab/loop_defer/go_defer/16.
func BenchmarkDeferlab(b *testing.B) {
	for _, c := range selected() {
		c := c
		b.Run(c.Name(), func(b *testing.B) { benchmarkCase(b, c) })
	}
}

func benchmarkCase(b *testing.B, c *Case) {
	l := benchLedger
	run := c.Run
	call := func(l *Ledger) { run(l) }
	// A GC empties the runtime's defer pools (clearpools): one untimed call after it
	// refills them, so the loop measures the steady state a long-running program sees.
	runtime.GC()
	if c.Panics {
		callRecovering(l, call)
	} else {
		run(l)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	if c.Panics {
		for i := 0; i < b.N; i++ {
			callRecovering(l, call)
		}
	} else {
		for i := 0; i < b.N; i++ {
			run(l)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	n := float64(b.N)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/iter")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "B/iter")
}

// Every case does what its manifest entry says: the released ids in order, what was
// acquired and committed, the result, and whether it panicked.
func TestOutcomes(t *testing.T) {
	if len(Cases()) == 0 {
		t.Fatal("no case registered")
	}
	for _, c := range Cases() {
		got := RunOnce(c)
		if !reflect.DeepEqual(got, c.Expected) {
			t.Errorf("%s: got %+v, want %+v", c.Name(), got, c.Expected)
		}
	}
}

// Every hot function has a symbol of this package, which deferlab's disassembly looks up.
func TestHotSymbols(t *testing.T) {
	for _, c := range Cases() {
		if s := Symbol(c.Hot); len(s) < len("deferlab/godefer.") || s[:len("deferlab/godefer.")] != "deferlab/godefer." {
			t.Errorf("%s: hot function symbol %q is not in deferlab/godefer", c.Name(), s)
		}
	}
}

// A collection empties the runtime's central defer pool but leaves each P's pool, which
// holds at most 32 records (runtime.p.deferpoolbuf), alone (clearpools). From a known
// state: the first call after a GC takes 32 records from the P's pool and allocates the
// other n - 32; the next call finds all n in the pools again and allocates none.
func TestDeferPoolAfterGC(t *testing.T) {
	const n, perP = 64, 32
	l := new(Ledger)
	mallocs := func() uint64 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.Mallocs
	}
	// Known state: a GC drops the central pool; a call then empties the P's pool and
	// allocates the rest, and its n returns leave 32 records in the P's pool (it spills
	// half to the central pool whenever it is full) and 32 in the central one.
	runtime.GC()
	loopDeferGoDeferStatic(l, n)
	runtime.GC()
	before := mallocs()
	loopDeferGoDeferStatic(l, n)
	first := mallocs() - before
	before = mallocs()
	loopDeferGoDeferStatic(l, n)
	second := mallocs() - before
	t.Logf("loop_defer/go_defer_static/%d: %d allocations in the first call after a GC, %d in the next", n, first, second)
	if first != n-perP || second != 0 {
		t.Errorf("got %d then %d allocations, want %d (the records the P's pool cannot hold) then 0", first, second, n-perP)
	}
}
