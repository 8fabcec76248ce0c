// A manifest a user's Google Benchmark binary declares, so that `deferlab run --binary`
// gives it the lab's treatment: each benchmark family's hot function disassembled into
// disasm.json and onto its row, every row's ratio to the baseline family with the
// instruction diff against the baseline's hot function, and the family's notes, in
// registration order.
//
//   int main(int argc, char** argv) {
//     deferlab::harness::declare_manifest({
//         .title = "push_back against reserve",
//         .baseline = "BM_Reserve",
//         .families = {{"BM_PushBack", &push_back_n, "grows by doubling"},
//                      {"BM_Reserve", &reserve_then_push_n, "one allocation"}}});
//     deferlab::harness::initialize(&argc, argv);
//     if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
//     deferlab::harness::run_specified_benchmarks();
//     benchmark::Shutdown();
//   }
//
// Linking declare_manifest() puts a `.deferlab_manifest` section into the binary, which
// `deferlab run` reads from the file (as it finds the lab's); it then runs the binary with
// --deferlab_cases, which prints the deferlab.cases/1 manifest instead of running any
// benchmark. Hot functions are named with dladdr, so the binary must export them: link it
// with -rdynamic (CMake: set_target_properties(my_bench PROPERTIES ENABLE_EXPORTS ON)).
// A hot function that cannot be named makes --deferlab_cases fail (exit 2) and say so.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace deferlab::harness {

// A family of benchmarks (`BM_PushBack` of `BM_PushBack/64`) and the function its timed
// loop spends its time in.
struct ManifestFamily {
  ManifestFamily(std::string family, const void* hot_function, std::string notes = "")
      : name(std::move(family)), hot(hot_function), notes(std::move(notes)) {}
  template <class R, class... Args>
  ManifestFamily(std::string family, R (*hot_function)(Args...), std::string notes = "")
      : ManifestFamily(std::move(family), reinterpret_cast<const void*>(hot_function),
                       std::move(notes)) {}

  std::string name;
  const void* hot = nullptr;  // nullptr: no hot function declared
  std::string notes;          // shown on the family's rows
};

struct BenchmarkManifest {
  std::string title;     // the reports' title ("" : "deferlab: <binary name>")
  std::string baseline;  // the family every ratio is taken against ("" : none)
  std::vector<ManifestFamily> families;
};

// Declares the binary's manifest; call before initialize(). Families the binary runs but
// does not declare still get rows, without a hot function.
void declare_manifest(BenchmarkManifest manifest);

}  // namespace deferlab::harness
