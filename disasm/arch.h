// The architectures deferlab decodes, in one table (after capstone's cstool all_archs[]):
// name, Capstone arch and mode, ELF machine, a description, and the facts the decoder and
// the diff need (placeholder size, syntax option, register ids). Per-architecture
// knowledge of instructions (which is a call, a branch, where its target is, what a
// prologue allocates) lives in arch_<name>.cc.
#pragma once

#include <capstone/capstone.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace deferlab::disasm {

enum class Arch { kX86_64, kAArch64 };

struct Instruction;

// What classify() knows of an instruction besides Capstone's cs_insn.
struct InsnContext {
  // Capstone's groups of the instruction's id (they depend on the id alone), for an
  // architecture whose instructions are decoded without detail.
  enum Group : std::uint8_t { kCall = 1, kJump = 2, kReturn = 4 };
  std::uint8_t groups = 0;
  bool att = false;  // the operands are printed in AT&T syntax
};

struct ArchInfo {
  Arch arch;
  std::string_view name;  // as the command line and the JSON spell it
  cs_arch capstone_arch;
  cs_mode capstone_mode;
  std::uint16_t elf_machine;
  std::string_view description;
  // How many bytes one placeholder for undecodable bytes covers (objdump's "(bad)"), and
  // its mnemonic: x86-64 one byte (".byte"), AArch64 one 4-byte word (".inst").
  std::uint8_t invalid_size;
  std::string_view invalid_mnemonic;
  bool has_syntax_option;  // Intel / AT&T
  // Capstone's register ids run from 1 to below this; the program counter's name, when
  // Capstone names it as a register ("rip"): part of an operand's shape, not a choice.
  unsigned register_end;
  std::string_view pc_register;
  // Whether classify() reads Capstone's detail (operands, groups) of every instruction.
  // Without it Capstone decodes about a fifth faster; x86-64 reads what it needs from the
  // instruction's id and printed operands, and the groups of each id once (InsnContext).
  bool needs_detail;
  // Fills the instruction's kind, direct target, memory target and the stack it allocates.
  void (*classify)(const cs_insn& insn, const InsnContext& context, Instruction& out);
};

// All supported architectures.
std::span<const ArchInfo> all_archs();

const ArchInfo& arch_info(Arch arch);
const ArchInfo* arch_by_name(std::string_view name);
const ArchInfo* arch_by_elf_machine(std::uint16_t machine);

// Per-architecture classifiers (arch_x86_64.cc, arch_aarch64.cc).
void classify_x86_64(const cs_insn& insn, const InsnContext& context, Instruction& out);
void classify_aarch64(const cs_insn& insn, const InsnContext& context, Instruction& out);

}  // namespace deferlab::disasm
