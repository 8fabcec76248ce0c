// Writes files so that readers see the old content or the new, never half of either: the
// bytes go to a temporary name in the same directory, are fsynced, and the temporary is
// renamed over the target (rename is atomic within a file system). No temporary outlives
// the process on any path: destructors remove them on errors and exceptions, and a signal
// handler that is about to end the process calls unlink_live_temporaries().
//
//   write_file_atomically(dir / "bench.json", json.dump(2));
//   write_files_atomically({{dir / "report.json", json}, {dir / "index.html", html}});
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace deferlab {

// A file being written under a temporary name beside `final_path`
// (".<name>.tmp-<pid>-<n>"), created with O_EXCL and never through a symlink. Removed by
// the destructor unless commit() succeeded. When `final_path` is an existing regular file,
// the new file gets its permission bits.
class TemporaryFile {
 public:
  // Throws Error when the directory is missing or not writable.
  explicit TemporaryFile(std::filesystem::path final_path);
  ~TemporaryFile();
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  // Throws Error (naming the final path) on a write error, e.g. ENOSPC.
  void write(std::string_view bytes);
  // fsync and close: after this the bytes are on disk. Throws Error.
  void finish();
  // finish() if not done, then rename over the final path. Throws Error; the temporary is
  // removed on failure.
  void commit();

  const std::filesystem::path& final_path() const { return final_path_; }

 private:
  void discard() noexcept;

  std::filesystem::path final_path_;
  std::filesystem::path temporary_;
  int fd_ = -1;
  int slot_ = -1;  // in the registry of live temporaries
  bool committed_ = false;
};

// Throws Error when the directory is not writable or the disk is full.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Writes a set of files as a whole: every temporary is written and fsynced first, and only
// when all are complete are they renamed into place, so a full disk or a signal leaves the
// old set untouched. (Each rename is atomic; the set's renames are not one operation, but
// they follow only once every byte is on disk, and renames within one directory do not
// fail for lack of space.)
void write_files_atomically(
    const std::vector<std::pair<std::filesystem::path, std::string>>& files);

// Points `link` at `target` atomically (a temporary symlink renamed over it).
void replace_symlink(const std::filesystem::path& link, const std::filesystem::path& target);

// A file another program writes (e.g. a child's --benchmark_out) that must not outlive this
// process: removed by the destructor and by unlink_live_temporaries().
class ScratchFile {
 public:
  explicit ScratchFile(std::filesystem::path path);
  ~ScratchFile();
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int slot_ = -1;
};

// Async-signal-safe: unlinks every temporary and scratch file that is still live. For a
// signal handler that is about to end the process.
void unlink_live_temporaries() noexcept;

}  // namespace deferlab
