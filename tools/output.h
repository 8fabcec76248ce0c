// Where a command's machine output goes: stdout, or --out FILE written under a temporary
// name and renamed into place on commit(), so an interrupted command never leaves half a
// file behind.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

namespace deferlab::tools {

class Output {
 public:
  // Empty path: standard output.
  explicit Output(std::filesystem::path path);
  ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void write(std::string_view text);
  // Flushes, and for a file renames the temporary into place. Throws Error on failure.
  void commit();
  bool is_terminal() const;

 private:
  std::filesystem::path path_;
  std::filesystem::path temporary_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

}  // namespace deferlab::tools
