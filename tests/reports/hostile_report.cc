// Writes a report page whose names are hostile markup, for the browser test: loaded in
// Chromium, none of it may run (the title stays as written).
#include <fstream>

#include "reports/renderer.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  using namespace deferlab::reports;
  RunReport report;
  report.baseline_strategy = "goto_cleanup";
  report.repetitions = 3;
  report.context = {{"deferlab_run_id", "hostile"}};
  CaseGroup group;
  group.scenario = "loop_defer";
  group.param = "1";
  group.scenario_summary = "<img src=x onerror=\"document.title='pwned'\">";
  for (const char* name : {"goto_cleanup", "<script>document.title='pwned'</script>",
                           "\"><svg onload=\"document.title='pwned'\">"}) {
    StrategyRow row;
    row.strategy = name;
    row.benchmark = name;
    row.samples_ns = {1, 2, 3};
    row.time = deferlab::stats::summarize(row.samples_ns);
    row.is_baseline = std::string(name) == "goto_cleanup";
    row.hot_symbol = name;
    group.rows.push_back(row);
  }
  report.groups.push_back(group);
  for (const StrategyRow& row : group.rows) {
    deferlab::disasm::AnnotatedFunction f;
    f.range.name = row.hot_symbol;
    f.range.demangled = row.strategy;
    deferlab::disasm::AnnotatedInstruction a;
    a.insn.mnemonic = "call";
    a.insn.operands = "<script>document.title='pwned'</script>";
    a.call_target = row.strategy;
    f.instructions.push_back(a);
    report.functions["x86-64"][f.range.name] = f;
  }
  report.architectures = {"x86-64"};
  std::ofstream(argv[1]) << render_report_html(report);
  return 0;
}
