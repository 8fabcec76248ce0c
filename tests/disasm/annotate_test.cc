// Tests disasm/annotate.cc: on hand-assembled functions at known addresses (exact
// results, and listings checked against approved golden files), on a fixture compiled
// here, and on the lab's own hot functions for both architectures.
#include "disasm/annotate.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "disasm/diff.h"
#include "disasm/disasm_json.h"
#include "disasm/listing.h"
#include "disasm/selection.h"
#include "tests/disasm/golden.h"
#include "tests/disasm/memory_object_file.h"
#include "tests/skip.h"

namespace deferlab::disasm {
namespace {

using testing::MemoryObjectFile;

// A loop that calls malloc@plt and free@plt each iteration, assembled by hand:
//   0x1000 push rbx; mov ebx, edi
//   0x1003 mov edi, 16; call malloc@plt; mov rdi, rax; call free@plt; sub ebx, 1; jne 0x1003
//   0x101a pop rbx; ret
std::vector<std::uint8_t> alloc_loop_bytes() {
  return {0x53, 0x89, 0xfb, 0xbf, 0x10, 0x00, 0x00, 0x00, 0xe8, 0xf3, 0x0f, 0x00, 0x00, 0x48,
          0x89, 0xc7, 0xe8, 0xfb, 0x0f, 0x00, 0x00, 0x83, 0xeb, 0x01, 0x75, 0xe9, 0x5b, 0xc3};
}

MemoryObjectFile alloc_loop_file() {
  MemoryObjectFile file(Arch::kX86_64, 0x1000, alloc_loop_bytes());
  file.add_function("alloc_loop", 0x1000, 28);
  file.add_plt(0x2000, "malloc@plt");
  file.add_plt(0x2010, "free@plt");
  return file;
}

AnnotatedFunction annotate_first(const ObjectFile& file) {
  const Decoder decoder(file.arch(), Syntax::kIntel);
  return annotate(file, decoder, range_of(file, file.functions().front()), AllocNames::defaults(),
                  nullptr);
}

TEST(AnnotateTest, NamesPltCallsAndTagsThem) {
  const MemoryObjectFile file = alloc_loop_file();
  const AnnotatedFunction f = annotate_first(file);
  ASSERT_EQ(f.instructions.size(), 10u);
  const AnnotatedInstruction& malloc_call = f.instructions[3];
  EXPECT_EQ(malloc_call.call_target, "malloc@plt");
  EXPECT_EQ(malloc_call.call_symbol, "malloc");
  EXPECT_TRUE(malloc_call.tags & kTagAlloc);
  EXPECT_TRUE(f.instructions[5].tags & kTagFree);
}

TEST(AnnotateTest, FindsTheLoopAndItsCalls) {
  const AnnotatedFunction f = annotate_first(alloc_loop_file());
  // Blocks: entry [0x1000, 0x1003), loop body [0x1003, 0x101a), exit [0x101a, 0x101c).
  ASSERT_EQ(f.blocks.size(), 3u);
  EXPECT_EQ(f.blocks[1].successors, (Successors{1, 2}));
  ASSERT_EQ(f.loops.size(), 1u);
  EXPECT_EQ(f.loops[0].header, 1);
  EXPECT_EQ(f.loops[0].back_edges, (std::vector<std::pair<int, int>>{{1, 1}}));
  EXPECT_EQ(f.instructions[2].label, ".L0");
  EXPECT_EQ(f.instructions[7].branch_label, ".L0");
  EXPECT_EQ(f.summary.calls, 2u);
  EXPECT_EQ(f.summary.alloc_calls, 1u);
  EXPECT_EQ(f.summary.alloc_calls_in_loops, 1u);
  EXPECT_EQ(f.summary.free_calls, 1u);
  EXPECT_EQ(f.summary.max_loop_depth, 1);
  EXPECT_EQ(f.summary.stack_frame_size, 8u);  // push rbx
}

TEST(AnnotateTest, NamesCallsThroughTheGot) {
  // call qword ptr [rip + 0x100] at 0x1000 -> slot 0x1106; ret
  MemoryObjectFile file(Arch::kX86_64, 0x1000, {0xff, 0x15, 0x00, 0x01, 0x00, 0x00, 0xc3});
  file.add_function("via_got", 0x1000, 7);
  file.add_got_slot(0x1106, "_Znwm");
  const AnnotatedFunction f = annotate_first(file);
  EXPECT_EQ(f.instructions[0].call_target, "operator new(unsigned long)@GOT");
  EXPECT_TRUE(f.instructions[0].tags & kTagAlloc);
  EXPECT_TRUE(f.instructions[0].tags & kTagIndirectCall);
}

TEST(AnnotateTest, NamesAArch64CallsThroughRegisters) {
  // adrp x16, 0x2000; ldr x17, [x16, #0x18]; blr x17; ret  (at 0x1000)
  MemoryObjectFile file(Arch::kAArch64, 0x1000,
                        {0x10, 0x00, 0x00, 0x90, 0x11, 0x0e, 0x40, 0xf9, 0x20, 0x02, 0x3f, 0xd6,
                         0xc0, 0x03, 0x5f, 0xd6});
  file.add_function("via_register", 0x1000, 16);
  file.add_got_slot(0x1018, "malloc");
  const AnnotatedFunction f = annotate_first(file);
  EXPECT_EQ(f.instructions[2].call_target, "malloc@GOT");
  EXPECT_TRUE(f.instructions[2].tags & kTagAlloc);
}

TEST(AnnotateTest, CompletesAArch64PagesWithTheirLowBits) {
  // adrp x16, 0x1000; ldr x17, [x16, #0x18]; add x0, x16, #0x24; ret  (at 0x1000)
  MemoryObjectFile file(Arch::kAArch64, 0x1000,
                        {0x10, 0x00, 0x00, 0x90, 0x11, 0x0e, 0x40, 0xf9, 0x00, 0x92, 0x00, 0x91,
                         0xc0, 0x03, 0x5f, 0xd6});
  file.add_function("page_and_offset", 0x1000, 16);
  file.add_got_slot(0x1018, "malloc");
  file.add_data_symbol("counter", 0x1020, 16);
  const AnnotatedFunction f = annotate_first(file);
  // The ldr reads the GOT slot at page + 0x18: named after the symbol it holds.
  ASSERT_TRUE(f.instructions[1].reference_target);
  EXPECT_EQ(f.instructions[1].reference_target->address, 0x1018u);
  EXPECT_TRUE(f.instructions[1].reference_target->got);
  EXPECT_EQ(f.instructions[1].reference, "malloc@GOT");
  // The add makes page + 0x24: four bytes into counter.
  ASSERT_TRUE(f.instructions[2].reference_target);
  EXPECT_EQ(f.instructions[2].reference_target->address, 0x1024u);
  EXPECT_EQ(f.instructions[2].reference_target->symbol, "counter");
  EXPECT_EQ(f.instructions[2].reference_target->offset, 4);
  EXPECT_EQ(f.instructions[2].reference, "counter+0x4");
  EXPECT_EQ(annotation_text(f.instructions[2]), "0x1024 <counter+0x4>");
}

// Approved listings: after a change that is meant, the test fails and keeps its output;
// `tools/lab approve` shows the diff and takes it (tests/disasm/golden.h).
TEST(AnnotateTest, TextListingMatchesGolden) {
  const AnnotatedFunction f = annotate_first(alloc_loop_file());
  expect_golden("alloc_loop.txt", render_function_text(f, {}));
}

TEST(AnnotateTest, MarkdownListingMatchesGolden) {
  const AnnotatedFunction f = annotate_first(alloc_loop_file());
  expect_golden("alloc_loop.md", render_function_markdown(f, {}));
}

TEST(AnnotateTest, JsonMatchesGolden) {
  const MemoryObjectFile file = alloc_loop_file();
  const AnnotatedFunction f = annotate_first(file);
  std::string json;
  write_disasm_document(json, describe_binary(file), Syntax::kIntel, {&f, 1}, nullptr);
  expect_golden("alloc_loop.json", nlohmann::json::parse(json).dump(2) + "\n");
}

// The fixture compiled by this build (any compiler): shapes, not exact code.
class FixtureTest : public ::testing::TestWithParam<const char*> {
 protected:
  AnnotatedFunction get(const char* name) {
    file_ = open_object_file(GetParam());
    const Decoder decoder(file_->arch(), Syntax::kIntel);
    const std::vector<FunctionRange> ranges = select_by_name(*file_, {name});
    EXPECT_EQ(ranges.size(), 1u);
    return annotate(*file_, decoder, ranges.at(0), AllocNames::defaults(), nullptr);
  }
  std::unique_ptr<ObjectFile> file_;
};

TEST_P(FixtureTest, AllocInLoop) {
  const Summary s = get("fixture_alloc_in_loop").summary;
  EXPECT_GE(s.alloc_calls_in_loops, 1u);
  EXPECT_GE(s.free_calls, 1u);
  EXPECT_GE(s.loops, 1u);
}

TEST_P(FixtureTest, NewOutsideLoops) {
  const Summary s = get("fixture_new_once").summary;
  EXPECT_EQ(s.alloc_calls, 1u);
  EXPECT_EQ(s.alloc_calls_in_loops, 0u);
}

TEST_P(FixtureTest, LeafHasNoCallsOrLoops) {
  const Summary s = get("fixture_leaf").summary;
  EXPECT_EQ(s.calls, 0u);
  EXPECT_EQ(s.loops, 0u);
}

TEST_P(FixtureTest, NestedLoopsNest) {
  const AnnotatedFunction f = get("fixture_nested_loops");
  EXPECT_EQ(f.summary.max_loop_depth, 2);
  bool inner_has_parent = false;
  for (const Loop& l : f.loops)
    inner_has_parent = inner_has_parent || (l.depth == 2 && l.parent >= 0);
  EXPECT_TRUE(inner_has_parent);
}

TEST_P(FixtureTest, IndirectCall) {
  EXPECT_EQ(get("fixture_indirect").summary.indirect_calls, 1u);
}

INSTANTIATE_TEST_SUITE_P(Fixture, FixtureTest, ::testing::Values(FIXTURE_EXECUTABLE));

// Relocatable object: calls are named from relocations.
TEST(FixtureObjectTest, CallsNamedFromRelocations) {
  const std::unique_ptr<ObjectFile> file = open_object_file(FIXTURE_OBJECT);
  EXPECT_EQ(file->kind(), "relocatable");
  const Decoder decoder(file->arch(), Syntax::kIntel);
  const std::vector<FunctionRange> ranges = select_by_name(*file, {"fixture_alloc_in_loop"});
  ASSERT_EQ(ranges.size(), 1u);
  const AnnotatedFunction f = annotate(*file, decoder, ranges[0], AllocNames::defaults(), nullptr);
  bool named_malloc = false;
  for (const AnnotatedInstruction& a : f.instructions) {
    named_malloc = named_malloc || (a.call_symbol == "malloc" && (a.tags & kTagAlloc));
  }
  EXPECT_TRUE(named_malloc);
  EXPECT_GE(f.summary.alloc_calls_in_loops, 1u);
}

// The lab's hot functions, on every architecture built: the evidence the design expects.
struct LabBinary {
  const char* arch;
  const char* path;
};

class LabHotFunctionTest : public ::testing::TestWithParam<LabBinary> {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(GetParam().path)) {
      DEFERLAB_SKIP() << GetParam().arch << " lab binary not built (" << GetParam().path
                      << "); tools/lab test builds it";
    }
    file_ = open_object_file(GetParam().path);
  }
  AnnotatedFunction annotated(const std::string& name) {
    const Decoder decoder(file_->arch(), Syntax::kIntel);
    std::vector<FunctionRange> ranges = select_by_name(*file_, {name});
    std::erase_if(ranges, [](const FunctionRange& r) { return is_clone(r.demangled); });
    EXPECT_EQ(ranges.size(), 1u) << name;
    return annotate(*file_, decoder, ranges.at(0), AllocNames::defaults(), nullptr);
  }
  Summary summary_of(const std::string& name) { return annotated(name).summary; }
  // A lab hot function by its demangled name, e.g. "loop_defer<deferlab::HeapDeferStrategy>"
  // (cases/scenarios/: a scenario's template instantiated per strategy).
  static std::string hot(const std::string& name) { return "deferlab::cases::hot::" + name; }
  std::unique_ptr<ObjectFile> file_;
};

TEST_P(LabHotFunctionTest, HeapDeferAllocatesInItsLoop) {
  EXPECT_GE(summary_of(hot("loop_defer<deferlab::HeapDeferStrategy>")).alloc_calls_in_loops, 1u);
}

TEST_P(LabHotFunctionTest, ScopeGuardAndGotoDoNotAllocate) {
  for (const std::string& name : {hot("loop_defer<deferlab::ScopeGuardStrategy>"),
                                  hot("loop_defer<deferlab::GotoCleanupStrategy>"),
                                  hot("fixed_defers<deferlab::ScopeGuardStrategy, 4u>"),
                                  hot("fixed_defers<deferlab::GotoCleanupStrategy, 4u>")}) {
    EXPECT_EQ(summary_of(name).alloc_calls, 0u) << name;
  }
}

TEST_P(LabHotFunctionTest, PooledChainDoesNotAllocateInItsLoop) {
  EXPECT_EQ(summary_of(hot("loop_defer<deferlab::PooledChainStrategy>")).alloc_calls_in_loops, 0u);
}

// The README's claim: for cleanups written out in one function (fixed_defers/K), every
// templated guard compiles to exactly the instructions of goto_cleanup, on both
// architectures: a 100 % match, nothing replaced, inserted or deleted, the same summary.
TEST_P(LabHotFunctionTest, TemplatedGuardsCompileToTheGotoExactly) {
  const std::set<std::string> registers = register_names(file_->arch());
  const DiffOptions options{.ignore_registers = false, .registers = &registers};
  for (const char* k : {"1u", "4u", "8u", "9u"}) {
    const AnnotatedFunction baseline =
        annotated(hot(std::string("fixed_defers<deferlab::GotoCleanupStrategy, ") + k + ">"));
    for (const char* guard : {"ScopeGuardStrategy", "AbslCleanupStrategy", "GslFinallyStrategy",
                              "BoostScopeExitStrategy", "CleanupAttributeStrategy"}) {
      const std::string name = hot(std::string("fixed_defers<deferlab::") + guard + ", " + k + ">");
      const FunctionDiff d = diff_functions(annotated(name), baseline, options);
      EXPECT_EQ(d.match_percent, 100.0) << name;
      EXPECT_EQ(d.equal, baseline.instructions.size()) << name;
      EXPECT_EQ(d.replaced + d.inserted + d.deleted, 0u) << name;
      EXPECT_EQ(d.delta.instructions, 0) << name;
      EXPECT_EQ(d.delta.bytes, 0) << name;
    }
  }
}

// The sanitizer build's own lab binary is instrumented (its hot paths carry the checks),
// so that build holds only the AArch64 binary, which is never instrumented, to the claims.
std::vector<LabBinary> lab_binaries() {
  std::vector<LabBinary> binaries;
  if (DEFERLAB_SANITIZED_BUILD == 0) binaries.push_back({"x86-64", LAB_BINARY});
  binaries.push_back({"aarch64", LAB_BINARY_AARCH64});
  return binaries;
}

INSTANTIATE_TEST_SUITE_P(Lab, LabHotFunctionTest, ::testing::ValuesIn(lab_binaries()),
                         [](const auto& info) {
                           return std::string(info.param.arch) == "x86-64" ? "x86_64" : "aarch64";
                         });

}  // namespace
}  // namespace deferlab::disasm
