#include "tests/tools/cli_test_support.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include "harness/subprocess.h"

namespace deferlab::tools::testing {

std::string CliResult::out_text() const {
  std::string text;
  for (const std::string& line : out) text += line + "\n";
  return text;
}

std::string CliResult::err_text() const {
  std::string text;
  for (const std::string& line : err) text += line + "\n";
  return text;
}

CliResult run_deferlab(const std::vector<std::string>& args, const std::filesystem::path& cwd) {
  std::vector<std::string> argv = {DEFERLAB_CLI};
  argv.insert(argv.end(), args.begin(), args.end());
  if (!cwd.empty()) {
    // Run through env -C so the child starts in `cwd` without changing ours.
    argv.insert(argv.begin(), {"env", "-C", cwd.string()});
  }
  CliResult result;
  const ExitStatus status = run_process(
      argv, [&](std::string_view line) { result.out.emplace_back(line); },
      [&](std::string_view line) { result.err.emplace_back(line); });
  result.exit_code = status.signal != 0 ? 128 + status.signal : status.code;
  return result;
}

std::filesystem::path fresh_directory(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                                    ("deferlab-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace deferlab::tools::testing
