// The signal handlers of the deferlab command line (async-signal-safe: atomics, unlink,
// kill, write, raise).
#include "tools/signals.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "harness/atomic_file.h"
#include "harness/interrupt.h"

namespace deferlab::tools {
namespace {

constexpr int kHandled[] = {SIGINT, SIGTERM, SIGHUP};

std::atomic<bool> g_deferred{false};

// The line the handler prints, made before any signal can come (no formatting in a
// handler).
struct Message {
  int signal;
  char text[96];
};
Message g_messages[std::size(kHandled)];

void write_message(int signal) {
  for (const Message& m : g_messages) {
    if (m.signal == signal) (void)!::write(2, m.text, std::strlen(m.text));
  }
}

void on_signal(int signal) {
  const int saved_errno = errno;
  if (g_deferred.load() && request_interrupt(signal)) {
    errno = saved_errno;  // run_process wakes up and stops the child
    return;
  }
  kill_child_groups();
  unlink_live_temporaries();
  write_message(signal);
  end_by_signal(signal);
}

}  // namespace

void install_signal_handlers() {
  prepare_interrupts();
  for (std::size_t i = 0; i < std::size(kHandled); ++i) {
    const std::string text = "deferlab: error: interrupted by " + signal_name(kHandled[i]) +
                             "; no partial file or child process left\n";
    g_messages[i].signal = kHandled[i];
    std::strncpy(g_messages[i].text, text.c_str(), sizeof g_messages[i].text - 1);
  }
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  for (int s : kHandled) sigaddset(&action.sa_mask, s);  // one handler at a time
  action.sa_flags = SA_RESTART;
  for (int s : kHandled) {
    struct sigaction previous {};
    // A signal ignored by whoever started us (nohup, a background job) stays ignored.
    if (::sigaction(s, nullptr, &previous) == 0 && previous.sa_handler == SIG_IGN) continue;
    ::sigaction(s, &action, nullptr);
  }
  ::signal(SIGPIPE, SIG_IGN);
}

void defer_interrupts() {
  g_deferred.store(true);
}

void end_by_signal(int signal) {
  kill_child_groups();
  unlink_live_temporaries();
  ::signal(signal, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signal);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::raise(signal);
  ::_exit(128 + signal);  // not reached: the default action of these signals ends us
}

}  // namespace deferlab::tools
