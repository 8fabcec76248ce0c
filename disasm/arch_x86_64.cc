// x86-64 knowledge without Capstone's detail: calls, jumps, returns, targets, RIP-relative
// operands, the stack-protector load and prologue stack allocation, from the instruction's
// id, the groups of its id (InsnContext) and its printed operands. Capstone fills its
// detail (every operand, register and group) in a fifth of its decoding time, for the few
// facts read here; its printer writes the same values, in a form fixed per syntax:
//
//   Intel: call 0x401136 / jmp qword ptr [rip + 0x2fe2] / lea rax, [rip - 0x10]
//          mov rax, qword ptr fs:[0x28] / sub rsp, 0x18
//   AT&T:  callq 0x401136 / jmpq *0x2fe2(%rip) / leaq -0x10(%rip), %rax
//          movq %fs:0x28, %rax / subq $0x18, %rsp
//
// Numbers above 9 are hex with "0x", 0-9 decimal, a negative one "-" and its magnitude.
// tests/disasm/x86_text_classify_test.cc holds these rules against Capstone's detail on
// every instruction of the system's libstdc++, in both syntaxes.
#include <capstone/capstone.h>

#include <optional>
#include <string_view>

#include "disasm/arch.h"
#include "disasm/instruction.h"

namespace deferlab::disasm {
namespace {

int digit_value(char c, bool hex) {
  if (c >= '0' && c <= '9') return c - '0';
  if (hex && c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// A number as Capstone prints one at text[at...]: "0x1f", "7", "-0x10"; moves `at` past
// it. The value wraps as Capstone's int64 operand does.
std::optional<std::uint64_t> read_number(std::string_view text, std::size_t& at) {
  const bool negative = at < text.size() && text[at] == '-';
  if (negative) ++at;
  const bool hex = text.substr(at, 2) == "0x";
  if (hex) at += 2;
  std::uint64_t value = 0;
  std::size_t digits = 0;
  for (; at < text.size(); ++at, ++digits) {
    const int d = digit_value(text[at], hex);
    if (d < 0) break;
    value = value * (hex ? 16 : 10) + static_cast<std::uint64_t>(d);
  }
  if (digits == 0) return std::nullopt;
  return negative ? 0 - value : value;
}

// The whole of `text` as one number.
std::optional<std::uint64_t> whole_number(std::string_view text) {
  std::size_t at = 0;
  const std::optional<std::uint64_t> value = read_number(text, at);
  return at == text.size() ? value : std::nullopt;
}

// The displacement of a RIP-relative memory operand: Intel "[rip]", "[rip + N]",
// "[rip - N]"; AT&T "(%rip)", "N(%rip)", "-N(%rip)".
std::optional<std::uint64_t> rip_displacement(std::string_view ops, bool att) {
  // One look for the memory operand's bracket (an instruction has at most one), rather
  // than a search for "rip" through every operand string.
  if (!att) {
    const std::size_t at = ops.find('[');
    if (at == std::string_view::npos || ops.substr(at + 1, 3) != "rip") return std::nullopt;
    std::string_view rest = ops.substr(at + 4);
    if (!rest.empty() && rest[0] == ']') return 0;
    if (rest.size() < 4 || rest[0] != ' ' || (rest[1] != '+' && rest[1] != '-') || rest[2] != ' ')
      return std::nullopt;
    const bool minus = rest[1] == '-';
    std::size_t end = 3;
    const std::optional<std::uint64_t> n = read_number(rest, end);
    if (!n || end >= rest.size() || rest[end] != ']') return std::nullopt;
    return minus ? 0 - *n : *n;
  }
  const std::size_t at = ops.find('(');
  if (at == std::string_view::npos || ops.substr(at, 6) != "(%rip)") return std::nullopt;
  std::size_t start = at;
  while (start > 0 && (digit_value(ops[start - 1], true) >= 0 || ops[start - 1] == 'x' ||
                       ops[start - 1] == '-')) {
    --start;
  }
  if (start == at) return 0;
  return whole_number(ops.substr(start, at - start));
}

// fs:[0x28], the stack protector's canary: Intel "fs:[0x28]", AT&T "%fs:0x28" (no base).
bool reads_stack_guard(std::string_view ops, bool att) {
  if (!att) return ops.find("fs:[0x28]") != std::string_view::npos;
  const std::size_t at = ops.find("%fs:0x28");
  if (at == std::string_view::npos) return false;
  const std::size_t end = at + 8;
  return end == ops.size() || ops[end] == ',';
}

// sub rsp, N with N > 0: Intel "rsp, N", AT&T "$N, %rsp".
std::uint64_t stack_allocation(std::string_view ops, bool att) {
  std::optional<std::uint64_t> n;
  if (!att && ops.starts_with("rsp, ")) n = whole_number(ops.substr(5));
  if (att && ops.starts_with('$') && ops.ends_with(", %rsp")) {
    n = whole_number(ops.substr(1, ops.size() - 1 - 6));
  }
  return n && static_cast<std::int64_t>(*n) > 0 ? *n : 0;
}

}  // namespace

void classify_x86_64(const cs_insn& insn, const InsnContext& context, Instruction& out) {
  const std::string_view ops(insn.op_str);
  // Any RIP-relative memory operand names an address (a GOT slot, a global, a constant).
  if (const std::optional<std::uint64_t> disp = rip_displacement(ops, context.att)) {
    out.memory_address = insn.address + insn.size + *disp;
  }
  // A segment override is the only ':' in x86-64 operands.
  if (ops.find(':') != std::string_view::npos && reads_stack_guard(ops, context.att)) {
    out.reads_stack_guard = true;
  }
  if (insn.id == X86_INS_PUSH) out.frame_bytes = 8;
  if (insn.id == X86_INS_SUB) out.frame_bytes = stack_allocation(ops, context.att);
  if ((context.groups & InsnContext::kReturn) || insn.id == X86_INS_RET) {
    out.kind = InsnKind::kReturn;
    return;
  }
  if (insn.id == X86_INS_UD2 || insn.id == X86_INS_INT3 || insn.id == X86_INS_HLT) {
    out.kind = InsnKind::kTrap;
    return;
  }
  const bool is_call = context.groups & InsnContext::kCall;
  if (!is_call && !(context.groups & InsnContext::kJump)) return;
  // A direct call or branch prints its target, a number; an indirect one a register or a
  // memory operand (AT&T with a '*').
  const std::optional<std::uint64_t> target = whole_number(ops);
  if (is_call) {
    out.kind = target ? InsnKind::kCall : InsnKind::kIndirectCall;
  } else if (insn.id == X86_INS_JMP || insn.id == X86_INS_LJMP) {
    out.kind = target ? InsnKind::kJump : InsnKind::kIndirectJump;
  } else {
    out.kind = InsnKind::kCondJump;  // jcc, loop, jrcxz
  }
  out.target = target;
}

}  // namespace deferlab::disasm
