// Output to stdout, a replaced file, or a written-through device: the rule in output.h.
#include "tools/output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace deferlab::tools {
namespace {

namespace fs = std::filesystem;

// Writes go out in pieces of this size: NDJSON streams of hundreds of megabytes stay
// within a bounded buffer.
constexpr std::size_t kBufferBytes = 1 << 20;
// Text at least this long is written as it is, without a copy into the buffer: disasm
// --all hands over its text in chunks of a quarter MB, gigabytes of it for a big library,
// and one write call per chunk costs less than copying it.
constexpr std::size_t kDirectBytes = 64 << 10;
// As the kernel's own limit on following links (ELOOP).
constexpr int kMaxLinks = 40;

enum class Target { kReplace, kWriteThrough };

// What `path` finally names after following symlinks, and how to write it.
std::pair<fs::path, Target> resolve_target(const fs::path& path) {
  fs::path current = path;
  for (int links = 0; links <= kMaxLinks; ++links) {
    struct stat st {};
    if (::lstat(current.c_str(), &st) != 0) {
      if (errno == ENOENT) return {current, Target::kReplace};  // a new file
      throw Error(std::string("cannot write output: ") + std::strerror(errno), path.string());
    }
    if (S_ISLNK(st.st_mode)) {
      std::error_code ec;
      const fs::path target = fs::read_symlink(current, ec);
      if (ec) throw Error("cannot read symlink: " + ec.message(), current.string());
      current = target.is_absolute() ? target : current.parent_path() / target;
      continue;
    }
    if (S_ISREG(st.st_mode)) return {current, Target::kReplace};
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) return {current, Target::kWriteThrough};
    const char* what = S_ISDIR(st.st_mode)   ? "is a directory"
                       : S_ISBLK(st.st_mode) ? "is a block device"
                                             : "is a socket";
    throw Error(std::string("refusing to write output: ") + what, path.string(),
                "-o writes regular files (replaced atomically), character devices and FIFOs");
  }
  throw Error("cannot write output: too many levels of symbolic links", path.string());
}

}  // namespace

Output::Output(fs::path path) : path_(std::move(path)) {
  buffer_.reserve(kBufferBytes);
  if (path_.empty()) {
    std::fflush(stdout);  // whatever stdio holds goes first
    fd_ = 1;
    return;
  }
  const auto [resolved, target] = resolve_target(path_);
  if (target == Target::kReplace) {
    file_ = std::make_unique<TemporaryFile>(resolved);
    return;
  }
  // No O_TRUNC or O_CREAT: a device or FIFO is written to, never made or emptied. Opening
  // a FIFO waits for its reader, as a shell's `> fifo` does.
  fd_ = ::open(resolved.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (fd_ < 0) {
    throw Error(std::string("cannot open output: ") + std::strerror(errno), path_.string());
  }
  owns_fd_ = true;
}

Output::~Output() {
  // Don't retry close on EINTR: the descriptor is released either way on Linux.
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
  // file_'s destructor removes an uncommitted temporary.
}

void Output::write(std::string_view text) {
  if (buffer_.size() + text.size() > kBufferBytes || text.size() >= kDirectBytes) flush_buffer();
  if (text.size() >= kDirectBytes) {
    if (file_) {
      file_->write(text);
    } else {
      write_fd(text);
    }
    return;
  }
  buffer_.append(text);
}

void Output::flush_buffer() {
  if (buffer_.empty()) return;
  if (file_) {
    file_->write(buffer_);
  } else {
    write_fd(buffer_);
  }
  buffer_.clear();
}

void Output::write_fd(std::string_view bytes) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EPIPE) throw BrokenPipe();  // stdout or a FIFO's reader left
    if (n < 0) {
      throw Error(std::string("cannot write output: ") + std::strerror(errno),
                  path_.empty() ? "stdout" : path_.string());
    }
    written += static_cast<std::size_t>(n);
  }
}

void Output::commit() {
  flush_buffer();
  if (file_) {
    file_->commit();
    return;
  }
  if (owns_fd_) {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0 && errno != EINTR) {
      throw Error(std::string("cannot close output: ") + std::strerror(errno), path_.string());
    }
  }
}

}  // namespace deferlab::tools
