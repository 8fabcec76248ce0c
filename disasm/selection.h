// Choosing what to disassemble: functions by exact name (mangled or demangled), by glob
// on the demangled name, by address range (the only way into a stripped binary), or all
// of the code, with unnamed stretches split where control flow ends.
#pragma once

#include <cstdint>
#include <functional>
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

// The same items without their names: what all_code() returns, less the demangled names
// and strings it builds for every function. A library of a hundred thousand functions
// spends seconds demangling them on one thread; a caller that streams the items
// (stream.cc) names each one where it is decoded, with range_of_span().
struct CodeSpan {
  std::size_t section = 0;  // ObjectFile section index
  std::uint64_t address = 0;
  std::uint64_t size = 0;
  const Symbol* symbol = nullptr;  // null: an unnamed stretch
};
std::vector<CodeSpan> all_code_spans(const ObjectFile& file);
// Thread-safe: demangles with demangle(), never through Symbol's cache.
FunctionRange range_of_span(const ObjectFile& file, const CodeSpan& span);

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
// The same pieces handed to `take` one at a time, in address order, as they are cut, until
// it returns false: memory stays within one window whatever the stretch's size (a stripped
// library's .text is one stretch of tens of MB).
void for_each_unnamed_piece(const ObjectFile& file, const Decoder& decoder,
                            const FunctionRange& stretch, std::uint64_t max_bytes,
                            const std::function<bool(DecodedPiece&&)>& take);

}  // namespace deferlab::disasm
