// How a SIGINT/SIGTERM reaches the libraries without them installing handlers: the
// command line's handler calls request_interrupt(), which records the signal and wakes
// run_process(); run_process() then forwards the signal to the child's process group,
// kills the group after a grace period, and returns or throws Interrupted. The process
// groups of running children are kept here so that a handler about to end the process can
// kill them (kill_child_groups) and leave no orphan.
//
//   // in a signal handler (async-signal-safe):
//   if (!deferlab::request_interrupt(sig)) { kill_child_groups(); /* re-raise */ }
#pragma once

#include <sys/types.h>

#include <exception>
#include <string>

namespace deferlab {

// The work was stopped by a signal. Not an Error: code that catches Error to carry on must
// not swallow it. tools/ reports what() and ends the process by the same signal.
class Interrupted : public std::exception {
 public:
  explicit Interrupted(int signal, std::string message = {});
  int signal() const { return signal_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  int signal_;
  std::string message_;
};

// "SIGINT", "SIGTERM", ...; "signal N" otherwise.
std::string signal_name(int signal);

// Creates the wake-up pipe; call once before installing a handler that calls
// request_interrupt. Idempotent.
void prepare_interrupts();

// Async-signal-safe. Records `signal` (the first one wins) and wakes run_process. Returns
// false when an interrupt was already pending (a second signal: the caller should end the
// process now).
bool request_interrupt(int signal) noexcept;

// The pending interrupt's signal, or 0. Async-signal-safe.
int interrupt_signal() noexcept;

// Throws Interrupted when an interrupt is pending.
void throw_if_interrupted();

// Read end of the wake-up pipe (readable once an interrupt is pending), or -1 before
// prepare_interrupts().
int interrupt_wake_fd() noexcept;

// Async-signal-safe: SIGKILL to the process group of every running child.
void kill_child_groups() noexcept;

namespace detail {
// run_process registers each child's process group while it runs. Returns a slot, or -1
// when the table is full (the group is then still killed by run_process itself).
int register_child_group(pid_t group) noexcept;
void unregister_child_group(int slot) noexcept;
}  // namespace detail

}  // namespace deferlab
