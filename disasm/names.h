// Names of what code refers to, shared by annotation, references and reachability.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "disasm/object_file.h"

namespace deferlab::disasm {

// demangle(), remembered per thread (see names.cc for the bound).
const std::string& demangle_cached(const std::string& name);

// "malloc@plt" -> "malloc", "memcpy@GLIBC_2.14" -> "memcpy"
std::string linkage_name(std::string name);

// "0x1b0"
std::string hex_text(std::uint64_t value);

// "name", or "name+0x10" for a non-zero offset.
std::string with_offset(const std::string& name, std::uint64_t offset);

struct Callee {
  std::string display;  // demangled, with @plt / @GOT / +offset
  std::string symbol;   // linkage name for tag matching
};

// Names a direct call or jump target: PLT stub, a function of the file, or the address.
Callee name_address(const ObjectFile& file, std::size_t section, std::uint64_t target);

// Whether a linkage name is in `names`, directly or as the last identifier of a Rust v0
// mangled path ("_RNvCs..._7___rustc12___rust_alloc" ends in "12" "_" "__rust_alloc").
bool names_contain(const std::set<std::string>& names, const std::string& symbol);

}  // namespace deferlab::disasm
