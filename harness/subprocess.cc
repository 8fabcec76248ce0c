// Child processes: started with fork/exec into their own process group, read through two
// pipes, bounded in time, and never left running.
#include "harness/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <sstream>

#include "common/error.h"
#include "harness/interrupt.h"

extern char** environ;

namespace deferlab {
namespace {

using Clock = std::chrono::steady_clock;

// A line longer than this is passed on in pieces: a child that never prints a newline
// must not grow our memory without bound.
constexpr std::size_t kMaxLine = 1 << 20;

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    // Don't retry close on EINTR: the descriptor is released either way on Linux.
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Splits a byte stream into lines for a handler.
class LineSplitter {
 public:
  explicit LineSplitter(const LineHandler& handler) : handler_(handler) {}
  void feed(const char* data, std::size_t size) {
    buffer_.append(data, size);
    std::size_t start = 0;
    for (std::size_t nl; (nl = buffer_.find('\n', start)) != std::string::npos; start = nl + 1) {
      if (handler_) handler_(std::string_view(buffer_).substr(start, nl - start));
    }
    buffer_.erase(0, start);
    if (buffer_.size() > kMaxLine) finish();
  }
  void finish() {
    if (!buffer_.empty() && handler_) handler_(buffer_);
    buffer_.clear();
  }

 private:
  const LineHandler& handler_;
  std::string buffer_;
};

// The file execve runs: argv[0] itself when it has a slash, else the first executable
// regular file of that name in PATH (resolved here, before fork, where allocating is fine).
std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  throw Error("cannot run program: not found in PATH", name);
}

// Async-signal-safe: `from` becomes `to`, without close-on-exec.
bool move_fd(int from, int to) {
  if (from == to) return ::fcntl(to, F_SETFD, 0) == 0;
  return ::dup2(from, to) == to;
}

// After fork, before exec: only async-signal-safe calls. Never returns.
[[noreturn]] void become_child(const char* program, char* const* args, pid_t parent, int in_fd,
                               int out_fd, int err_fd, int report_fd) {
  ::setpgid(0, 0);
  // Die with deferlab; the check closes the race with a parent that died before prctl.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(127);
  // Ignored signals stay ignored across exec (deferlab ignores SIGPIPE): give the program
  // the defaults it expects, and an empty mask.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; ++s) ::sigaction(s, &default_action, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  int error = 0;
  if (!move_fd(in_fd, 0) || !move_fd(out_fd, 1) || !move_fd(err_fd, 2)) {
    error = errno;
  } else {
    ::execve(program, args, environ);
    error = errno;
  }
  (void)!::write(report_fd, &error, sizeof error);
  ::_exit(127);
}

struct Child {
  pid_t pid = -1;
  Fd out;
  Fd err;
};

Child spawn(const std::vector<std::string>& argv) {
  const std::string program = find_program(argv.at(0));
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  int out_pipe[2];
  int err_pipe[2];
  int report_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw Error("cannot create a pipe", argv[0]);
  Fd out_read(out_pipe[0]), out_write(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) throw Error("cannot create a pipe", argv[0]);
  Fd err_read(err_pipe[0]), err_write(err_pipe[1]);
  if (::pipe2(report_pipe, O_CLOEXEC) != 0) throw Error("cannot create a pipe", argv[0]);
  Fd report_read(report_pipe[0]), report_write(report_pipe[1]);
  Fd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (dev_null.get() < 0) throw Error("cannot open /dev/null", argv[0]);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw Error(std::string("cannot start program: ") + std::strerror(errno), argv[0]);
  if (pid == 0) {
    become_child(program.c_str(), args.data(), parent, dev_null.get(), out_write.get(),
                 err_write.get(), report_write.get());
  }
  ::setpgid(pid, pid);  // also here, so the group exists before we signal it
  report_write.reset();
  out_write.reset();
  err_write.reset();
  int error = 0;
  ssize_t n;
  while ((n = ::read(report_read.get(), &error, sizeof error)) < 0 && errno == EINTR) {
  }
  if (n == static_cast<ssize_t>(sizeof error)) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    throw Error(std::string("cannot run program: ") + std::strerror(error), argv[0]);
  }
  return Child{pid, std::move(out_read), std::move(err_read)};
}

// Keeps a running child's group registered, and on every way out (an exception from a
// line handler included) kills what is left of the group and reaps the child.
class ChildGuard {
 public:
  explicit ChildGuard(pid_t pid) : pid_(pid), slot_(detail::register_child_group(pid)) {}
  ~ChildGuard() {
    if (!reaped_) {
      ::kill(-pid_, SIGKILL);
      while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
    detail::unregister_child_group(slot_);
  }
  ChildGuard(const ChildGuard&) = delete;
  ChildGuard& operator=(const ChildGuard&) = delete;

  // Reaps the child if it has exited (or waits when `block`). True once reaped. Whatever
  // the program left in its group is killed first, while the exited child (a zombie) still
  // holds the group's id, so the id cannot name another group yet: no orphans.
  bool reap(bool block) {
    if (reaped_) return true;
    siginfo_t info{};
    const int flags = WEXITED | WNOWAIT | (block ? 0 : WNOHANG);
    while (::waitid(P_PID, static_cast<id_t>(pid_), &info, flags) != 0) {
      if (errno != EINTR) throw Error("cannot wait for program", std::to_string(pid_));
    }
    if (info.si_pid != pid_) return false;  // WNOHANG: still running
    ::kill(-pid_, SIGKILL);
    while (::waitpid(pid_, &status_, 0) < 0) {
      if (errno != EINTR) throw Error("cannot wait for program", std::to_string(pid_));
    }
    return reaped_ = true;
  }
  int status() const { return status_; }
  bool reaped() const { return reaped_; }

 private:
  pid_t pid_;
  int slot_;
  bool reaped_ = false;
  int status_ = 0;
};

int milliseconds_until(Clock::time_point when, Clock::time_point now) {
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(when - now).count();
  return static_cast<int>(std::clamp<long long>(ms, 0, 60'000));
}

}  // namespace

std::string ExitStatus::describe() const {
  if (interrupted_by != 0) return "was stopped by " + signal_name(interrupted_by);
  if (timed_out) {
    std::ostringstream text;
    text << "did not finish within " << timeout_seconds << " s";
    return text.str();
  }
  if (signal != 0) {
    return "was killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  }
  return "exited with code " + std::to_string(code);
}

namespace {

// When to stop a running child and how: forward an interrupt or send SIGTERM on timeout,
// SIGKILL the group after the grace period, and stop waiting for its pipes after another.
class Stopper {
 public:
  Stopper(pid_t group, const ProcessOptions& options, ExitStatus& result)
      : group_(group), grace_(seconds(options.grace_seconds)), result_(result) {
    if (options.timeout_seconds > 0) timeout_at_ = Clock::now() + seconds(options.timeout_seconds);
  }

  // Acts on what is due at `now`. True once an interrupt has been seen (stop polling the
  // wake-up pipe, which stays readable).
  bool update(Clock::time_point now, bool child_gone) {
    const bool stopping = result_.interrupted_by != 0 || result_.timed_out;
    if (!stopping && !child_gone && interrupt_signal() != 0) {
      result_.interrupted_by = interrupt_signal();
      ::kill(-group_, result_.interrupted_by);  // forwarded, as a terminal would
      kill_at_ = now + grace_;
    } else if (!stopping && !child_gone && timeout_at_ && now >= *timeout_at_) {
      result_.timed_out = true;
      ::kill(-group_, SIGTERM);
      kill_at_ = now + grace_;
    }
    if (kill_at_ && now >= *kill_at_ && !give_up_at_) {
      if (!child_gone) ::kill(-group_, SIGKILL);
      give_up_at_ = now + grace_;
    }
    return result_.interrupted_by != 0;
  }

  // The child exited: whatever it left holding its pipes outside its group gets a grace
  // period to let go.
  void child_exited(Clock::time_point now) {
    if (!give_up_at_) give_up_at_ = now + grace_;
  }

  bool gave_up(Clock::time_point now) const { return give_up_at_ && now >= *give_up_at_; }

  // Milliseconds poll may sleep: until the next deadline, and in steps of 100 ms while the
  // child runs (its exit is noticed by polling waitid, not by a signal).
  int wait_ms(Clock::time_point now, bool child_gone) const {
    std::optional<Clock::time_point> next = give_up_at_ ? give_up_at_ : kill_at_;
    if (!next && result_.interrupted_by == 0 && !result_.timed_out) next = timeout_at_;
    int ms = next ? milliseconds_until(*next, now) : -1;
    if (!child_gone) ms = ms < 0 ? 100 : std::min(ms, 100);
    return ms;
  }

 private:
  static Clock::duration seconds(double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  }

  pid_t group_;
  Clock::duration grace_;
  ExitStatus& result_;
  std::optional<Clock::time_point> timeout_at_;
  std::optional<Clock::time_point> kill_at_;     // SIGKILL to the group
  std::optional<Clock::time_point> give_up_at_;  // stop reading what the group left open
};

}  // namespace

ExitStatus run_process(const std::vector<std::string>& argv, const LineHandler& on_stdout,
                       const LineHandler& on_stderr, const ProcessOptions& options) {
  throw_if_interrupted();  // no new child once the user asked to stop
  Child child = spawn(argv);
  ChildGuard guard(child.pid);
  if (options.on_start) options.on_start(child.pid);
  ExitStatus result;
  result.timeout_seconds = options.timeout_seconds;
  Stopper stopper(child.pid, options, result);

  LineSplitter out_lines(on_stdout);
  LineSplitter err_lines(on_stderr);
  std::array<pollfd, 3> fds = {pollfd{child.out.get(), POLLIN, 0},
                               pollfd{child.err.get(), POLLIN, 0},
                               pollfd{interrupt_wake_fd(), POLLIN, 0}};
  std::array<LineSplitter*, 2> splitters = {&out_lines, &err_lines};
  int open_streams = 2;
  char buffer[65536];
  for (;;) {
    const Clock::time_point now = Clock::now();
    const bool was_gone = guard.reaped();
    // Exited: its group is killed and it is reaped; the pipes drain to their end.
    if (!was_gone && guard.reap(false)) stopper.child_exited(now);
    if (guard.reaped() && open_streams == 0) break;
    // Seen once, the interrupt is handled; the wake-up pipe stays readable: stop polling it.
    if (stopper.update(now, guard.reaped()) || interrupt_signal() != 0) fds[2].fd = -1;
    if (stopper.gave_up(now)) {
      guard.reap(true);  // SIGKILLed: it goes now, whatever holds its pipes
      break;
    }
    if (::poll(fds.data(), fds.size(), stopper.wait_ms(now, guard.reaped())) < 0) {
      if (errno == EINTR) continue;
      throw Error(std::string("cannot read from program: ") + std::strerror(errno), argv[0]);
    }
    for (std::size_t i = 0; i < splitters.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        splitters[i]->feed(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;  // end of stream
        --open_streams;
      }
    }
  }
  out_lines.finish();
  err_lines.finish();

  const int status = guard.status();
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  if (WIFEXITED(status)) result.code = WEXITSTATUS(status);
  if (result.interrupted_by != 0 && !options.return_when_interrupted) {
    throw Interrupted(result.interrupted_by);
  }
  return result;
}

}  // namespace deferlab
