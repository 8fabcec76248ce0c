// quick_hash: a hash of a symbol name from its length and three 8-byte words (start,
// middle, end), for the open-addressed name tables of the ELF reader and the allocation
// search. Mangled names of one library share long prefixes and run to hundreds of bytes;
// hashing every byte of tens of thousands of them (std::hash) costs more than the lookups
// they serve, and equal hashes are resolved by comparing the names anyway.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace deferlab::disasm {

inline std::size_t quick_hash(std::string_view name) {
  const std::size_t n = name.size();
  std::uint64_t h = n * 0x9e3779b97f4a7c15ull;
  if (n < 8) {
    for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
  for (const std::size_t at : {std::size_t{0}, (n - 8) / 2, n - 8}) {
    std::uint64_t word = 0;
    std::memcpy(&word, name.data() + at, 8);
    h = (h ^ word) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  return static_cast<std::size_t>(h);
}

}  // namespace deferlab::disasm
