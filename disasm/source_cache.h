// Source lines read from disk for --source listings, each file read once. A file that
// does not exist (built elsewhere, or a system header) just has no text.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace deferlab::disasm {

class SourceCache {
 public:
  // The text of `line` (1-based) of `file`, without its newline.
  std::optional<std::string> line(const std::string& file, int line);

 private:
  std::map<std::string, std::optional<std::vector<std::string>>> files_;
};

}  // namespace deferlab::disasm
