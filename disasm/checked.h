// Bounds-checked reading of untrusted files: every offset and size that comes from a file
// goes through these before it is used, so a bad value becomes an Error naming the file,
// never an out-of-bounds read (after bloaty's CheckedAdd / StrictSubstr, src/util.h).
//
//   const std::span<const std::uint8_t> code = checked_slice(file, sh.sh_offset, sh.sh_size,
//                                                            path, "section .text");
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "common/error.h"

namespace deferlab::disasm {

// a + b, or nullopt on overflow.
inline std::optional<std::uint64_t> checked_add(std::uint64_t a, std::uint64_t b) {
  std::uint64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return std::nullopt;
  return sum;
}

// a * b, or nullopt on overflow.
inline std::optional<std::uint64_t> checked_mul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) return std::nullopt;
  return product;
}

// True when [offset, offset + size) lies within [0, limit).
inline bool fits_within(std::uint64_t offset, std::uint64_t size, std::uint64_t limit) {
  const std::optional<std::uint64_t> end = checked_add(offset, size);
  return end && *end <= limit;
}

// bytes[offset, offset + size), or an Error saying which `what` of `path` is out of range.
inline std::span<const std::uint8_t> checked_slice(std::span<const std::uint8_t> bytes,
                                                   std::uint64_t offset, std::uint64_t size,
                                                   const std::string& path,
                                                   const std::string& what) {
  if (!fits_within(offset, size, bytes.size())) {
    throw Error(what + " lies past the end of the file (offset " + std::to_string(offset) +
                    ", size " + std::to_string(size) + ", file " + std::to_string(bytes.size()) +
                    " bytes)",
                path);
  }
  return bytes.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(size));
}

}  // namespace deferlab::disasm
