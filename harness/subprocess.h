// Runs a program with its standard output and error read line by line as they come, so
// the caller can show progress while it runs and keep what it printed if it dies.
//
//   const ExitStatus status = run_process({"/abs/bench", "--benchmark_list_tests"},
//       [&](std::string_view line) { names.emplace_back(line); },
//       [&](std::string_view line) { errors.emplace_back(line); },
//       {.timeout_seconds = 60});
//
// The child runs in its own process group, so a terminal's Ctrl-C reaches deferlab alone
// and deferlab decides what the child gets. It never outlives run_process: on a timeout or
// an interrupt (harness/interrupt.h) the group gets the signal, then SIGKILL after a grace
// period; whatever the child leaves in its group is killed when it exits; and the kernel
// kills the child if deferlab itself dies (PR_SET_PDEATHSIG, so call run_process from a
// thread that lives until it returns).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace deferlab {

struct ExitStatus {
  int code = 0;                // the exit code, when the program exited
  int signal = 0;              // the signal that killed it, or 0
  bool timed_out = false;      // it was stopped because it ran past the timeout
  int interrupted_by = 0;      // it was stopped because deferlab got this signal
  double timeout_seconds = 0;  // the limit it ran past, for describe()

  bool succeeded() const { return signal == 0 && code == 0 && !timed_out && interrupted_by == 0; }
  // "exited with code 1", "was killed by signal 11 (Segmentation fault)",
  // "did not finish within 60 s", "was stopped by SIGINT"
  std::string describe() const;
};

struct ProcessOptions {
  double timeout_seconds = 0;  // wall-clock limit; 0: none
  double grace_seconds = 2;    // between the first signal to the group and SIGKILL
  // On an interrupt: false throws Interrupted once the child is gone; true returns the
  // status (interrupted_by set) so the caller can keep what the child wrote.
  bool return_when_interrupted = false;
  // Called with the child's pid (and process group id) once it runs; e.g. for a test that
  // signals it.
  std::function<void(int pid)> on_start;
};

using LineHandler = std::function<void(std::string_view line)>;

// Runs argv[0] (searched in PATH when it has no slash) with stdin from /dev/null. Throws
// Error when it cannot be started; Interrupted when an interrupt is pending before it
// starts, or stops it (unless options.return_when_interrupted). Lines are passed without
// their newline; a line longer than 1 MiB is passed in pieces.
ExitStatus run_process(const std::vector<std::string>& argv, const LineHandler& on_stdout,
                       const LineHandler& on_stderr, const ProcessOptions& options = {});

}  // namespace deferlab
