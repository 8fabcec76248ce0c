// Tests disasm/decoder.cc and disasm/arch_*.cc on data: bytes in, expected text and
// control-flow kind out, for x86-64 (Intel and AT&T) and AArch64, the way Capstone's
// tests/MC files pin a decoder.
#include "disasm/decoder.h"

#include <gtest/gtest.h>

#include <vector>

namespace deferlab::disasm {
namespace {

struct Case {
  const char* name;
  std::vector<std::uint8_t> bytes;
  std::uint64_t address;
  const char* mnemonic;
  const char* operands;
  InsnKind kind;
  std::optional<std::uint64_t> target;
};

std::vector<Instruction> decode(Arch arch, Syntax syntax, const std::vector<std::uint8_t>& bytes,
                                std::uint64_t address) {
  const Decoder decoder(arch, syntax);
  std::vector<Instruction> out;
  decoder.decode(bytes, address, out);
  return out;
}

void check(Arch arch, Syntax syntax, const Case& c) {
  SCOPED_TRACE(c.name);
  const std::vector<Instruction> out = decode(arch, syntax, c.bytes, c.address);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].address, c.address);
  EXPECT_EQ(out[0].size, c.bytes.size());
  EXPECT_EQ(out[0].mnemonic, c.mnemonic);
  EXPECT_EQ(out[0].operands, c.operands);
  EXPECT_EQ(out[0].kind, c.kind);
  EXPECT_EQ(out[0].target, c.target);
}

TEST(DecoderTest, X86_64Intel) {
  const std::vector<Case> cases = {
      {"push", {0x55}, 0x1000, "push", "rbp", InsnKind::kOther, std::nullopt},
      {"ret", {0xc3}, 0x1000, "ret", "", InsnKind::kReturn, std::nullopt},
      {"call rel32",
       {0xe8, 0x00, 0x01, 0x00, 0x00},
       0x1000,
       "call",
       "0x1105",
       InsnKind::kCall,
       0x1105},
      {"jmp rel8", {0xeb, 0xfe}, 0x2000, "jmp", "0x2000", InsnKind::kJump, 0x2000},
      {"jne rel8", {0x75, 0x10}, 0x2000, "jne", "0x2012", InsnKind::kCondJump, 0x2012},
      {"call rax", {0xff, 0xd0}, 0x1000, "call", "rax", InsnKind::kIndirectCall, std::nullopt},
      {"jmp [rip+8]",
       {0xff, 0x25, 0x08, 0x00, 0x00, 0x00},
       0x1000,
       "jmp",
       "qword ptr [rip + 8]",
       InsnKind::kIndirectJump,
       std::nullopt},
      {"ud2", {0x0f, 0x0b}, 0x1000, "ud2", "", InsnKind::kTrap, std::nullopt},
      {"mov", {0x48, 0x89, 0xe5}, 0x1000, "mov", "rbp, rsp", InsnKind::kOther, std::nullopt},
  };
  for (const Case& c : cases) check(Arch::kX86_64, Syntax::kIntel, c);
}

TEST(DecoderTest, X86_64Att) {
  check(Arch::kX86_64, Syntax::kAtt,
        {"push", {0x55}, 0x1000, "pushq", "%rbp", InsnKind::kOther, std::nullopt});
  check(Arch::kX86_64, Syntax::kAtt,
        {"mov", {0x48, 0x89, 0xe5}, 0x1000, "movq", "%rsp, %rbp", InsnKind::kOther, std::nullopt});
}

TEST(DecoderTest, X86_64RipRelativeAndStackGuard) {
  // call qword ptr [rip + 0x10] at 0x1000: the slot is at 0x1000 + 6 + 0x10.
  const auto call =
      decode(Arch::kX86_64, Syntax::kIntel, {0xff, 0x15, 0x10, 0x00, 0x00, 0x00}, 0x1000);
  ASSERT_EQ(call.size(), 1u);
  EXPECT_EQ(call[0].memory_address, 0x1016u);
  // mov rax, qword ptr fs:[0x28]: the stack protector's canary.
  const auto guard =
      decode(Arch::kX86_64, Syntax::kIntel, {0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0}, 0x1000);
  ASSERT_EQ(guard.size(), 1u);
  EXPECT_TRUE(guard[0].reads_stack_guard);
}

TEST(DecoderTest, X86_64FrameBytes) {
  // sub rsp, 0x28 and push: the prologue's stack allocation.
  EXPECT_EQ(decode(Arch::kX86_64, Syntax::kIntel, {0x48, 0x83, 0xec, 0x28}, 0)[0].frame_bytes,
            0x28u);
  EXPECT_EQ(decode(Arch::kX86_64, Syntax::kIntel, {0x53}, 0)[0].frame_bytes, 8u);
}

TEST(DecoderTest, X86_64UnknownBytesBecomeOnePlaceholderEach) {
  // 0x06 (push es) does not exist in 64-bit mode: one byte, then decoding resumes.
  const auto out = decode(Arch::kX86_64, Syntax::kIntel, {0x06, 0x55}, 0x1000);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].kind, InsnKind::kInvalid);
  EXPECT_EQ(out[0].mnemonic, ".byte");
  EXPECT_EQ(out[0].operands, "0x06");
  EXPECT_EQ(out[1].address, 0x1001u);
  EXPECT_EQ(out[1].mnemonic, "push");
}

TEST(DecoderTest, AArch64) {
  const std::vector<Case> cases = {
      {"ret", {0xc0, 0x03, 0x5f, 0xd6}, 0x1000, "ret", "", InsnKind::kReturn, std::nullopt},
      {"bl", {0x02, 0x00, 0x00, 0x94}, 0x1000, "bl", "#0x1008", InsnKind::kCall, 0x1008},
      {"b", {0xff, 0xff, 0xff, 0x17}, 0x1004, "b", "#0x1000", InsnKind::kJump, 0x1000},
      {"b.ne", {0x41, 0x00, 0x00, 0x54}, 0x1000, "b.ne", "#0x1008", InsnKind::kCondJump, 0x1008},
      {"cbz", {0x40, 0x00, 0x00, 0xb4}, 0x1000, "cbz", "x0, #0x1008", InsnKind::kCondJump, 0x1008},
      {"blr",
       {0x00, 0x02, 0x3f, 0xd6},
       0x1000,
       "blr",
       "x16",
       InsnKind::kIndirectCall,
       std::nullopt},
      {"br", {0x20, 0x02, 0x1f, 0xd6}, 0x1000, "br", "x17", InsnKind::kIndirectJump, std::nullopt},
      {"brk", {0x00, 0x00, 0x20, 0xd4}, 0x1000, "brk", "#0", InsnKind::kTrap, std::nullopt},
  };
  for (const Case& c : cases) check(Arch::kAArch64, Syntax::kIntel, c);
}

TEST(DecoderTest, AArch64AddressMaterialisation) {
  // adrp x16, page; ldr x17, [x16, #0x18]; the annotator combines them into a GOT slot.
  const auto out = decode(Arch::kAArch64, Syntax::kIntel,
                          {0x10, 0x00, 0x00, 0x90, 0x11, 0x0e, 0x40, 0xf9}, 0x1000);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].reg_def, RegDef::kConst);
  EXPECT_EQ(out[0].immediate, 0x1000);
  EXPECT_EQ(out[1].reg_def, RegDef::kLoad);
  EXPECT_EQ(out[1].base_reg, out[0].def_reg);
  EXPECT_EQ(out[1].immediate, 0x18);
}

TEST(DecoderTest, AArch64FrameBytes) {
  // stp x29, x30, [sp, #-0x20]!
  EXPECT_EQ(decode(Arch::kAArch64, Syntax::kIntel, {0xfd, 0x7b, 0xbe, 0xa9}, 0)[0].frame_bytes,
            0x20u);
}

TEST(DecoderTest, AArch64UnknownWordsBecomeOnePlaceholderEach) {
  // An all-zero word (udf #0 in newer Capstones, unknown to 4.0.2) or not: four bytes.
  const auto out = decode(Arch::kAArch64, Syntax::kIntel,
                          {0xff, 0xff, 0xff, 0xff, 0xc0, 0x03, 0x5f, 0xd6}, 0x1000);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].size, 4u);
  EXPECT_EQ(out[1].address, 0x1004u);
  EXPECT_EQ(out[1].kind, InsnKind::kReturn);
}

}  // namespace
}  // namespace deferlab::disasm

namespace deferlab::disasm {
namespace {

// AVX-512 operands are the longest x86-64 prints: past what an instruction holds inline,
// they go to the heap, and must read back the same.
TEST(DecoderTest, OperandsLongerThanTheInstructionHolds) {
  const std::vector<Case> cases = {
      {"vpgatherdd",
       {0x62, 0xf2, 0x7d, 0x49, 0x90, 0x8c, 0x90, 0x78, 0x56, 0x34, 0x12},
       0x1000,
       "vpgatherdd",
       "zmm1 {k1}, dword ptr [rax + zmm2*4 + 0x12345678]",
       InsnKind::kOther,
       std::nullopt},
      {"vmovdqa64",
       {0x62, 0xf1, 0xfd, 0x49, 0x6f, 0x84, 0xc8, 0x78, 0x56, 0x34, 0x12},
       0x1000,
       "vmovdqa64",
       "zmm0 {k1}, zmmword ptr [rax + rcx*8 + 0x12345678]",
       InsnKind::kOther,
       std::nullopt},
  };
  for (const Case& c : cases) {
    ASSERT_GT(std::string_view(c.operands).size(), OperandText::kInline) << c.name;
    check(Arch::kX86_64, Syntax::kIntel, c);
  }
}

// Copies, moves and assignments between text held inline and on the heap, at the boundary.
TEST(OperandTextTest, InlineAndHeapTextCopyMoveAndAssign) {
  const std::string at_most(OperandText::kInline, 'a');
  const std::string longer(OperandText::kInline + 1, 'b');
  for (const std::string& first : {std::string(), std::string("rax"), at_most, longer}) {
    for (const std::string& second : {std::string(), std::string("rbx, 1"), at_most, longer}) {
      OperandText a(first);
      EXPECT_EQ(a, first);
      EXPECT_EQ(a.size(), first.size());
      EXPECT_EQ(a.empty(), first.empty());
      OperandText b(second);
      const OperandText copy(a);
      EXPECT_EQ(copy, first);
      b = a;
      EXPECT_EQ(b, first);
      EXPECT_EQ(a, first);
      OperandText moved(std::move(b));
      EXPECT_EQ(moved, first);
      moved = OperandText(second);
      EXPECT_EQ(moved, second);
      moved = copy;
      EXPECT_EQ(moved.str(), first);
      a = second;
      EXPECT_EQ(a, second);
      EXPECT_EQ(std::string("x ") + a, "x " + second);
    }
  }
}

}  // namespace
}  // namespace deferlab::disasm
