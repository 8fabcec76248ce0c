// Atomic file replacement and the registry of live temporaries that a signal handler can
// empty without allocating.
#include "harness/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "common/error.h"

namespace deferlab {
namespace {

namespace fs = std::filesystem;

// Live temporaries, readable from a signal handler: fixed storage, lock-free atomics, no
// allocation. 64 is far more than deferlab ever has open at once (a report set is three);
// a path that finds no slot is still removed by its destructor, only not by a signal.
constexpr int kSlots = 64;
constexpr std::size_t kPathBytes = 4096;  // PATH_MAX on Linux
enum SlotState : int { kFree = 0, kFilling = 1, kLive = 2 };

struct Slot {
  std::atomic<int> state{kFree};
  char path[kPathBytes];
};
Slot g_slots[kSlots];
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler reads these");

int register_live(const fs::path& path) noexcept {
  std::error_code ec;
  const fs::path absolute = fs::absolute(path, ec);  // a later chdir must not matter
  const std::string& text = ec ? path.native() : absolute.native();
  if (text.size() >= kPathBytes) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (g_slots[i].state.compare_exchange_strong(expected, kFilling)) {
      std::memcpy(g_slots[i].path, text.c_str(), text.size() + 1);
      g_slots[i].state.store(kLive, std::memory_order_release);
      return i;
    }
  }
  return -1;
}

void unregister_live(int slot) noexcept {
  if (slot >= 0) g_slots[slot].state.store(kFree, std::memory_order_release);
}

// ".<name>.tmp-<pid>-<n>" beside `path`; the name is cut so the result stays under
// NAME_MAX (255 bytes).
fs::path temporary_name(const fs::path& path) {
  static std::atomic<unsigned> counter{0};
  const std::string name = path.filename().string().substr(0, 200);
  return path.parent_path() / ("." + name + ".tmp-" + std::to_string(::getpid()) + "-" +
                               std::to_string(counter.fetch_add(1)));
}

std::string describe_errno(const char* what, int error) {
  return std::string(what) + ": " + std::strerror(error);
}

}  // namespace

// TemporaryFile ////////////////////////////////////////////////////////////////////////////

TemporaryFile::TemporaryFile(fs::path final_path) : final_path_(std::move(final_path)) {
  if (final_path_.filename().empty()) throw Error("not a file name", final_path_.string());
  // A few tries: a name left by a killed process with a recycled pid is skipped, not reused.
  for (int attempt = 0; attempt < 16 && fd_ < 0; ++attempt) {
    temporary_ = temporary_name(final_path_);
    slot_ = register_live(temporary_);
    fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd_ >= 0) break;
    const int error = errno;
    unregister_live(slot_);
    slot_ = -1;
    if (error != EEXIST) {
      throw Error(describe_errno("cannot create file", error), final_path_.string(),
                  "is the directory there and writable?");
    }
  }
  if (fd_ < 0) throw Error("cannot create a temporary file", final_path_.string());
  // Keep the permissions of a file being replaced (0666 & ~umask otherwise).
  struct stat old {};
  if (::stat(final_path_.c_str(), &old) == 0 && S_ISREG(old.st_mode)) {
    (void)::fchmod(fd_, old.st_mode & 07777);
  }
}

TemporaryFile::~TemporaryFile() {
  discard();
}

void TemporaryFile::discard() noexcept {
  // Don't retry close on EINTR: the descriptor is released either way on Linux.
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!committed_ && !temporary_.empty()) ::unlink(temporary_.c_str());
  unregister_live(slot_);
  slot_ = -1;
}

void TemporaryFile::write(std::string_view bytes) {
  if (fd_ < 0) throw Error("file already closed", final_path_.string());
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(describe_errno("cannot write file", errno), final_path_.string());
    written += static_cast<std::size_t>(n);
  }
}

void TemporaryFile::finish() {
  if (fd_ < 0) return;
  // fsync before rename: after a crash the new name must not point at unwritten blocks.
  const int synced = ::fsync(fd_) == 0 ? 0 : errno;
  const int closed = ::close(fd_) == 0 ? 0 : errno;
  fd_ = -1;
  if (synced != 0 || closed != 0) {
    discard();
    throw Error(describe_errno("cannot flush file", synced != 0 ? synced : closed),
                final_path_.string());
  }
}

void TemporaryFile::commit() {
  finish();
  if (::rename(temporary_.c_str(), final_path_.c_str()) != 0) {
    const int error = errno;
    discard();
    throw Error(describe_errno("cannot rename into place", error), final_path_.string());
  }
  committed_ = true;
  unregister_live(slot_);
  slot_ = -1;
  // Make the rename itself durable; a failure here changes nothing the reader sees.
  const fs::path dir = final_path_.parent_path().empty() ? "." : final_path_.parent_path();
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    (void)::fsync(dir_fd);
    ::close(dir_fd);
  }
}

// Whole files and sets //////////////////////////////////////////////////////////////////

void write_file_atomically(const fs::path& path, std::string_view content) {
  TemporaryFile file(path);
  file.write(content);
  file.commit();
}

void write_files_atomically(const std::vector<std::pair<fs::path, std::string>>& files) {
  std::vector<std::unique_ptr<TemporaryFile>> temporaries;
  for (const auto& [path, content] : files) {
    temporaries.push_back(std::make_unique<TemporaryFile>(path));
    temporaries.back()->write(content);
    temporaries.back()->finish();
  }
  for (const auto& temporary : temporaries) temporary->commit();
}

void replace_symlink(const fs::path& link, const fs::path& target) {
  const fs::path temporary = temporary_name(link);
  const int slot = register_live(temporary);
  if (::symlink(target.c_str(), temporary.c_str()) != 0 ||
      ::rename(temporary.c_str(), link.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    unregister_live(slot);
    throw Error(describe_errno("cannot update link", error), link.string());
  }
  unregister_live(slot);
}

// ScratchFile ///////////////////////////////////////////////////////////////////////////

ScratchFile::ScratchFile(fs::path path) : path_(std::move(path)), slot_(register_live(path_)) {}

ScratchFile::~ScratchFile() {
  ::unlink(path_.c_str());
  unregister_live(slot_);
}

void unlink_live_temporaries() noexcept {
  for (Slot& slot : g_slots) {
    if (slot.state.load(std::memory_order_acquire) == kLive) ::unlink(slot.path);
  }
}

}  // namespace deferlab
