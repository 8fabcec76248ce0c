// Tests disasm/diff.cc and disasm/diff_render.cc: a copy of a function moved to other
// addresses matches 100 %, an added call is one insertion with its alloc delta, register
// renaming can be ignored, the linear-space Myers finds a shortest script (checked against
// a quadratic LCS on random sequences), sizes are bounded, and the rendered diffs match
// approved golden files.
#include "disasm/diff.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "common/error.h"
#include "disasm/diff_render.h"
#include "tests/disasm/golden.h"
#include "tests/disasm/memory_object_file.h"

namespace deferlab::disasm {
namespace {

using testing::MemoryObjectFile;

AnnotatedFunction build(std::uint64_t address, std::vector<std::uint8_t> bytes,
                        std::uint64_t malloc_plt, std::uint64_t free_plt) {
  const std::uint64_t size = bytes.size();
  MemoryObjectFile file(Arch::kX86_64, address, std::move(bytes));
  file.add_function("alloc_loop", address, size);
  file.add_plt(malloc_plt, "malloc@plt");
  file.add_plt(free_plt, "free@plt");
  const Decoder decoder(Arch::kX86_64, Syntax::kIntel);
  return annotate(file, decoder, range_of(file, file.functions().front()), AllocNames::defaults(),
                  nullptr);
}

// The loop of annotate_test at 0x1000, calling malloc@plt (0x2000) and free@plt (0x2010).
AnnotatedFunction version_a() {
  return build(0x1000,
               {0x53, 0x89, 0xfb, 0xbf, 0x10, 0x00, 0x00, 0x00, 0xe8, 0xf3, 0x0f, 0x00, 0x00, 0x48,
                0x89, 0xc7, 0xe8, 0xfb, 0x0f, 0x00, 0x00, 0x83, 0xeb, 0x01, 0x75, 0xe9, 0x5b, 0xc3},
               0x2000, 0x2010);
}

// The same code linked elsewhere: at 0x5000, its PLT at 0x7000: every call displacement
// differs, no instruction does.
AnnotatedFunction version_a_moved() {
  return build(0x5000,
               {0x53, 0x89, 0xfb, 0xbf, 0x10, 0x00, 0x00, 0x00, 0xe8, 0xf3, 0x1f, 0x00, 0x00, 0x48,
                0x89, 0xc7, 0xe8, 0xfb, 0x1f, 0x00, 0x00, 0x83, 0xeb, 0x01, 0x75, 0xe9, 0x5b, 0xc3},
               0x7000, 0x7010);
}

// Version A with a second malloc call in the loop (after free).
AnnotatedFunction version_c() {
  return build(0x1000, {0x53, 0x89, 0xfb, 0xbf, 0x10, 0x00, 0x00, 0x00, 0xe8, 0xf3, 0x0f,
                        0x00, 0x00, 0x48, 0x89, 0xc7, 0xe8, 0xfb, 0x0f, 0x00, 0x00, 0xe8,
                        0xe6, 0x0f, 0x00, 0x00, 0x83, 0xeb, 0x01, 0x75, 0xe4, 0x5b, 0xc3},
               0x2000, 0x2010);
}

TEST(DiffTest, AMovedCopyMatchesFully) {
  const FunctionDiff d = diff_functions(version_a(), version_a_moved(), {});
  EXPECT_EQ(d.match_percent, 100.0);
  EXPECT_EQ(d.equal, 10u);
  EXPECT_EQ(d.replaced + d.inserted + d.deleted, 0u);
}

TEST(DiffTest, AnExtraCallIsOneInsertion) {
  const FunctionDiff d = diff_functions(version_a(), version_c(), {});
  EXPECT_EQ(d.equal, 10u);
  EXPECT_EQ(d.inserted, 1u);
  EXPECT_EQ(d.replaced + d.deleted, 0u);
  EXPECT_DOUBLE_EQ(d.match_percent, 100.0 * 2 * 10 / (10 + 11));
  EXPECT_EQ(d.delta.alloc_calls, 1);
  EXPECT_EQ(d.delta.alloc_calls_in_loops, 1);
  EXPECT_EQ(d.delta.instructions, 1);
}

TEST(DiffTest, RegisterChoiceCanBeIgnored) {
  // mov ebx, edi; ret   against   mov ecx, edi; ret
  MemoryObjectFile a(Arch::kX86_64, 0x1000, {0x89, 0xfb, 0xc3});
  MemoryObjectFile b(Arch::kX86_64, 0x1000, {0x89, 0xf9, 0xc3});
  a.add_function("f", 0x1000, 3);
  b.add_function("f", 0x1000, 3);
  const Decoder decoder(Arch::kX86_64, Syntax::kIntel);
  const AnnotatedFunction fa =
      annotate(a, decoder, range_of(a, a.functions()[0]), AllocNames::defaults(), nullptr);
  const AnnotatedFunction fb =
      annotate(b, decoder, range_of(b, b.functions()[0]), AllocNames::defaults(), nullptr);
  EXPECT_EQ(diff_functions(fa, fb, {}).equal, 1u);
  const std::set<std::string> registers = register_names(Arch::kX86_64);
  DiffOptions ignore;
  ignore.ignore_registers = true;
  ignore.registers = &registers;
  EXPECT_EQ(diff_functions(fa, fb, ignore).equal, 2u);
}

AnnotatedFunction from_mnemonics(const std::string& letters) {
  AnnotatedFunction f;
  for (char c : letters) {
    AnnotatedInstruction a;
    a.insn.mnemonic = std::string(1, c);
    f.instructions.push_back(a);
  }
  return f;
}

TEST(DiffTest, MyersFindsTheShortestScript) {
  // Myers' paper: ABCABBA -> CBABAC takes 5 edits, so 4 elements stay.
  const FunctionDiff d = diff_functions(from_mnemonics("abcabba"), from_mnemonics("cbabac"), {});
  EXPECT_EQ(d.equal, 4u);
  EXPECT_EQ(2 * d.replaced + d.inserted + d.deleted, 5u);
}

// The length of a longest common subsequence, by the quadratic table.
std::size_t lcs_length(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> t(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;) {
      t[i][j] = a[i] == b[j] ? t[i + 1][j + 1] + 1 : std::max(t[i + 1][j], t[i][j + 1]);
    }
  }
  return t[0][0];
}

TEST(DiffTest, TheScriptIsShortestAndWellFormedOnRandomSequences) {
  std::mt19937 random(8);  // fixed: the same sequences every run
  for (int round = 0; round < 3000; ++round) {
    const std::size_t n = random() % 48;
    const std::size_t m = random() % 48;
    const char alphabet = static_cast<char>('a' + 1 + random() % 5);
    std::string a;
    std::string b;
    for (std::size_t i = 0; i < n; ++i) a += static_cast<char>('a' + random() % (alphabet - 'a'));
    for (std::size_t i = 0; i < m; ++i) b += static_cast<char>('a' + random() % (alphabet - 'a'));
    const FunctionDiff d = diff_functions(from_mnemonics(a), from_mnemonics(b), {});
    // Shortest: as many equal instructions as a longest common subsequence has.
    ASSERT_EQ(d.equal, lcs_length(a, b)) << a << " / " << b;
    // Well formed: every instruction of A and of B once, in order; equal ops are equal.
    int next_a = 0;
    int next_b = 0;
    for (const DiffOp& op : d.ops) {
      if (op.a >= 0) {
        ASSERT_EQ(op.a, next_a++) << a << " / " << b;
      }
      if (op.b >= 0) {
        ASSERT_EQ(op.b, next_b++) << a << " / " << b;
      }
      if (op.kind == DiffOpKind::kEqual) {
        ASSERT_EQ(a[op.a], b[op.b]);
      }
    }
    ASSERT_EQ(next_a, static_cast<int>(n));
    ASSERT_EQ(next_b, static_cast<int>(m));
  }
}

TEST(DiffTest, NothingInCommonIsAllReplacements) {
  const FunctionDiff d = diff_functions(from_mnemonics("abcdef"), from_mnemonics("uvwxyz"), {});
  EXPECT_EQ(d.equal, 0u);
  EXPECT_EQ(d.replaced, 6u);
  EXPECT_EQ(d.match_percent, 0.0);
}

TEST(DiffTest, SidesOverTheLimitAreRefused) {
  DiffOptions small;
  small.max_instructions = 4;
  EXPECT_TRUE(within_diff_limit(from_mnemonics("abcd"), from_mnemonics("abcd"), small));
  EXPECT_FALSE(within_diff_limit(from_mnemonics("abcd"), from_mnemonics("abcde"), small));
  try {
    diff_functions(from_mnemonics("abcde"), from_mnemonics("ab"), small);
    ADD_FAILURE() << "no Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "function too large to diff: 5 instructions, the limit is 4");
  }
}

TEST(DiffTest, AddressLiteralsWiderThan64BitsAreAddresses) {
  // From a hand-edited JSON file: std::stoull would throw out_of_range here.
  AnnotatedInstruction a;
  a.insn.mnemonic = "mov";
  a.insn.operands = "rax, 0x123456789abcdef0123456789";
  EXPECT_EQ(normalize(a, {}), "mov rax, ADDR");
  a.insn.operands = "rax, 0xfff";
  EXPECT_EQ(normalize(a, {}), "mov rax, 0xfff");
}

TEST(DiffTest, EmptyAgainstEmptyIsAFullMatch) {
  EXPECT_EQ(diff_functions(from_mnemonics(""), from_mnemonics(""), {}).match_percent, 100.0);
}

TEST(DiffTest, MarkdownOfAHugeDiffStaysUnderItsBudget) {
  // 3,000 instructions against 3,000 others: 6,000 diff lines, far over a PR comment.
  const AnnotatedFunction a = from_mnemonics(std::string(3000, 'a'));
  const AnnotatedFunction b = from_mnemonics(std::string(3000, 'b'));
  const FunctionDiff d = diff_functions(a, b, {});
  const std::string md =
      render_diff_markdown({&a, "a.out", "x86-64"}, {&b, "b.out", "x86-64"}, d, 8192);
  EXPECT_LE(md.size(), 8192u);
  // The fence is closed, and the closing line says what was cut out of how much.
  EXPECT_NE(md.find("\n```\n\n_Diff cut after "), std::string::npos);
  EXPECT_NE(md.find(" of 6000 lines to stay under 8192 characters; `deferlab diff A B` (text) "
                    "shows every line._\n"),
            std::string::npos)
      << md.substr(md.size() - 200);
}

TEST(DiffTest, RenderingsMatchGolden) {
  const AnnotatedFunction a = version_a();
  const AnnotatedFunction c = version_c();
  const FunctionDiff d = diff_functions(a, c, {});
  const DiffSide side_a{&a, "a.out", "x86-64"};
  const DiffSide side_c{&c, "b.out", "x86-64"};
  expect_golden("alloc_loop_extra_call.diff.txt", render_diff_text(side_a, side_c, d));
  expect_golden("alloc_loop_extra_call.diff.md", render_diff_markdown(side_a, side_c, d));
  expect_golden("alloc_loop_extra_call.diff.json",
                nlohmann::json::parse(render_diff_json(side_a, side_c, d, {})).dump(2) + "\n");
}

}  // namespace
}  // namespace deferlab::disasm
