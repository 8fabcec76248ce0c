// What the command line shows while it works: colour only on a terminal and without
// NO_COLOR, a progress bar on a terminal, plain progress lines otherwise.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace deferlab::tools {

// True when `stream` is a terminal, NO_COLOR is unset and TERM is not "dumb".
bool use_color(std::FILE* stream);

bool is_terminal(std::FILE* stream);

// Progress of a long job on stderr.
class Progress {
 public:
  explicit Progress(std::string label);
  ~Progress();

  void update(std::size_t done, std::size_t total, std::string_view item);
  // Clears the bar (terminal) so the next output starts on a clean line.
  void finish();

 private:
  std::string label_;
  bool terminal_;
  bool active_ = false;
  int last_quarter_ = 0;  // the last quarter shown off a terminal
  std::chrono::steady_clock::time_point start_;
};

}  // namespace deferlab::tools
