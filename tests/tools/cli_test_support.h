// Runs the deferlab command line for the tools tests and captures what it printed.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace deferlab::tools::testing {

struct CliResult {
  int exit_code = -1;            // 128 + N when killed by signal N, as a shell shows it
  std::vector<std::string> out;  // stdout lines
  std::vector<std::string> err;  // stderr lines

  std::string out_text() const;
  std::string err_text() const;
};

struct CliOptions {
  std::filesystem::path cwd;     // run there (empty: here)
  std::vector<std::string> env;  // NAME=VALUE added to the environment
  // Appended to the command in bash, e.g. "> /dev/full" or "| head -1"; the exit code is
  // then deferlab's own (PIPESTATUS[0]).
  std::string shell_tail;
  // Each stderr line as it comes, with deferlab's pid (to signal it mid-run). Not used with
  // shell_tail.
  std::function<void(int pid, std::string_view line)> on_stderr;
};

// Runs the deferlab binary with `args`, in `cwd` when given.
CliResult run_deferlab(const std::vector<std::string>& args, const std::filesystem::path& cwd = {});
CliResult run_deferlab(const std::vector<std::string>& args, const CliOptions& options);

// A fresh empty directory under the test's temporary directory.
std::filesystem::path fresh_directory(const std::string& name);

// The only line of stderr that is an error, it is the last one, and it contains `fragment`.
void expect_one_error_line(const CliResult& r, const std::string& fragment);

// Names of the files in `dir` that look like temporaries (".tmp"), recursively.
std::vector<std::string> temporaries_in(const std::filesystem::path& dir);

}  // namespace deferlab::tools::testing
