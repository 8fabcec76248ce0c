// AArch64 knowledge from Capstone's detail: bl/blr/b/b.cond/cbz/tbz/br/ret, targets, the
// adrp/add/ldr address materialisation behind calls through registers, and prologue
// stack allocation.
#include <capstone/capstone.h>

#include "disasm/arch.h"
#include "disasm/instruction.h"

namespace deferlab::disasm {
namespace {

std::optional<std::uint64_t> last_immediate(const cs_arm64& a) {
  for (int i = a.op_count - 1; i >= 0; --i) {
    if (a.operands[i].type == ARM64_OP_IMM) return static_cast<std::uint64_t>(a.operands[i].imm);
  }
  return std::nullopt;
}

void classify_branches_and_addresses(const cs_insn& insn, Instruction& out) {
  const cs_arm64& a = insn.detail->arm64;
  switch (insn.id) {
    case ARM64_INS_BL:
      out.kind = InsnKind::kCall;
      out.target = last_immediate(a);
      return;
    case ARM64_INS_BLR:
      out.kind = InsnKind::kIndirectCall;
      if (a.op_count >= 1 && a.operands[0].type == ARM64_OP_REG) out.call_reg = a.operands[0].reg;
      return;
    case ARM64_INS_B:
      out.kind =
          (a.cc == ARM64_CC_INVALID || a.cc == ARM64_CC_AL) ? InsnKind::kJump : InsnKind::kCondJump;
      out.target = last_immediate(a);
      return;
    case ARM64_INS_CBZ:
    case ARM64_INS_CBNZ:
    case ARM64_INS_TBZ:
    case ARM64_INS_TBNZ:
      out.kind = InsnKind::kCondJump;
      out.target = last_immediate(a);
      return;
    case ARM64_INS_BR:
      out.kind = InsnKind::kIndirectJump;
      if (a.op_count >= 1 && a.operands[0].type == ARM64_OP_REG) out.call_reg = a.operands[0].reg;
      return;
    case ARM64_INS_RET:
      out.kind = InsnKind::kReturn;
      return;
    case ARM64_INS_BRK:
    case ARM64_INS_HLT:
      out.kind = InsnKind::kTrap;
      return;
    case ARM64_INS_ADRP:
    case ARM64_INS_ADR:
      if (a.op_count == 2 && a.operands[0].type == ARM64_OP_REG &&
          a.operands[1].type == ARM64_OP_IMM) {
        out.reg_def = RegDef::kConst;
        out.def_reg = a.operands[0].reg;
        out.immediate = a.operands[1].imm;
        out.memory_address = static_cast<std::uint64_t>(a.operands[1].imm);
      }
      return;
    case ARM64_INS_ADD:
      if (a.op_count == 3 && a.operands[0].type == ARM64_OP_REG &&
          a.operands[1].type == ARM64_OP_REG && a.operands[2].type == ARM64_OP_IMM) {
        out.reg_def = RegDef::kAddImm;
        out.def_reg = a.operands[0].reg;
        out.base_reg = a.operands[1].reg;
        out.immediate = a.operands[2].imm;
      }
      return;
    case ARM64_INS_LDR:
      // ldr x0, 0x4a0010: a literal load, PC-relative like adr.
      if (a.op_count == 2 && a.operands[1].type == ARM64_OP_IMM) {
        out.memory_address = static_cast<std::uint64_t>(a.operands[1].imm);
        return;
      }
      if (a.op_count == 2 && a.operands[0].type == ARM64_OP_REG &&
          a.operands[1].type == ARM64_OP_MEM && a.operands[1].mem.index == ARM64_REG_INVALID &&
          !a.writeback) {
        out.reg_def = RegDef::kLoad;
        out.def_reg = a.operands[0].reg;
        out.base_reg = a.operands[1].mem.base;
        out.immediate = a.operands[1].mem.disp;
      }
      return;
    default:
      return;
  }
}

std::uint64_t frame_bytes(const cs_insn& insn) {
  const cs_arm64& a = insn.detail->arm64;
  // stp x29, x30, [sp, #-N]!  /  str x30, [sp, #-N]!  (pre-indexed, writeback)
  if ((insn.id == ARM64_INS_STP || insn.id == ARM64_INS_STR) && a.writeback) {
    for (std::uint8_t i = 0; i < a.op_count; ++i) {
      const cs_arm64_op& op = a.operands[i];
      if (op.type == ARM64_OP_MEM && op.mem.base == ARM64_REG_SP && op.mem.disp < 0) {
        return static_cast<std::uint64_t>(-op.mem.disp);
      }
    }
  }
  // sub sp, sp, #N
  if (insn.id == ARM64_INS_SUB && a.op_count == 3 && a.operands[0].type == ARM64_OP_REG &&
      a.operands[0].reg == ARM64_REG_SP && a.operands[1].type == ARM64_OP_REG &&
      a.operands[1].reg == ARM64_REG_SP && a.operands[2].type == ARM64_OP_IMM) {
    std::uint64_t n = static_cast<std::uint64_t>(a.operands[2].imm);
    if (a.operands[2].shift.type == ARM64_SFT_LSL) n <<= a.operands[2].shift.value;
    return n;
  }
  return 0;
}

}  // namespace

void classify_aarch64(const cs_insn& insn, const InsnContext&, Instruction& out) {
  classify_branches_and_addresses(insn, out);
  out.frame_bytes = frame_bytes(insn);
}

}  // namespace deferlab::disasm
