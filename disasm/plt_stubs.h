// The one PLT decoder: names the stubs of a binary's PLT sections (.plt, .plt.sec,
// .plt.got, .iplt) "symbol@plt" the way objdump's synthetic symbols do, by decoding each
// section, following each stub's jump through its GOT slot (GotTracker) and naming the
// stub after the symbol the slot holds.
//
//   const auto names = plt_stub_names(file);  // address -> "malloc@plt"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "disasm/object_file.h"

namespace deferlab::disasm {

// Whether a code section is one of the PLT sections whose stubs are named.
bool is_plt_section(std::string_view name);

// Stub address -> "symbol@plt", from file.got_slot_symbol(); empty when no stub's slot has
// a symbol.
std::unordered_map<std::uint64_t, std::string> plt_stub_names(const ObjectFile& file);

}  // namespace deferlab::disasm
