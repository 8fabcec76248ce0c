// Locating the lab binary and the calibration binary relative to /proc/self/exe.
#include "tools/companions.h"

#include <cstdio>
#include <string_view>
#include <system_error>

#include "common/error.h"
#include "disasm/object_file.h"

namespace deferlab::tools {

namespace fs = std::filesystem;

std::optional<fs::path> executable_directory() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec || self.empty()) return std::nullopt;
  return self.parent_path();
}

fs::path companion(std::string_view name, std::string_view build_subdir) {
  const std::optional<fs::path> dir = executable_directory();
  if (!dir) return fs::path(name);
  const fs::path installed = (*dir / ".." / "lib" / "deferlab" / name).lexically_normal();
  const fs::path built = (*dir / ".." / build_subdir / name).lexically_normal();
  std::error_code ec;
  if (fs::is_regular_file(installed, ec)) return installed;
  if (fs::is_regular_file(built, ec)) return built;
  return installed;
}

std::optional<fs::path> source_tree() {
  const std::optional<fs::path> dir = executable_directory();
  if (!dir) return std::nullopt;
  // The build tree's CMakeCache.txt names the source directory it was configured from.
  std::error_code ec;
  const fs::path cache = *dir / ".." / "CMakeCache.txt";
  if (!fs::is_regular_file(cache, ec)) return std::nullopt;
  FILE* f = std::fopen(cache.c_str(), "r");
  if (!f) return std::nullopt;
  std::optional<fs::path> found;
  char line[4096];
  constexpr std::string_view key = "CMAKE_HOME_DIRECTORY:INTERNAL=";
  while (std::fgets(line, sizeof line, f)) {
    std::string_view text(line);
    if (text.substr(0, key.size()) != key) continue;
    text.remove_prefix(key.size());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    found = fs::path(text);
    break;
  }
  std::fclose(f);
  return found;
}

bool carries_case_manifest(const fs::path& binary) {
  try {
    return disasm::open_object_file(binary.string())->has_section(".deferlab_manifest");
  } catch (const Error&) {
    return false;  // not ELF, or not one we read: run it as any other binary
  }
}

std::string binary_build_id(const fs::path& binary) {
  try {
    return disasm::open_object_file(binary.string())->build_id();
  } catch (const Error&) {
    return "";
  }
}

}  // namespace deferlab::tools
