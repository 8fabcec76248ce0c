// Tests disasm/go_defer.cc on the lab's Go cases (cases/go), built by the Go toolchain for
// amd64 and arm64: the defer mechanism the compiler chose, read from the instructions.
#include "disasm/go_defer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "disasm/selection.h"

namespace deferlab::disasm {
namespace {

struct GoBinary {
  const char* arch;
  const char* path;
};

class GoDeferTest : public ::testing::TestWithParam<GoBinary> {
 protected:
  void SetUp() override {
    // The CMake target deferlab_go builds both; a missing one is a build fault, not a skip.
    ASSERT_TRUE(std::filesystem::exists(GetParam().path)) << GetParam().path;
    file_ = open_object_file(GetParam().path);
    ASSERT_EQ(arch_info(file_->arch()).name, GetParam().arch);
  }
  AnnotatedFunction function(const std::string& name) {
    const Decoder decoder(file_->arch(), Syntax::kIntel);
    const std::vector<FunctionRange> ranges = select_by_name(*file_, {"deferlab/godefer." + name});
    EXPECT_EQ(ranges.size(), 1u) << name;
    return annotate(*file_, decoder, ranges.at(0), AllocNames::defaults(), nullptr);
  }
  GoDefers defers(const std::string& name) { return classify_go_defers(function(name)); }
  std::unique_ptr<ObjectFile> file_;
};

TEST_P(GoDeferTest, EightWrittenOutDefersAreOpenCoded) {
  for (const char* name : {"fixedDefersGoDefer1", "fixedDefersGoDefer4", "fixedDefersGoDefer8"}) {
    const GoDefers d = defers(name);
    EXPECT_TRUE(d.is_open_coded()) << name << ": " << d.mechanisms();
    EXPECT_EQ(d.deferproc_calls + d.deferproc_stack_calls, 0u) << name;  // no record at all
    EXPECT_GE(d.deferreturn_calls, 1u) << name;                          // the recovered-panic path
  }
}

TEST_P(GoDeferTest, NineDefersFallBackToStackRecords) {
  const GoDefers d = defers("fixedDefersGoDefer9");
  EXPECT_FALSE(d.is_open_coded());
  // One runtime.deferprocStack per defer statement, none through the heap path.
  EXPECT_EQ(d.deferproc_stack_calls, 9u);
  EXPECT_EQ(d.deferproc_calls, 0u);
  EXPECT_EQ(d.mechanisms(), "stack record");
}

TEST_P(GoDeferTest, DefersInALoopGoThroughDeferproc) {
  for (const char* name : {"loopDeferGoDefer", "loopDeferGoDeferClosure", "loopDeferGoDeferStatic",
                           "loopDeferGoDeferLoopvar"}) {
    const GoDefers d = defers(name);
    EXPECT_EQ(d.mechanisms(), "heap record") << name;
    EXPECT_EQ(d.deferproc_calls_in_loops, 1u) << name;
  }
}

// What allocates in a loop defer is the closure holding the call's arguments
// (runtime.newobject in the loop), not the record: the static variant has no such call.
TEST_P(GoDeferTest, TheClosureNotTheRecordIsAllocated) {
  EXPECT_EQ(defers("loopDeferGoDefer").heap_allocations_in_loops, 1u);
  EXPECT_EQ(defers("loopDeferGoDeferClosure").heap_allocations_in_loops, 1u);
  EXPECT_EQ(defers("loopDeferGoDeferStatic").heap_allocations, 0u);
  // The loop variable captured by reference is moved to the heap once, before the loop.
  const GoDefers loopvar = defers("loopDeferGoDeferLoopvar");
  EXPECT_EQ(loopvar.heap_allocations, 2u);
  EXPECT_EQ(loopvar.heap_allocations_in_loops, 1u);
}

// Five returns x four defers is over the 15 Go 1.19 open-codes.
TEST_P(GoDeferTest, EarlyReturnsTurnOpenCodingOff) {
  EXPECT_EQ(defers("errorPathGoDefer").mechanisms(), "stack record");
  EXPECT_EQ(defers("commitPathGoDefer").mechanisms(), "stack record");
  EXPECT_EQ(defers("exceptionPathGoDefer4").mechanisms(), "open-coded");
}

// The usual fix moves the defer into a function literal, where it is open-coded.
TEST_P(GoDeferTest, TheFunctionLiteralFixIsOpenCoded) {
  EXPECT_EQ(defers("loopDeferGoFuncLiteral").mechanisms(), "none");
  EXPECT_EQ(defers("loopDeferGoFuncLiteral.func1").mechanisms(), "open-coded");
  EXPECT_EQ(defers("loopDeferGoDeferUnwind").mechanisms(), "open-coded");
  std::vector<std::string> all;
  for (const Symbol& s : file_->functions()) all.push_back(s.name);
  const std::vector<std::string> literals =
      go_function_literals("deferlab/godefer.loopDeferGoFuncLiteral", all);
  EXPECT_NE(
      std::find(literals.begin(), literals.end(), "deferlab/godefer.loopDeferGoFuncLiteral.func1"),
      literals.end());
}

TEST_P(GoDeferTest, ManualCleanupHasNoDefer) {
  for (const char* name : {"loopDeferGoManual", "fixedDefersGoManual9", "errorPathGoManual"}) {
    const GoDefers d = defers(name);
    EXPECT_FALSE(d.has_defers()) << name;
    EXPECT_EQ(d.mechanisms(), "none") << name;
  }
}

TEST_P(GoDeferTest, TheBinaryIsAGoTestBinary) {
  EXPECT_TRUE(is_go_test_binary(GetParam().path));
}

INSTANTIATE_TEST_SUITE_P(Go, GoDeferTest,
                         ::testing::Values(GoBinary{"x86-64", DEFERLAB_GO_BINARY},
                                           GoBinary{"aarch64", DEFERLAB_GO_ARM64_BINARY}),
                         [](const auto& info) {
                           return std::string(info.param.arch) == "x86-64" ? "amd64" : "arm64";
                         });

TEST(GoDeferNamesTest, NonGoFilesAreNotGoTestBinaries) {
  EXPECT_FALSE(is_go_test_binary(FIXTURE_EXECUTABLE));
  EXPECT_FALSE(is_go_test_binary("/nonexistent/file"));
}

TEST(GoDeferNamesTest, LiteralsAreTheFunctionsNamedAfterIt) {
  const std::vector<std::string> all = {"p.f",        "p.f.func1", "p.f.func1.2",
                                        "p.fg.func1", "p.f.funcx", "p.g.func1"};
  EXPECT_EQ(go_function_literals("p.f", all),
            (std::vector<std::string>{"p.f.func1", "p.f.func1.2", "p.f.funcx"}));
}

}  // namespace
}  // namespace deferlab::disasm
