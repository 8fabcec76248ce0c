// deferlab compare BASE HEAD: two runs, or two Google Benchmark JSON files from any
// project, with a significance test per benchmark and CI gates.
#include <cstdio>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/text_escape.h"
#include "reports/compare.h"
#include "reports/figures.h"
#include "reports/renderer.h"
#include "tools/command.h"
#include "tools/console.h"
#include "tools/output.h"

namespace deferlab::tools {
namespace {

class CompareCommand final : public Command {
 public:
  explicit CompareCommand(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand(
        "compare",
        "Compare two runs benchmark by benchmark: median change with a confidence interval, "
        "Mann-Whitney U p-value and verdict, the exact change in heap allocations and bytes, "
        "and what changed in the hot functions when both runs have disassembly.");
    cmd->add_option("base", base_,
                    "Run directory, Google Benchmark JSON file, or go test -bench text output "
                    "(what benchstat reads)")
        ->required();
    cmd->add_option("head", head_, "The same, for the run to judge")->required();
    cmd->add_option("--alpha", alpha_, "Significance level of the U test (default 0.05)")
        ->check(CLI::Range(0.0001, 0.5));
    cmd->add_option("--fail-on", gates_,
                    "Exit 1 when a benchmark trips this gate, or when the gate cannot judge a "
                    "BASE benchmark (missing or renamed in HEAD, errored, invalid data, no such "
                    "counter): time:+5% (significantly slower, by a change estimate above "
                    "5 %), allocs:+0 (any increase in heap_allocs per iteration), bytes:+N, "
                    "instructions:+1% or cycles:+2% (exact instructions or estimated cycles "
                    "per iteration from the runs' profile passes; a run without a profile "
                    "fails the gate); amortized counters are gated within a factor 2; "
                    "repeatable");
    cmd->add_option("--format,-f", format_, "text (default), md, json (deferlab.compare/1), html")
        ->check(CLI::IsMember({"text", "md", "json", "html"}));
    cmd->add_option("--out,-o", out_, kOutHelp);
    cmd->add_option("--max-chars", max_chars_,
                    "-f md: the most characters it may have; over it, the rows without a "
                    "significant change are cut first and a line says how many (default 65000, "
                    "under GitHub's 65,536 per comment)")
        ->check(CLI::Range(std::size_t{4096}, std::size_t{100000000}));
    cmd->footer(
        "Examples:\n"
        "  deferlab compare out/before out/after\n"
        "  deferlab compare base.json head.json --fail-on time:+5% --fail-on allocs:+0\n"
        "  deferlab compare out/before out/after --fail-on instructions:+0%\n"
        "Exit codes: 0 no gate tripped, 1 a gate tripped or could not judge a row (offending\n"
        "rows on stderr), 2 bad input, a bad gate, or a time gate that cannot trip with the\n"
        "repetitions given. docs/figures.md defines every figure.");
  }

  int execute() override {
    std::vector<reports::Gate> gates;
    for (const std::string& g : gates_) gates.push_back(reports::parse_gate(g));
    const reports::CompareInput base = reports::load_compare_input(base_);
    const reports::CompareInput head = reports::load_compare_input(head_);
    const reports::Comparison c = reports::compare_runs(base, head, alpha_, gates);
    if (c.rows.empty()) {
      throw Error("the two runs share no benchmark", base_ + " / " + head_,
                  "compare runs of the same benchmarks (matched by name)");
    }
    const auto renderer =
        reports::make_renderer(format_, {out_.empty() && use_color(stdout), max_chars_});
    Output output(out_);
    output.write(renderer->render(c));
    output.commit();
    // Which gates ran on how many rows, so a gate that judged nothing cannot pass unseen.
    for (const reports::GateRun& g : c.gate_runs) {
      std::string line = "deferlab: gate " + g.gate.text + ": checked " +
                         std::to_string(g.checked) + " of " + std::to_string(g.rows) + " rows, " +
                         std::to_string(g.tripped) + " tripped, " + std::to_string(g.unverifiable) +
                         " could not be checked";
      if (g.amortized > 0) {
        line += " (" + std::to_string(g.amortized) + " amortized, gated within " +
                reports::amortized_tolerance_text() + ")";
      }
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    for (const std::string& failure : c.failures) {
      std::fprintf(stderr, "deferlab: gate failed: %s\n", visible_text(failure).c_str());
    }
    return c.failures.empty() ? 0 : 1;
  }

 private:
  std::string base_;
  std::string head_;
  double alpha_ = 0.05;
  std::vector<std::string> gates_;
  std::string format_ = "text";
  std::string out_;
  std::size_t max_chars_ = disasm::kDefaultMarkdownBudget;
};

}  // namespace

std::unique_ptr<Command> add_compare_command(CLI::App& app) {
  return std::make_unique<CompareCommand>(app);
}

}  // namespace deferlab::tools
