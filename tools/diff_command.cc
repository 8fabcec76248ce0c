// deferlab diff A B: two functions (two strategies in one binary, or one symbol in two
// builds) aligned instruction by instruction after normalising addresses.
#include <set>
#include <string>

#include "common/error.h"
#include "disasm/diff.h"
#include "disasm/diff_render.h"
#include "reports/renderer.h"
#include "tools/command.h"
#include "tools/function_spec.h"
#include "tools/output.h"

namespace deferlab::tools {
namespace {

using namespace deferlab::disasm;

class DiffCommand final : public Command {
 public:
  explicit DiffCommand(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand(
        "diff",
        "Diff two functions' assembly, robust to address shifts: branch targets become "
        "labels, calls and PC-relative operands become symbols; reports a match percentage "
        "and what changed in calls, allocation calls and loops.");
    cmd->add_option("a", a_, "BINARY:SYMBOL, or a deferlab disasm JSON file (FILE.json[:SYMBOL])")
        ->required();
    cmd->add_option("b", b_, "The same, for the other side")->required();
    cmd->add_flag("--ignore-registers", ignore_registers_,
                  "Treat any register as any other (register allocation differences do not count)");
    cmd->add_option("--format,-f", format_, "text (default), md, json (deferlab.diff/1), html")
        ->check(CLI::IsMember({"text", "md", "json", "html"}));
    cmd->add_option("--out,-o", out_, kOutHelp);
    cmd->footer(
        "Examples:\n"
        "  deferlab diff 'bench:fixed_defers<deferlab::ScopeGuardStrategy, 4u>' "
        "'bench:fixed_defers<deferlab::GotoCleanupStrategy, 4u>'\n"
        "  deferlab diff old.json new.json -f md\n"
        "Match % = 2 x equal / (|A| + |B|) over normalised instructions.");
  }

  int execute() override {
    const AllocNames names = AllocNames::defaults();
    const LoadedFunction a = load_function(a_, names);
    const LoadedFunction b = load_function(b_, names);
    const std::set<std::string> registers = register_names(a.arch);
    DiffOptions options;
    options.ignore_registers = ignore_registers_;
    options.registers = &registers;
    const FunctionDiff d = diff_functions(a.function, b.function, options);
    const DiffSide side_a{&a.function, a.source, std::string(arch_info(a.arch).name)};
    const DiffSide side_b{&b.function, b.source, std::string(arch_info(b.arch).name)};
    Output output(out_);
    output.write(reports::make_renderer(format_, {})
                     ->render(reports::DiffDocument{side_a, side_b, &d, options}));
    output.commit();
    return 0;
  }

 private:
  std::string a_;
  std::string b_;
  bool ignore_registers_ = false;
  std::string format_ = "text";
  std::string out_;
};

}  // namespace

std::unique_ptr<Command> add_diff_command(CLI::App& app) {
  return std::make_unique<DiffCommand>(app);
}

}  // namespace deferlab::tools
