// The pending-interrupt flag, its wake-up pipe, and the table of running child process
// groups, all usable from a signal handler (lock-free atomics, fixed storage).
#include "harness/interrupt.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace deferlab {
namespace {

std::atomic<int> g_signal{0};
std::atomic<int> g_wake_read{-1};
std::atomic<int> g_wake_write{-1};

// Running children: deferlab runs one at a time; tests may run a few in parallel.
constexpr int kGroups = 16;
std::atomic<pid_t> g_groups[kGroups];
static_assert(std::atomic<pid_t>::is_always_lock_free, "the signal handler reads these");

}  // namespace

Interrupted::Interrupted(int signal, std::string message)
    : signal_(signal),
      message_(message.empty() ? "interrupted by " + signal_name(signal) : std::move(message)) {}

std::string signal_name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    case SIGPIPE:
      return "SIGPIPE";
    case SIGKILL:
      return "SIGKILL";
    default:
      return "signal " + std::to_string(signal);
  }
}

void prepare_interrupts() {
  if (g_wake_read.load() >= 0) return;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return;  // run_process then polls without it
  g_wake_write.store(fds[1]);
  g_wake_read.store(fds[0]);
}

bool request_interrupt(int signal) noexcept {
  int expected = 0;
  if (!g_signal.compare_exchange_strong(expected, signal)) return false;
  const int fd = g_wake_write.load();
  if (fd >= 0) {
    const char byte = 1;
    (void)!::write(fd, &byte, 1);  // the pipe stays readable from now on
  }
  return true;
}

int interrupt_signal() noexcept {
  return g_signal.load();
}

void throw_if_interrupted() {
  if (const int signal = interrupt_signal(); signal != 0) throw Interrupted(signal);
}

int interrupt_wake_fd() noexcept {
  return g_wake_read.load();
}

void kill_child_groups() noexcept {
  for (std::atomic<pid_t>& group : g_groups) {
    const pid_t g = group.load();
    if (g > 0) ::kill(-g, SIGKILL);
  }
}

namespace detail {

int register_child_group(pid_t group) noexcept {
  for (int i = 0; i < kGroups; ++i) {
    pid_t expected = 0;
    if (g_groups[i].compare_exchange_strong(expected, group)) return i;
  }
  return -1;
}

void unregister_child_group(int slot) noexcept {
  if (slot >= 0) g_groups[slot].store(0);
}

}  // namespace detail

}  // namespace deferlab
