// The x86-64 classifier reads calls, branches, targets, RIP-relative operands, the stack
// guard and stack allocation from an instruction's id and printed operands, without
// Capstone's detail (disasm/arch_x86_64.cc). This holds it against an independent reading
// of the same facts from Capstone's detail, on every instruction of binaries no one here
// wrote, in both syntaxes.
#include <capstone/capstone.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "disasm/decoder.h"
#include "disasm/object_file.h"
#include "tests/skip.h"

namespace deferlab::disasm {
namespace {

namespace fs = std::filesystem;

bool in_group(const cs_insn& insn, std::uint8_t group) {
  const cs_detail* d = insn.detail;
  for (std::uint8_t i = 0; i < d->groups_count; ++i) {
    if (d->groups[i] == group) return true;
  }
  return false;
}

// The reference: what Capstone's detail says (operand types, registers, groups), as the
// classifier read it before it read text (which missed AT&T's `subq $N, %rsp`).
Instruction from_detail(const cs_insn& insn, bool att) {
  Instruction out;
  out.address = insn.address;
  out.size = static_cast<std::uint8_t>(insn.size);
  const cs_x86& x86 = insn.detail->x86;
  for (std::uint8_t i = 0; i < x86.op_count; ++i) {
    const cs_x86_op& op = x86.operands[i];
    if (op.type != X86_OP_MEM) continue;
    if (op.mem.base == X86_REG_RIP && op.mem.index == X86_REG_INVALID) {
      out.memory_address = insn.address + insn.size + static_cast<std::uint64_t>(op.mem.disp);
    }
    if (op.mem.segment == X86_REG_FS && op.mem.base == X86_REG_INVALID && op.mem.disp == 0x28) {
      out.reads_stack_guard = true;
    }
  }
  if (insn.id == X86_INS_PUSH) out.frame_bytes = 8;
  // Capstone 4 lists AT&T operands in AT&T order: the destination last.
  const cs_x86_op& destination = x86.operands[att ? 1 : 0];
  const cs_x86_op& source = x86.operands[att ? 0 : 1];
  if (insn.id == X86_INS_SUB && x86.op_count == 2 && destination.type == X86_OP_REG &&
      destination.reg == X86_REG_RSP && source.type == X86_OP_IMM && source.imm > 0) {
    out.frame_bytes = static_cast<std::uint64_t>(source.imm);
  }
  const bool is_call = in_group(insn, X86_GRP_CALL);
  const bool is_jump = in_group(insn, X86_GRP_JUMP);
  if (in_group(insn, X86_GRP_RET) || insn.id == X86_INS_RET) {
    out.kind = InsnKind::kReturn;
    return out;
  }
  if (insn.id == X86_INS_UD2 || insn.id == X86_INS_INT3 || insn.id == X86_INS_HLT) {
    out.kind = InsnKind::kTrap;
    return out;
  }
  if (!is_call && !is_jump) return out;
  const bool direct = x86.op_count >= 1 && x86.operands[0].type == X86_OP_IMM;
  if (is_call) {
    out.kind = direct ? InsnKind::kCall : InsnKind::kIndirectCall;
  } else if (insn.id == X86_INS_JMP || insn.id == X86_INS_LJMP) {
    out.kind = direct ? InsnKind::kJump : InsnKind::kIndirectJump;
  } else {
    out.kind = InsnKind::kCondJump;
  }
  if (direct) out.target = static_cast<std::uint64_t>(x86.operands[0].imm);
  return out;
}

std::string hex(std::uint64_t value) {
  char text[20];
  std::snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(value));
  return text;
}

struct Tally {
  std::map<InsnKind, std::size_t> kinds;
  std::size_t targets = 0, memory = 0, guards = 0, frames = 0, instructions = 0;
};

// Every executable section of `path`, decoded by the Decoder and by a Capstone handle with
// detail, instruction by instruction.
void compare_every_instruction(const std::string& path, Syntax syntax, Tally& tally) {
  const std::unique_ptr<ObjectFile> file = open_object_file(path);
  const Decoder decoder(Arch::kX86_64, syntax);
  csh handle = 0;
  EXPECT_EQ(cs_open(CS_ARCH_X86, CS_MODE_64, &handle), CS_ERR_OK);
  cs_option(handle, CS_OPT_DETAIL, CS_OPT_ON);
  cs_option(handle, CS_OPT_SYNTAX,
            syntax == Syntax::kAtt ? CS_OPT_SYNTAX_ATT : CS_OPT_SYNTAX_INTEL);
  cs_insn* insn = cs_malloc(handle);
  for (const Section& section : file->sections()) {
    if (!section.executable) continue;
    const std::span<const std::uint8_t> bytes = file->section_bytes(section);
    std::vector<Instruction> decoded;
    decoder.decode(bytes, section.address, decoded);
    const std::uint8_t* code = bytes.data();
    std::size_t remaining = bytes.size();
    std::uint64_t pc = section.address;
    for (const Instruction& got : decoded) {
      if (got.kind == InsnKind::kInvalid) {  // the Decoder's placeholder: one byte
        code += got.size;
        remaining -= got.size;
        pc += got.size;
        continue;
      }
      if (!cs_disasm_iter(handle, &code, &remaining, &pc, insn)) {
        ADD_FAILURE() << path << ": Capstone with detail stops at 0x" << std::hex << got.address;
        break;
      }
      const Instruction want = from_detail(*insn, syntax == Syntax::kAtt);
      const std::string where = path + " " + section.name + " 0x" + hex(got.address) + ": " +
                                insn->mnemonic + " " + insn->op_str;
      const bool same = got.address == want.address && got.kind == want.kind &&
                        got.target == want.target && got.memory_address == want.memory_address &&
                        got.reads_stack_guard == want.reads_stack_guard &&
                        got.frame_bytes == want.frame_bytes;
      if (!same) {  // one instruction's story, not thousands
        EXPECT_EQ(got.address, want.address) << where;
        EXPECT_EQ(got.kind, want.kind) << where;
        EXPECT_EQ(got.target, want.target) << where;
        EXPECT_EQ(got.memory_address, want.memory_address) << where;
        EXPECT_EQ(got.reads_stack_guard, want.reads_stack_guard) << where;
        EXPECT_EQ(got.frame_bytes, want.frame_bytes) << where;
        return;
      }
      ++tally.kinds[want.kind];
      tally.targets += want.target.has_value();
      tally.memory += want.memory_address.has_value();
      tally.guards += want.reads_stack_guard;
      tally.frames += want.frame_bytes != 0;
      ++tally.instructions;
    }
  }
  cs_free(insn, 1);
  cs_close(&handle);
}

// The tally proves the comparison saw each kind of fact, so a classifier that found none
// would not pass by agreeing with nothing.
void expect_every_fact_seen(const Tally& t, const std::string& what) {
  for (const InsnKind kind :
       {InsnKind::kOther, InsnKind::kCall, InsnKind::kIndirectCall, InsnKind::kJump,
        InsnKind::kIndirectJump, InsnKind::kCondJump, InsnKind::kReturn, InsnKind::kTrap}) {
    EXPECT_GT(t.kinds.count(kind) ? t.kinds.at(kind) : 0, 0u)
        << what << ": kind " << static_cast<int>(kind);
  }
  EXPECT_GT(t.targets, 0u) << what;
  EXPECT_GT(t.memory, 0u) << what;
  EXPECT_GT(t.guards, 0u) << what;
  EXPECT_GT(t.frames, 0u) << what;
}

// The system's libstdc++ and libc (its functions check the stack protector's canary).
TEST(X86TextClassifyTest, AgreesWithCapstonesDetailOnSystemLibraries) {
  for (const Syntax syntax : {Syntax::kIntel, Syntax::kAtt}) {
    Tally t;
    for (const std::string lib :
         {"/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6"}) {
      if (!fs::exists(lib)) DEFERLAB_SKIP() << lib << " is not installed";
      compare_every_instruction(lib, syntax, t);
    }
    expect_every_fact_seen(t, syntax == Syntax::kAtt ? "att" : "intel");
    EXPECT_GT(t.instructions, 100000u);
  }
}

// The fixture as a relocatable object: its code starts at 0, so branch targets below 10
// print in decimal.
TEST(X86TextClassifyTest, AgreesWithCapstonesDetailOnTheFixtures) {
  for (const std::string path : {FIXTURE_EXECUTABLE, FIXTURE_OBJECT}) {
    for (const Syntax syntax : {Syntax::kIntel, Syntax::kAtt}) {
      Tally t;
      compare_every_instruction(path, syntax, t);
      EXPECT_GT(t.instructions, 50u) << path;
      EXPECT_GT(t.targets, 0u) << path;
    }
  }
}

// Instructions whose printed form is at an edge of the rules: a target below 10 (decimal),
// "[rip]" with no displacement, a negative displacement, the canary with a segment.
TEST(X86TextClassifyTest, EdgesOfThePrintedForms) {
  struct Case {
    std::vector<std::uint8_t> bytes;
    std::uint64_t address;
  };
  const std::vector<Case> cases = {
      {{0xe8, 0x00, 0x00, 0x00, 0x00}, 0},                   // call 5
      {{0xe8, 0xfb, 0xff, 0xff, 0xff}, 0x100},               // call 0x100 (itself)
      {{0xeb, 0x07}, 0},                                     // jmp 9
      {{0x74, 0x08}, 0},                                     // je 0xa
      {{0x48, 0x8d, 0x05, 0x00, 0x00, 0x00, 0x00}, 0x1000},  // lea rax, [rip]
      {{0x48, 0x8d, 0x05, 0xf0, 0xff, 0xff, 0xff}, 0x1000},  // lea rax, [rip - 0x10]
      {{0x48, 0x8b, 0x05, 0x09, 0x00, 0x00, 0x00}, 0x1000},  // mov rax, qword ptr [rip + 9]
      {{0xff, 0x15, 0x10, 0x00, 0x00, 0x00}, 0x1000},        // call qword ptr [rip + 0x10]
      {{0xff, 0x25, 0x10, 0x00, 0x00, 0x00}, 0x1000},        // jmp qword ptr [rip + 0x10]
      {{0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0}, 0},    // mov rax, qword ptr fs:[0x28]
      {{0x64, 0x48, 0x8b, 0x04, 0x25, 0x30, 0, 0, 0}, 0},    // fs:[0x30]: not the canary
      {{0x64, 0x48, 0x8b, 0x40, 0x28}, 0},                   // fs:[rax + 0x28]: not either
      {{0x48, 0x83, 0xec, 0x08}, 0},                         // sub rsp, 8
      {{0x48, 0x83, 0xec, 0x80}, 0},                         // sub rsp, -0x80: gives back
      {{0x48, 0x81, 0xec, 0x00, 0x10, 0x00, 0x00}, 0},       // sub rsp, 0x1000
      {{0x48, 0x83, 0xe8, 0x08}, 0},                         // sub rax, 8: not the stack
      {{0xe2, 0xfe}, 0x20},                                  // loop 0x20
      {{0xe3, 0x00}, 0},                                     // jrcxz 2
      {{0xc2, 0x08, 0x00}, 0},                               // ret 8
      {{0xff, 0xe0}, 0},                                     // jmp rax
      {{0x3e, 0xff, 0xe0}, 0},                               // notrack jmp rax
  };
  csh handle = 0;
  ASSERT_EQ(cs_open(CS_ARCH_X86, CS_MODE_64, &handle), CS_ERR_OK);
  cs_option(handle, CS_OPT_DETAIL, CS_OPT_ON);
  cs_insn* insn = cs_malloc(handle);
  for (const Syntax syntax : {Syntax::kIntel, Syntax::kAtt}) {
    cs_option(handle, CS_OPT_SYNTAX,
              syntax == Syntax::kAtt ? CS_OPT_SYNTAX_ATT : CS_OPT_SYNTAX_INTEL);
    const Decoder decoder(Arch::kX86_64, syntax);
    for (const Case& c : cases) {
      std::vector<Instruction> got;
      decoder.decode(c.bytes, c.address, got);
      ASSERT_EQ(got.size(), 1u);
      const std::uint8_t* code = c.bytes.data();
      std::size_t size = c.bytes.size();
      std::uint64_t pc = c.address;
      ASSERT_TRUE(cs_disasm_iter(handle, &code, &size, &pc, insn));
      const Instruction want = from_detail(*insn, syntax == Syntax::kAtt);
      const std::string where = got[0].mnemonic + " " + got[0].operands;
      EXPECT_EQ(got[0].kind, want.kind) << where;
      EXPECT_EQ(got[0].target, want.target) << where;
      EXPECT_EQ(got[0].memory_address, want.memory_address) << where;
      EXPECT_EQ(got[0].reads_stack_guard, want.reads_stack_guard) << where;
      EXPECT_EQ(got[0].frame_bytes, want.frame_bytes) << where;
    }
  }
  cs_free(insn, 1);
  cs_close(&handle);
}

}  // namespace
}  // namespace deferlab::disasm
