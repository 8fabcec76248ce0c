// The lab's benchmark binary: every registered case plus the hook-overhead benchmarks,
// run by Google Benchmark with the allocation hook's MemoryManager and repaired reporters
// (harness/benchmark_main.h).
//
//   deferlab_bench --deferlab_cases            prints the deferlab.cases/1 manifest
//   deferlab_bench [--benchmark_* flags]       runs the benchmarks
#include <benchmark/benchmark.h>

#include <cstring>
#include <iostream>
#include <vector>

#include "cases/case_registry.h"
#include "harness/benchmark_main.h"

#ifndef DEFERLAB_CXX_FLAGS
#define DEFERLAB_CXX_FLAGS "unknown"
#endif
#ifndef DEFERLAB_BUILD_TYPE
#define DEFERLAB_BUILD_TYPE "unknown"
#endif

namespace {

// Writes each benchmark's results to --benchmark_out as soon as they exist, so a run that
// crashes half way keeps everything before the crash (the stock reporter buffers).
class FlushingJsonReporter final : public benchmark::JSONReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    JSONReporter::ReportRuns(runs);
    GetOutputStream().flush();
  }
};

// The mark deferlab run looks for (a section, read from the file without running it) to
// know that this binary answers --deferlab_cases; a renamed lab binary keeps it, and no
// file name is ever taken as proof.
[[gnu::used, gnu::section(".deferlab_manifest")]] const char manifest_mark[] =
    "deferlab.cases/1 --deferlab_cases";

const char* compiler_name() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown";
#endif
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--deferlab_cases") == 0) {
      nlohmann::json manifest = deferlab::cases::manifest();
      manifest["compiler"] = compiler_name();
      std::cout << manifest.dump(2) << '\n';
      return 0;
    }
  }
  deferlab::harness::initialize(&argc, argv);  // also installs the MemoryManager
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::AddCustomContext("deferlab_compiler", compiler_name());
  benchmark::AddCustomContext("deferlab_cxx_flags", DEFERLAB_CXX_FLAGS);
  benchmark::AddCustomContext("deferlab_build_type", DEFERLAB_BUILD_TYPE);
#if defined(__x86_64__)
  benchmark::AddCustomContext("deferlab_arch", "x86-64");
#elif defined(__aarch64__)
  benchmark::AddCustomContext("deferlab_arch", "aarch64");
#endif
  deferlab::cases::register_benchmarks();
  // The file reporter is used only with --benchmark_out; it writes JSON whatever
  // --benchmark_out_format says, as deferlab run reads it.
  FlushingJsonReporter file_reporter;
  deferlab::harness::run_specified_benchmarks(nullptr, &file_reporter);
  benchmark::Shutdown();
  return 0;
}
