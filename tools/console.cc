// Colour, progress bars and progress lines for the command line (tools/console.h).
#include "tools/console.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace deferlab::tools {

bool is_terminal(std::FILE* stream) {
  return ::isatty(::fileno(stream)) == 1;
}

bool use_color(std::FILE* stream) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  return is_terminal(stream);
}

Progress::Progress(std::string label)
    : label_(std::move(label)),
      terminal_(is_terminal(stderr)),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
  finish();
}

void Progress::update(std::size_t done, std::size_t total, std::string_view item) {
  if (total == 0) return;
  const double fraction = static_cast<double>(done) / static_cast<double>(total);
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (terminal_) {
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::string name(item.substr(0, 48));
    std::fprintf(stderr, "\r\033[K%s [%s] %zu/%zu %4.0fs  %s", label_.c_str(), bar.c_str(), done,
                 total, elapsed, name.c_str());
    std::fflush(stderr);
    active_ = true;
    return;
  }
  // Not a terminal (a log, CI): one line per quarter of the work, never one per item, and
  // none again for a quarter already shown when the total grows (the profile's second pass).
  const int quarter = static_cast<int>(fraction * 4);
  if (quarter > last_quarter_) {
    last_quarter_ = quarter;
    std::fprintf(stderr, "%s: %3.0f%% (%zu/%zu, %.0fs) %.*s\n", label_.c_str(), fraction * 100,
                 done, total, elapsed, static_cast<int>(item.size()), item.data());
  }
}

void Progress::finish() {
  if (active_ && terminal_) std::fprintf(stderr, "\r\033[K");
  active_ = false;
}

}  // namespace deferlab::tools
