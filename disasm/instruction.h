// One decoded instruction, as the decoder leaves it and before any annotation: where it
// is, its bytes and text, and what kind of control transfer it is.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace deferlab::disasm {

enum class InsnKind : std::uint8_t {
  kOther,
  kCall,          // direct call
  kIndirectCall,  // call through a register or memory
  kJump,          // unconditional direct jump
  kIndirectJump,  // jump through a register or memory (tail calls, switch tables)
  kCondJump,      // conditional direct branch
  kReturn,
  kTrap,     // ud2, int3, hlt, brk: control does not continue
  kInvalid,  // bytes the decoder does not know (objdump's "(bad)")
};

// How an AArch64 instruction defines a register, for naming calls through registers
// (adrp x16, page; ldr x17, [x16, #off]; blr x17 -> the GOT slot at page + off).
enum class RegDef : std::uint8_t { kNone, kConst, kAddImm, kLoad };

struct Instruction {
  std::uint64_t address = 0;
  std::uint8_t size = 0;
  std::array<std::uint8_t, 16> bytes{};
  std::string mnemonic;
  std::string operands;
  InsnKind kind = InsnKind::kOther;
  std::optional<std::uint64_t> target;          // destination of a direct call or branch
  std::optional<std::uint64_t> memory_address;  // a PC-relative operand's address
  bool reads_stack_guard = false;               // x86-64: fs:[0x28]
  std::uint64_t frame_bytes = 0;                // stack this instruction allocates
  // AArch64 register tracking (see RegDef).
  RegDef reg_def = RegDef::kNone;
  int def_reg = -1;
  int base_reg = -1;
  std::int64_t immediate = 0;  // kConst: the value; kAddImm / kLoad: the offset
  int call_reg = -1;           // register of an indirect call or jump, or -1

  bool is_call() const { return kind == InsnKind::kCall || kind == InsnKind::kIndirectCall; }
  bool is_branch() const {
    return kind == InsnKind::kJump || kind == InsnKind::kCondJump ||
           kind == InsnKind::kIndirectJump;
  }
  // Control never reaches the next instruction from here.
  bool ends_flow() const {
    return kind == InsnKind::kJump || kind == InsnKind::kIndirectJump ||
           kind == InsnKind::kReturn || kind == InsnKind::kTrap;
  }
};

}  // namespace deferlab::disasm
