// Where a command's machine output goes: stdout, or --out PATH. What -o does depends on
// what PATH is (the rule --help and docs state):
//   - missing, or a regular file: written to a temporary beside it, fsynced, and renamed
//     into place on commit(); on any failure or signal the temporary is removed and the
//     old file is untouched;
//   - a symlink: followed (to any depth, up to 40 links) and the rule applied to what it
//     points at, so the link stays and its target is replaced atomically;
//   - a character device or a FIFO (/dev/null, /dev/stdout, a named pipe): written
//     through, never replaced; a write error (e.g. /dev/full) is an error;
//   - a directory, a block device or a socket: refused.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"
#include "harness/atomic_file.h"

namespace deferlab::tools {

// The --out/-o help of every command that has one.
inline constexpr const char* kOutHelp =
    "Write to PATH instead of stdout. A regular file (or a new one) is replaced atomically: "
    "written beside it, fsynced, renamed, never left half-written. A symlink is followed and "
    "its target replaced the same way. A character device or FIFO (/dev/null, a named pipe) "
    "is written through, never replaced. A directory, block device or socket is refused";

// The reader of standard output (or of an -o FIFO) went away (EPIPE). Not reported: main()
// ends the process quietly by SIGPIPE, as coreutils do.
class BrokenPipe : public Error {
 public:
  BrokenPipe() : Error("broken pipe", "stdout") {}
};

class Output {
 public:
  // Empty path: standard output. Throws Error when PATH cannot be written (see above).
  explicit Output(std::filesystem::path path);
  ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  // Buffered; throws Error (BrokenPipe for stdout's EPIPE) when a write fails.
  void write(std::string_view text);
  // Writes out the buffer, and for a replaced file renames it into place. Throws Error.
  void commit();

 private:
  void flush_buffer();
  void write_fd(std::string_view bytes);

  std::filesystem::path path_;           // as given, for messages
  std::unique_ptr<TemporaryFile> file_;  // atomic replacement
  int fd_ = -1;                          // stdout or a written-through device / FIFO
  bool owns_fd_ = false;
  std::string buffer_;
};

}  // namespace deferlab::tools
