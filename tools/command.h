// One subcommand of the deferlab command line. Each lives in its own file and adds its
// options to the CLI11 app; main() runs the one the user chose.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>

namespace deferlab::tools {

class Command {
 public:
  virtual ~Command() = default;
  // Exit code: 0 success, 1 a check or gate failed. Bad usage or input throws Error.
  virtual int execute() = 0;
};

std::unique_ptr<Command> add_run_command(CLI::App& app);
std::unique_ptr<Command> add_disasm_command(CLI::App& app);
std::unique_ptr<Command> add_diff_command(CLI::App& app);
std::unique_ptr<Command> add_check_command(CLI::App& app);
std::unique_ptr<Command> add_report_command(CLI::App& app);
std::unique_ptr<Command> add_compare_command(CLI::App& app);
std::unique_ptr<Command> add_profile_command(CLI::App& app);

}  // namespace deferlab::tools
