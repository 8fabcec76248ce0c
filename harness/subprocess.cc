#include "harness/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "harness/error.h"

extern char** environ;

namespace deferlab {
namespace {

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
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
  }
  void finish() {
    if (!buffer_.empty() && handler_) handler_(buffer_);
    buffer_.clear();
  }

 private:
  const LineHandler& handler_;
  std::string buffer_;
};

}  // namespace

std::string ExitStatus::describe() const {
  if (signal != 0) {
    return "was killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  }
  return "exited with code " + std::to_string(code);
}

ExitStatus run_process(const std::vector<std::string>& argv, const LineHandler& on_stdout,
                       const LineHandler& on_stderr) {
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw Error("cannot create a pipe", argv.at(0));
  Fd out_read(out_pipe[0]);
  Fd out_write(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) throw Error("cannot create a pipe", argv.at(0));
  Fd err_read(err_pipe[0]);
  Fd err_write(err_pipe[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    throw Error(std::string("cannot run program: ") + std::strerror(spawned), argv[0]);
  }
  out_write.reset();
  err_write.reset();

  LineSplitter out_lines(on_stdout);
  LineSplitter err_lines(on_stderr);
  std::array<pollfd, 2> fds = {pollfd{out_read.get(), POLLIN, 0},
                               pollfd{err_read.get(), POLLIN, 0}};
  std::array<LineSplitter*, 2> splitters = {&out_lines, &err_lines};
  int open_streams = 2;
  char buffer[65536];
  while (open_streams > 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
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

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw Error("cannot wait for program", argv[0]);
  }
  ExitStatus result;
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  if (WIFEXITED(status)) result.code = WEXITSTATUS(status);
  return result;
}

}  // namespace deferlab
