// libFuzzer target: `deferlab compare`'s inputs. The input holds up to four documents:
// BASE's bench.json, HEAD's bench.json, and a cases.json and a disasm.json that make both
// sides run directories (reports/compare.cc reads them through report_model). Each
// comparison runs with the three kinds of gate and renders in every format.
//
// deferlab::Error is the expected answer to bad input; anything else escaping, a crash, a
// leak, or undefined behaviour is a bug (the targets build with ASan and UBSan).
#include <cstdint>
#include <string>

#include "common/error.h"
#include "common/json_reader.h"
#include "reports/bench_results.h"
#include "reports/compare.h"
#include "reports/report_model.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using namespace deferlab::reports;

CompareInput side(std::string_view bench_text, const nlohmann::json* cases,
                  const nlohmann::json* disasm, const std::string& name) {
  CompareInput input;
  input.source = name;
  input.bench = parse_bench_json(deferlab::json::parse(bench_text, name + "/bench.json"),
                                 name + "/bench.json");
  if (cases != nullptr) {
    input.run = build_run_report(input.bench, cases, "goto_cleanup", name + "/cases.json");
    if (disasm != nullptr) attach_disasm(*input.run, *disasm, name + "/disasm.json");
  }
  return input;
}

void render_all(const Comparison& c) {
  (void)render_comparison_text(c, true);
  (void)render_comparison_markdown(c);
  (void)render_comparison_json(c);
  (void)render_comparison_html(c);
}

void exercise(const std::vector<std::string_view>& parts) {
  if (parts.size() < 2) return;
  nlohmann::json cases, disasm;
  if (parts.size() > 2) cases = deferlab::json::parse(parts[2], "cases.json");
  if (parts.size() > 3) disasm = deferlab::json::parse(parts[3], "disasm.json");
  const nlohmann::json* c = parts.size() > 2 ? &cases : nullptr;
  const nlohmann::json* d = parts.size() > 3 ? &disasm : nullptr;
  const CompareInput base = side(parts[0], c, d, "base");
  const CompareInput head = side(parts[1], c, d, "head");
  const std::vector<Gate> counter_gates = {parse_gate("allocs:+0"), parse_gate("bytes:+64")};
  render_all(compare_runs(base, head, 0.05, counter_gates));
  std::vector<Gate> all_gates = counter_gates;
  all_gates.push_back(parse_gate("time:+5%"));
  try {
    render_all(compare_runs(base, head, 0.2, all_gates));
  } catch (const deferlab::Error&) {
    // A time gate that cannot trip with these repetitions.
  }
}

}  // namespace

DEFERLAB_FUZZ_JSON_MUTATOR

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    exercise(deferlab::fuzz::split_documents(data, size));
  } catch (const deferlab::Error&) {
    // Bad input, reported as such.
  }
  return 0;
}
