#include "tools/output.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "harness/error.h"

namespace deferlab::tools {

Output::Output(std::filesystem::path path) : path_(std::move(path)) {
  if (path_.empty()) {
    file_ = stdout;
    return;
  }
  temporary_ = path_.parent_path() /
               ("." + path_.filename().string() + ".tmp-" + std::to_string(::getpid()));
  file_ = std::fopen(temporary_.c_str(), "wb");
  if (file_ == nullptr) {
    throw Error(std::string("cannot create output file: ") + std::strerror(errno), path_.string());
  }
  static thread_local char buffer[1 << 20];  // large writes for NDJSON streams
  std::setvbuf(file_, buffer, _IOFBF, sizeof buffer);
}

Output::~Output() {
  if (!path_.empty() && file_ != nullptr) {
    std::fclose(file_);
    if (!committed_) std::filesystem::remove(temporary_);
  }
}

void Output::write(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) {
    throw Error(std::string("cannot write output: ") + std::strerror(errno),
                path_.empty() ? "stdout" : path_.string());
  }
}

void Output::commit() {
  if (std::fflush(file_) != 0) {
    throw Error("cannot flush output", path_.empty() ? "stdout" : path_.string());
  }
  if (path_.empty()) return;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!closed) throw Error("cannot close output file", path_.string());
  std::error_code ec;
  std::filesystem::rename(temporary_, path_, ec);
  if (ec) throw Error("cannot rename output into place: " + ec.message(), path_.string());
  committed_ = true;
}

bool Output::is_terminal() const {
  return path_.empty() && ::isatty(1) == 1;
}

}  // namespace deferlab::tools
