// Capstone behind RAII: decodes a byte range into Instructions for one architecture.
//
//   const Decoder decoder(Arch::kX86_64, Syntax::kIntel);
//   std::vector<Instruction> out;
//   decoder.decode(bytes, 0x401000, out);
//
// Bytes Capstone does not know become one placeholder each (x86-64: one byte, ".byte";
// AArch64: four bytes, ".inst"), the way objdump prints "(bad)" and moves on, so
// instruction boundaries stay comparable with objdump's.
#pragma once

#include <capstone/capstone.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "disasm/arch.h"
#include "disasm/instruction.h"

namespace deferlab::disasm {

enum class Syntax { kIntel, kAtt };

class Decoder {
 public:
  // Throws Error when Capstone cannot be opened for the architecture.
  Decoder(Arch arch, Syntax syntax);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Appends the instructions of `bytes`, which start at `address`.
  void decode(std::span<const std::uint8_t> bytes, std::uint64_t address,
              std::vector<Instruction>& out) const;

  Arch arch() const { return info_->arch; }
  // Capstone's name for a register id ("rax", "x16"); "" for none.
  std::string register_name(int reg) const;

 private:
  // Capstone's groups of an instruction's id (InsnContext), read once per id from a
  // second handle that decodes with detail.
  std::uint8_t groups_of(const cs_insn& insn) const;

  const ArchInfo* info_;
  bool att_ = false;
  csh handle_ = 0;
  cs_insn* insn_ = nullptr;  // Capstone's scratch instruction, reused by cs_disasm_iter
  csh detail_handle_ = 0;    // without needs_detail: for groups_of()
  cs_insn* detail_insn_ = nullptr;
  // Per id: 0 not seen yet, else kSeen | the groups.
  mutable std::vector<std::uint8_t> groups_by_id_;
};

}  // namespace deferlab::disasm
