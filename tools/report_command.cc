// deferlab report RUN_DIR: regenerates a run's report.json, index.html and review.md from
// its bench.json, cases.json and disasm.json; or prints one format.
#include <cstdio>
#include <string>

#include "common/error.h"
#include "reports/renderer.h"
#include "reports/run_directory.h"
#include "tools/command.h"
#include "tools/console.h"
#include "tools/output.h"

namespace deferlab::tools {
namespace {

class ReportCommand final : public Command {
 public:
  explicit ReportCommand(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand(
        "report",
        "Regenerate a run directory's reports (report.json, index.html, review.md) from its "
        "bench.json, cases.json and disasm.json, or print one of them.");
    cmd->add_option("run_dir", run_dir_, "A directory written by deferlab run (e.g. out/latest)")
        ->required();
    cmd->add_option("--format,-f", format_,
                    "Print one format instead of rewriting all three: html, md, json, text")
        ->check(CLI::IsMember({"html", "md", "json", "text"}));
    cmd->add_option("--out,-o", out_, std::string("With --format: ") + kOutHelp);
    cmd->add_option("--max-chars", max_chars_,
                    "Markdown (review.md, -f md): the most characters it may have; over it, "
                    "the least important sections are cut and a line says which (default "
                    "65000, under GitHub's 65,536 per comment)")
        ->check(CLI::Range(std::size_t{4096}, std::size_t{100000000}));
    cmd->add_option("--baseline", baseline_,
                    "Strategy (or benchmark family) the ratios are relative to (default: the "
                    "manifest's baseline, goto_cleanup for the lab; none for other binaries)");
    cmd->footer(
        "Examples:\n"
        "  deferlab report out/latest                 rewrite the three reports\n"
        "  deferlab report out/latest -f md | less    review Markdown on stdout\n"
        "  deferlab report out/latest --baseline scope_guard -f html -o scope.html\n"
        "Without --format the three reports are replaced as a set: all are written and\n"
        "fsynced before any is renamed, so a full disk leaves the old set whole.");
  }

  int execute() override {
    if (!out_.empty() && format_.empty()) {
      throw Error("--out needs --format", "command line", "e.g. --format html --out report.html");
    }
    const reports::RunReport report = reports::load_run_directory(run_dir_, baseline_);
    if (!format_.empty()) {
      const auto renderer =
          reports::make_renderer(format_, {use_color(stdout) && out_.empty(), max_chars_});
      Output output(out_);
      output.write(renderer->render(report));
      output.commit();
      return 0;
    }
    Output paths("");
    for (const auto& path : reports::write_reports(run_dir_, report, {false, max_chars_})) {
      paths.write(path.string() + "\n");
    }
    paths.commit();
    return 0;
  }

 private:
  std::string run_dir_;
  std::string format_;
  std::string out_;
  std::string baseline_;  // "": the manifest's baseline_strategy
  std::size_t max_chars_ = disasm::kDefaultMarkdownBudget;
};

}  // namespace

std::unique_ptr<Command> add_report_command(CLI::App& app) {
  return std::make_unique<ReportCommand>(app);
}

}  // namespace deferlab::tools
