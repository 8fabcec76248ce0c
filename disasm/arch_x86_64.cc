// x86-64 knowledge from Capstone's detail: calls, jumps, returns, targets, RIP-relative
// operands, the stack-protector load and prologue stack allocation.
#include <capstone/capstone.h>

#include "disasm/arch.h"
#include "disasm/instruction.h"

namespace deferlab::disasm {
namespace {

bool in_group(const cs_insn& insn, std::uint8_t group) {
  const cs_detail* d = insn.detail;
  for (std::uint8_t i = 0; i < d->groups_count; ++i) {
    if (d->groups[i] == group) return true;
  }
  return false;
}

}  // namespace

void classify_x86_64(const cs_insn& insn, Instruction& out) {
  const cs_x86& x86 = insn.detail->x86;
  // Any RIP-relative memory operand names an address (a GOT slot, a global, a constant).
  for (std::uint8_t i = 0; i < x86.op_count; ++i) {
    const cs_x86_op& op = x86.operands[i];
    if (op.type != X86_OP_MEM) continue;
    if (op.mem.base == X86_REG_RIP && op.mem.index == X86_REG_INVALID) {
      out.memory_address = insn.address + insn.size + static_cast<std::uint64_t>(op.mem.disp);
    }
    if (op.mem.segment == X86_REG_FS && op.mem.base == X86_REG_INVALID && op.mem.disp == 0x28) {
      out.reads_stack_guard = true;  // the stack protector's canary
    }
  }
  const bool is_call = in_group(insn, X86_GRP_CALL);
  const bool is_jump = in_group(insn, X86_GRP_JUMP);
  if (in_group(insn, X86_GRP_RET) || insn.id == X86_INS_RET) {
    out.kind = InsnKind::kReturn;
    return;
  }
  if (insn.id == X86_INS_UD2 || insn.id == X86_INS_INT3 || insn.id == X86_INS_HLT) {
    out.kind = InsnKind::kTrap;
    return;
  }
  if (!is_call && !is_jump) return;
  const bool direct = x86.op_count >= 1 && x86.operands[0].type == X86_OP_IMM;
  if (is_call) {
    out.kind = direct ? InsnKind::kCall : InsnKind::kIndirectCall;
  } else if (insn.id == X86_INS_JMP || insn.id == X86_INS_LJMP) {
    out.kind = direct ? InsnKind::kJump : InsnKind::kIndirectJump;
  } else {
    out.kind = InsnKind::kCondJump;  // jcc, loop, jrcxz
  }
  if (direct) out.target = static_cast<std::uint64_t>(x86.operands[0].imm);
}

std::uint64_t frame_bytes_x86_64(const cs_insn& insn) {
  const cs_x86& x86 = insn.detail->x86;
  if (insn.id == X86_INS_PUSH) return 8;
  if (insn.id == X86_INS_SUB && x86.op_count == 2 && x86.operands[0].type == X86_OP_REG &&
      x86.operands[0].reg == X86_REG_RSP && x86.operands[1].type == X86_OP_IMM &&
      x86.operands[1].imm > 0) {
    return static_cast<std::uint64_t>(x86.operands[1].imm);
  }
  return 0;
}

}  // namespace deferlab::disasm
