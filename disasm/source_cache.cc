// Reads source files once for --source listings (disasm/source_cache.h).
#include "disasm/source_cache.h"

#include <fstream>

namespace deferlab::disasm {

std::optional<std::string> SourceCache::line(const std::string& file, int line) {
  auto it = files_.find(file);
  if (it == files_.end()) {
    std::optional<std::vector<std::string>> lines;
    std::ifstream in(file);
    if (in) {
      lines.emplace();
      for (std::string text; std::getline(in, text);) lines->push_back(std::move(text));
    }
    it = files_.emplace(file, std::move(lines)).first;
  }
  if (!it->second || line < 1 || static_cast<std::size_t>(line) > it->second->size()) {
    return std::nullopt;
  }
  return (*it->second)[static_cast<std::size_t>(line) - 1];
}

}  // namespace deferlab::disasm
