// Per-iteration figures from the calls callgrind recorded (harness/profile.h), by
// difference: with C(n) the cost of a call of n iterations, C(n) = c + n * p when every
// iteration costs the same, so p = (C(high) - C(low)) / (high - low) and c = C(high) -
// high * p, exactly, whatever the benchmark does outside its loop.
//
// Which calls: Google Benchmark runs a benchmark with 1, 10, 100, ... iterations while a
// call takes under a tenth of --benchmark_min_time, so those counts do not depend on
// timing. Every figure comes from the calls of 10 and 100 iterations: the same pair in
// every run (so cache and branch figures, which depend a little on how warm a call
// starts, compare across runs and builds), both counts even (a loop the compiler unrolled
// by two costs the same per pair of iterations), and never the first call, which pays for
// cold code. Other powers of ten, when present, are reported as checks.
//
//   const BenchmarkProfile row = analyse_benchmark("BM_Vector/64", calls, mask);
//   if (row.exact) ... row.per_iteration->events[kIr] ...   // 22
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/profile.h"

namespace deferlab::harness {

// True for the allocation functions the profile counts, by linkage name (any "@VERSION"
// suffix ignored): every operator new and new[] form, malloc, calloc, realloc,
// reallocarray, aligned_alloc, posix_memalign, memalign, valloc, pvalloc, glibc's
// __libc_* aliases of those, and __cxa_allocate_exception / __cxa_allocate_dependent_exception.
bool is_allocation_function(std::string_view symbol);

// The name without a symbol version: "malloc@@GLIBC_2.2.5" -> "malloc".
std::string_view without_symbol_version(std::string_view symbol);

// The threads a benchmark name asks for ("BM_x/threads:4" -> 4), 1 when it does not say.
int threads_in_name(std::string_view benchmark);

// The estimated cycles of iai and Gungraun: L1 hits + 5 x LL hits + 35 x RAM hits, with
//   RAM hits = ILmr + DLmr + DLmw, LL hits = I1mr + D1mr + D1mw - RAM hits,
//   L1 hits = Ir + Dr + Dw - (I1mr + D1mr + D1mw).
// Missing unless the cache events were counted.
std::optional<double> estimated_cycles(const std::array<double, kEventCount>& events,
                                       const EventMask& counted);
inline constexpr const char* kCyclesFormula =
    "L1 hits + 5 x LL hits + 35 x RAM hits, where RAM hits = ILmr + DLmr + DLmw, "
    "LL hits = I1mr + D1mr + D1mw - RAM hits, L1 hits = Ir + Dr + Dw - (I1mr + D1mr + D1mw)";

// The figures of one benchmark from its calls, in the order they ran. Never throws for
// odd data: what cannot be measured is left missing with a reason.
BenchmarkProfile analyse_benchmark(const std::string& name, const std::vector<CallRecord>& calls,
                                   const EventMask& counted);

// Subtracts the calibration's empty loop: net = gross - calibration, per iteration.
void apply_calibration(BenchmarkProfile& row, const BenchmarkProfile& calibration,
                       const EventMask& counted);

// The --benchmark_min_time a second run needs for calls of 10 and 100 iterations,
// estimated from the CPU time of the calls seen (the call of 10 must take under a tenth
// of it, twice over for noise); nullopt when a second run cannot help (fixed
// iterations, threads, a paused timer) or the row is already exact.
std::optional<double> min_time_for_more_calls(const BenchmarkProfile& row,
                                              const std::vector<CallRecord>& calls,
                                              double min_time);

}  // namespace deferlab::harness
