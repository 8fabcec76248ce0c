// How deferlab ends on a signal: never with a temporary file left, a child running, or a
// half-written output.
//   - SIGINT, SIGTERM, SIGHUP: live temporaries are unlinked, running children's process
//     groups are killed, one line goes to stderr, and the process ends by the same signal
//     (a shell shows 130 for SIGINT, 143 for SIGTERM, and stops a script as it should).
//   - SIGPIPE is ignored, so a write to a closed pipe is EPIPE: Output throws BrokenPipe,
//     and main() ends the process by SIGPIPE with nothing printed (exit status 141, what a
//     shell shows for coreutils), after the same cleanup.
#pragma once

namespace deferlab::tools {

void install_signal_handlers();

// From now on the first SIGINT/SIGTERM/SIGHUP is only recorded (harness/interrupt.h) for
// the command to act on: `run` stops the benchmark, salvages what it measured and then
// calls end_by_signal. A second signal ends the process at once.
void defer_interrupts();

// Removes live temporaries, kills child groups, and ends the process by `signal` with its
// default action.
[[noreturn]] void end_by_signal(int signal);

}  // namespace deferlab::tools
