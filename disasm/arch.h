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
  // Fills the instruction's kind, direct target and memory target from Capstone's detail.
  void (*classify)(const cs_insn& insn, Instruction& out);
  // The stack frame an instruction allocates in a prologue, in bytes; 0 if none.
  std::uint64_t (*frame_bytes)(const cs_insn& insn);
};

// All supported architectures.
std::span<const ArchInfo> all_archs();

const ArchInfo& arch_info(Arch arch);
const ArchInfo* arch_by_name(std::string_view name);
const ArchInfo* arch_by_elf_machine(std::uint16_t machine);

// Per-architecture classifiers (arch_x86_64.cc, arch_aarch64.cc).
void classify_x86_64(const cs_insn& insn, Instruction& out);
std::uint64_t frame_bytes_x86_64(const cs_insn& insn);
void classify_aarch64(const cs_insn& insn, Instruction& out);
std::uint64_t frame_bytes_aarch64(const cs_insn& insn);

}  // namespace deferlab::disasm
