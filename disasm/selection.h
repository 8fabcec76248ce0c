// Choosing what to disassemble: functions by exact name (mangled or demangled), by glob
// on the demangled name, by address range (the only way into a stripped binary), or all
// of the code, with unnamed stretches split where control flow ends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "disasm/annotate.h"
#include "disasm/decoder.h"

namespace deferlab::disasm {

struct AddressRange {
  std::uint64_t start = 0;
  std::optional<std::uint64_t> end;  // exclusive; absent: the function at `start`
};

// "0x401000", "0x401000:0x401080", "4198400". Throws Error on anything else.
AddressRange parse_address_range(const std::string& text);

// 'a', 'b', 'c' and 4 more: names for a one-line message, each cut to a readable length.
std::string quoted_list(const std::vector<std::string>& names, std::size_t limit);

// True for "f(int) [clone .cold]" and the like: a part or copy the compiler split off.
bool is_clone(const std::string& demangled);

// Every function matching any of `names` (each exact first, then as a glob), in address
// order, without duplicates. Throws Error naming the closest names when one matches
// nothing, or suggesting --address when the binary has no symbol table.
std::vector<FunctionRange> select_by_name(const ObjectFile& file,
                                          const std::vector<std::string>& names);

// The code at `range`. Without an end: the function symbol containing the start, or, in
// a stripped binary, a linear sweep from the start to where control flow ends.
std::vector<FunctionRange> select_by_address(const ObjectFile& file, const Decoder& decoder,
                                             const AddressRange& range);

// Work items covering every executable byte: each function symbol once (aliases folded)
// and the stretches between them (`unnamed` set), in address order.
struct CodeItem {
  FunctionRange range;
  bool unnamed = false;
};
std::vector<CodeItem> all_code(const ObjectFile& file);

// Splits an unnamed stretch into pieces that end where control flow ends (a return, an
// unconditional jump or a trap), each at most about `max_bytes`, decoding as it goes.
std::vector<FunctionRange> split_unnamed(const ObjectFile& file, const Decoder& decoder,
                                         const FunctionRange& stretch, std::uint64_t max_bytes);

// The same pieces with the instructions already decoded, for annotate_decoded().
struct DecodedPiece {
  FunctionRange range;
  std::vector<Instruction> code;
};
std::vector<DecodedPiece> split_unnamed_decoded(const ObjectFile& file, const Decoder& decoder,
                                                const FunctionRange& stretch,
                                                std::uint64_t max_bytes);

}  // namespace deferlab::disasm
