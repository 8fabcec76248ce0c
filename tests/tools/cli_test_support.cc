// Runs the deferlab binary for the tools tests (tests/tools/cli_test_support.h).
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
  CliOptions options;
  options.cwd = cwd;
  return run_deferlab(args, options);
}

CliResult run_deferlab(const std::vector<std::string>& args, const CliOptions& options) {
  std::vector<std::string> argv = {DEFERLAB_CLI};
  argv.insert(argv.end(), args.begin(), args.end());
  if (!options.shell_tail.empty()) {
    // bash -c 'SCRIPT' DEFERLAB ARGS...: "$0" "$@" is the command, quoted as given.
    argv.insert(argv.begin(), {"/bin/bash", "-c",
                               "\"$0\" \"$@\" " + options.shell_tail + "; exit ${PIPESTATUS[0]}"});
  }
  // Through env, so the child starts in `cwd` with the extra variables without changing ours;
  // env execs, so the pid is deferlab's (or bash's).
  std::vector<std::string> prefix = {"env"};
  if (!options.cwd.empty()) prefix.insert(prefix.end(), {"-C", options.cwd.string()});
  prefix.insert(prefix.end(), options.env.begin(), options.env.end());
  argv.insert(argv.begin(), prefix.begin(), prefix.end());

  CliResult result;
  int pid = 0;
  ProcessOptions process;
  process.on_start = [&](int p) { pid = p; };
  const ExitStatus status = run_process(
      argv, [&](std::string_view line) { result.out.emplace_back(line); },
      [&](std::string_view line) {
        result.err.emplace_back(line);
        if (options.on_stderr) options.on_stderr(pid, line);
      },
      process);
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

void expect_one_error_line(const CliResult& r, const std::string& fragment) {
  ASSERT_FALSE(r.err.empty());
  int errors = 0;
  for (const std::string& line : r.err) errors += line.rfind("deferlab: error:", 0) == 0;
  EXPECT_EQ(errors, 1) << r.err_text();
  EXPECT_EQ(r.err.back().rfind("deferlab: error:", 0), 0u) << r.err_text();
  EXPECT_NE(r.err.back().find(fragment), std::string::npos) << r.err.back();
}

std::vector<std::string> temporaries_in(const std::filesystem::path& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".tmp") != std::string::npos || name == ".bench.raw.json") {
      found.push_back(entry.path().string());
    }
  }
  return found;
}

}  // namespace deferlab::tools::testing
