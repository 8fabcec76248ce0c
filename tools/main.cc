// deferlab: what does deferred cleanup cost? The command line around the libraries:
// parse arguments, run one subcommand, turn errors into one line and an exit code.
//
// Exit codes: 0 success; 1 a check or regression gate failed; 2 bad usage or bad input;
// 3 an internal error. Signals and a closed stdout pipe end the process by the signal
// itself (tools/signals.h).
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/text_escape.h"
#include "harness/interrupt.h"
#include "tools/command.h"
#include "tools/output.h"
#include "tools/signals.h"

int main(int argc, char** argv) {
  using deferlab::tools::Command;
  deferlab::tools::install_signal_handlers();
  CLI::App app{
      "deferlab: a micro-benchmark lab for deferred cleanup. Times, exact heap allocations "
      "and annotated hot-path assembly of each strategy, side by side.",
      "deferlab"};
  app.require_subcommand(1, 1);
  app.footer(
      "Exit codes: 0 success, 1 a check or regression gate failed, 2 bad usage or input, "
      "3 internal error. SIGINT/SIGTERM end it by the same signal (shell status 130/143) with "
      "no temporary file or child process left; a closed stdout pipe ends it quietly by "
      "SIGPIPE (141), as coreutils do. Run 'deferlab COMMAND --help' for a command's options.");

  std::vector<std::pair<CLI::App*, std::unique_ptr<Command>>> commands;
  auto add = [&](std::unique_ptr<Command> command) {
    commands.emplace_back(app.get_subcommands({}).back(), std::move(command));
  };
  add(deferlab::tools::add_run_command(app));
  add(deferlab::tools::add_profile_command(app));
  add(deferlab::tools::add_disasm_command(app));
  add(deferlab::tools::add_diff_command(app));
  add(deferlab::tools::add_report_command(app));
  add(deferlab::tools::add_compare_command(app));
  add(deferlab::tools::add_check_command(app));

  // CLI11 would call an unknown word "a missing subcommand"; say what it is.
  std::string known;
  bool is_known = false;
  for (const auto& [subcommand, command] : commands) {
    known += (known.empty() ? "" : ", ") + subcommand->get_name();
    is_known = is_known || (argc > 1 && subcommand->get_name() == argv[1]);
  }
  if (argc == 1) {
    std::fprintf(stderr,
                 "deferlab: error: a command is required (command line); commands: %s; "
                 "see 'deferlab --help'\n",
                 known.c_str());
    return 2;
  }
  if (argv[1][0] != '-' && !is_known) {
    std::fprintf(stderr, "deferlab: error: unknown command '%s' (command line); commands: %s\n",
                 argv[1], known.c_str());
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "deferlab: error: %s (command line); see 'deferlab --help'\n", e.what());
    return 2;
  }

  try {
    for (auto& [subcommand, command] : commands) {
      if (subcommand->parsed()) return command->execute();
    }
    return 2;
  } catch (const deferlab::tools::BrokenPipe&) {
    deferlab::tools::end_by_signal(SIGPIPE);
  } catch (const deferlab::Interrupted& e) {
    std::fprintf(stderr, "deferlab: error: %s\n", e.what());
    deferlab::tools::end_by_signal(e.signal());
  } catch (const deferlab::Error& e) {
    std::string line = std::string("deferlab: error: ") + e.what();
    if (!e.subject().empty()) line += " (" + e.subject() + ")";
    if (!e.hint().empty()) line += "; " + e.hint();
    // Messages quote names from files: one line, no terminal escape sequence.
    std::fprintf(stderr, "%s\n", deferlab::visible_text(line).c_str());
    // Details (an ambiguous name's candidates) go to stdout, one per line and whole, so the
    // error stays one line and any candidate can be pasted or piped.
    for (const std::string& detail : e.details()) {
      std::printf("%s\n", deferlab::visible_text(detail).c_str());
    }
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "deferlab: internal error: %s\n", e.what());
    return 3;
  }
}
