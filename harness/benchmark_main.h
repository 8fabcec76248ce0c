// The entry points a Google Benchmark main uses with deferlab: the exact MemoryManager,
// and reporters that show each repetition's own MemoryManager fields.
//
//   int main(int argc, char** argv) {
//     deferlab::harness::initialize(&argc, argv);
//     if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
//     deferlab::harness::run_specified_benchmarks();
//     benchmark::Shutdown();
//   }
//
// Use them instead of benchmark::Initialize and benchmark::RunSpecifiedBenchmarks: with
// Google Benchmark 1.7.1 and --benchmark_repetitions, the plain calls write earlier
// repetitions' max_bytes_used, total_allocated_bytes and net_heap_growth from freed memory
// (repairing_reporter.h says why and how this is repaired).
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace deferlab::harness {

// benchmark::Initialize, after noting --benchmark_out and --benchmark_out_format (which it
// removes from argv; the BENCHMARK_OUT and BENCHMARK_OUT_FORMAT environment variables
// count as Google Benchmark counts them), then installs the MemoryManager.
void initialize(int* argc, char** argv);

// benchmark::RunSpecifiedBenchmarks with both reporters wrapped in RepairingReporter.
// `display` defaults to benchmark::CreateDefaultDisplayReporter(). `file` is used only
// when --benchmark_out is given, and defaults to the reporter --benchmark_out_format
// names. Neither is owned. Throws deferlab::Error when initialize() was not called
// first: the file reporter could not be wrapped.
std::size_t run_specified_benchmarks(benchmark::BenchmarkReporter* display = nullptr,
                                     benchmark::BenchmarkReporter* file = nullptr);

// What initialize() found: the --benchmark_out file ("" for none) and its format.
const std::string& benchmark_out();
const std::string& benchmark_out_format();

namespace detail {

// Set by declare_manifest() (benchmark_manifest.h): with --deferlab_cases, initialize() asks
// Google Benchmark for the list of benchmarks instead of a run, and run_specified_benchmarks()
// prints the manifest over that list. A pointer, so that a binary which declares no manifest
// does not link benchmark_manifest.cc, nor carry its section.
using ManifestPrinter = void (*)(const std::vector<std::string>& benchmarks,
                                 const std::string& program, std::ostream& out);
void set_manifest_printer(ManifestPrinter printer);

}  // namespace detail

}  // namespace deferlab::harness
