// GotTracker: which GOT slot an indirect call or jump goes through. On x86-64 the slot is
// the instruction's RIP-relative memory operand; on AArch64 it is the address a register
// was loaded from, followed through adrp / add / ldr:
//   adrp x16, page; ldr x17, [x16, #off]; br x17   ->   the slot at page + off.
// Fed every instruction of a stretch in order. Both the PLT decoder (plt_stubs.cc) and the
// annotation of calls through registers follow slots this way.
//
//   GotTracker got;
//   for (const Instruction& in : code) {
//     got.step(in);
//     if (const auto slot = got.slot_called(in)) ...
//   }
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "disasm/instruction.h"

namespace deferlab::disasm {

class GotTracker {
 public:
  // Records what `in` puts in a register (AArch64 address materialisation).
  void step(const Instruction& in) {
    if (in.reg_def == RegDef::kConst) {
      regs_[in.def_reg] = {true, false, static_cast<std::uint64_t>(in.immediate)};
    } else if (in.reg_def == RegDef::kAddImm || in.reg_def == RegDef::kLoad) {
      const Value base = value_of(in.base_reg);
      regs_[in.def_reg] = base.known && !base.loaded
                              ? Value{true, in.reg_def == RegDef::kLoad,
                                      base.address + static_cast<std::uint64_t>(in.immediate)}
                              : Value{};
    }
  }

  // The GOT slot the call or jump `in` reads its destination from, if known. Requires: `in`
  // was passed to step() (its own definition, if any, does not count).
  std::optional<std::uint64_t> slot_called(const Instruction& in) const {
    if (in.memory_address && in.reg_def == RegDef::kNone) return in.memory_address;
    if (in.call_reg >= 0) {
      const Value v = value_of(in.call_reg);
      if (v.known && v.loaded) return v.address;
    }
    return std::nullopt;
  }

 private:
  struct Value {
    bool known = false;
    bool loaded = false;  // the register holds the contents of `address`
    std::uint64_t address = 0;
  };
  Value value_of(int reg) const {
    const auto it = regs_.find(reg);
    return it == regs_.end() ? Value{} : it->second;
  }
  std::map<int, Value> regs_;
};

}  // namespace deferlab::disasm
