#include "harness/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "harness/error.h"

namespace deferlab {
namespace {

std::filesystem::path temporary_beside(const std::filesystem::path& path) {
  // The pid keeps two concurrent writers of one directory apart.
  return path.parent_path() /
         ("." + path.filename().string() + ".tmp-" + std::to_string(::getpid()));
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  const std::filesystem::path temporary = temporary_beside(path);
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw Error(std::string("cannot create file: ") + std::strerror(errno), temporary.string());
  }
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      ::close(fd);
      ::unlink(temporary.c_str());
      throw Error(std::string("cannot write file: ") + std::strerror(saved), path.string());
    }
    written += static_cast<std::size_t>(n);
  }
  // fsync before rename: after a crash the new name must not point at unwritten blocks.
  const bool synced = ::fsync(fd) == 0;
  // Don't retry close on EINTR: the descriptor is released either way on Linux.
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed) {
    ::unlink(temporary.c_str());
    throw Error("cannot flush file", path.string());
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    throw Error(std::string("cannot rename into place: ") + std::strerror(saved), path.string());
  }
}

void replace_symlink(const std::filesystem::path& link, const std::filesystem::path& target) {
  const std::filesystem::path temporary = temporary_beside(link);
  ::unlink(temporary.c_str());
  if (::symlink(target.c_str(), temporary.c_str()) != 0 ||
      ::rename(temporary.c_str(), link.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    throw Error(std::string("cannot update link: ") + std::strerror(saved), link.string());
  }
}

}  // namespace deferlab
