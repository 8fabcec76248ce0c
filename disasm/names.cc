// Names of what code refers to, shared by annotation and reachability: demangling with a
// per-thread cache, linkage names without @plt / @VERSION, and callees by address.
#include "disasm/names.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <unordered_map>

#include "disasm/quick_hash.h"

namespace deferlab::disasm {

// demangle(), remembered per thread: a hot function calls the same few names again and
// again, and --all annotates a hundred thousand functions on every core. Bounded: emptied
// when full, so a thread's memory does not grow with the binary (a few MB at most).
const std::string& demangle_cached(const std::string& name) {
  constexpr std::size_t kMaxEntries = 16 * 1024;
  // Hashed by quick_hash: std::hash reads every byte of names hundreds of bytes long.
  struct Hash {
    std::size_t operator()(const std::string& s) const { return quick_hash(s); }
  };
  thread_local std::unordered_map<std::string, std::string, Hash> cache;
  auto it = cache.find(name);
  if (it == cache.end() && cache.size() >= kMaxEntries) cache.clear();
  if (it == cache.end()) it = cache.emplace(name, demangle(name)).first;
  return it->second;
}

// "malloc@plt" -> "malloc", "memcpy@GLIBC_2.14" -> "memcpy"
std::string linkage_name(std::string name) {
  const std::size_t at = name.find('@');
  if (at != std::string::npos) name.resize(at);
  return name;
}

std::string hex_text(std::uint64_t value) {
  char text[32];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

std::string with_offset(const std::string& name, std::uint64_t offset) {
  return offset == 0 ? name : name + "+" + hex_text(offset);
}

// Names a direct target address: PLT stub, a function of the file, or the bare address.
Callee name_address(const ObjectFile& file, std::size_t section, std::uint64_t target) {
  if (const auto plt = file.plt_name(target)) {
    const std::string name = linkage_name(*plt);
    return {demangle_cached(name) + "@plt", name};
  }
  // Outside relocatable objects a target can be in another section: search by address
  // (a symbol found that way keeps its linkage name even at an offset).
  if (const std::optional<SymbolRef> f = file.function_in_section(section, target)) {
    const std::string name(f->name);
    // Not Symbol::demangled(): its cache is not thread-safe, and --all annotates on every
    // core.
    return {with_offset(demangle_cached(name), target - f->address),
            target == f->address ? name : ""};
  }
  if (const std::optional<SymbolRef> s = file.symbol_containing(target)) {
    const std::string name(s->name);
    return {with_offset(demangle_cached(name), target - s->address), name};
  }
  return {hex_text(target), ""};
}

}  // namespace deferlab::disasm
