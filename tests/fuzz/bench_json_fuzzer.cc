// libFuzzer target: bench.json as deferlab reads it (json::parse with its bounds,
// reports/bench_results.cc), the salvage of a crashed run's truncated file, and everything
// a report does with the result (report_model, the text, JSON, Markdown and HTML
// renderers). An optional second document is the run's cases.json.
//
// deferlab::Error is the expected answer to bad input; anything else escaping, a crash, a
// leak, or undefined behaviour is a bug (the targets build with ASan and UBSan).
#include <cstdint>
#include <string>

#include "common/error.h"
#include "common/json_reader.h"
#include "reports/bench_results.h"
#include "reports/renderer.h"
#include "reports/report_model.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using namespace deferlab::reports;

void render_all(const BenchResults& bench, const nlohmann::json* manifest) {
  for (const BenchmarkResult& b : bench.benchmarks) {
    (void)b.counter_median("heap_allocs");
    (void)b.is_amortized("heap_bytes");
  }
  const RunReport report = build_run_report(bench, manifest, "goto_cleanup");
  for (const char* format : {"text", "json", "md", "html"}) {
    (void)make_renderer(format, {})->render(report);
  }
}

void exercise(std::string_view bench_text, const std::string_view* cases_text) {
  // What `deferlab run` keeps of a benchmark binary that died mid-write.
  try {
    const nlohmann::json salvaged = salvage_truncated_bench_json(std::string(bench_text));
    if (!salvaged.is_null()) render_all(parse_bench_json(salvaged, "bench.partial.json"), nullptr);
  } catch (const deferlab::Error&) {
  }
  nlohmann::json manifest;
  if (cases_text != nullptr) manifest = deferlab::json::parse(*cases_text, "cases.json");
  const nlohmann::json document = deferlab::json::parse(bench_text, "bench.json");
  render_all(parse_bench_json(document, "bench.json"), cases_text ? &manifest : nullptr);
}

}  // namespace

DEFERLAB_FUZZ_JSON_MUTATOR

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string_view> parts = deferlab::fuzz::split_documents(data, size);
  try {
    exercise(parts[0], parts.size() > 1 ? &parts[1] : nullptr);
  } catch (const deferlab::Error&) {
    // Bad input, reported as such.
  }
  return 0;
}
