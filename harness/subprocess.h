// Runs a program with its standard output and error read line by line as they come, so
// the caller can show progress while it runs and keep what it printed if it dies.
//
//   const ExitStatus status = run_process({"./bench", "--benchmark_list_tests"},
//       [&](std::string_view line) { names.emplace_back(line); },
//       [&](std::string_view line) { errors.emplace_back(line); });
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace deferlab {

struct ExitStatus {
  int code = 0;    // the exit code, when the program exited
  int signal = 0;  // the signal that killed it, or 0

  bool succeeded() const { return signal == 0 && code == 0; }
  // "exited with code 1", "was killed by signal 11 (Segmentation fault)"
  std::string describe() const;
};

using LineHandler = std::function<void(std::string_view line)>;

// Runs argv[0] (searched in PATH when it has no slash) with stdin from /dev/null. Throws
// Error when it cannot be started. Lines are passed without their newline.
ExitStatus run_process(const std::vector<std::string>& argv, const LineHandler& on_stdout,
                       const LineHandler& on_stderr);

}  // namespace deferlab
