// Tests harness/alloc_hook.cc against an independent counter: the allocations valgrind's
// memcheck sees a case add (its "total heap usage" with the case run, minus without)
// equal the hook's count for that call. Runs when valgrind is installed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <string>

#include "harness/subprocess.h"
#include "tests/skip.h"

namespace deferlab {
namespace {

struct ProbeResult {
  long long valgrind_allocs = -1;
  long long hook_allocs = -1;
};

ProbeResult probe(const std::string& mode, const std::string& case_id) {
  ProbeResult result;
  const std::regex total(R"(total heap usage: ([0-9,]+) allocs)");
  const std::regex hook(R"(hook_allocs=([0-9]+))");
  run_process(
      // nouserintercepts: memcheck must not replace the program's own operator new (the
      // hook), only count the malloc calls the hook makes.
      {"valgrind", "--leak-check=no", "--soname-synonyms=somalloc=nouserintercepts", VALGRIND_PROBE,
       mode, case_id},
      [&](std::string_view line) {
        std::smatch m;
        const std::string text(line);
        if (std::regex_search(text, m, hook)) result.hook_allocs = std::stoll(m[1]);
      },
      [&](std::string_view line) {
        std::smatch m;
        std::string text(line);
        if (std::regex_search(text, m, total)) {
          std::string digits = m[1];
          std::erase(digits, ',');
          result.valgrind_allocs = std::stoll(digits);
        }
      });
  return result;
}

bool has_valgrind() {
  return std::system("valgrind --version > /dev/null 2>&1") == 0;
}

class ValgrindTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ValgrindTest, HookCountEqualsValgrindCount) {
#if defined(__SANITIZE_ADDRESS__)
  // Not registered in the sanitizer build (tests/harness/CMakeLists.txt).
  DEFERLAB_SKIP() << "valgrind cannot run AddressSanitizer binaries";
#endif
  if (!has_valgrind()) DEFERLAB_SKIP() << "valgrind is not installed";
  const ProbeResult with = probe("run", GetParam());
  const ProbeResult without = probe("none", GetParam());
  ASSERT_GE(with.valgrind_allocs, 0) << "no heap summary from valgrind";
  ASSERT_GE(without.valgrind_allocs, 0);
  ASSERT_GE(with.hook_allocs, 0);
  EXPECT_EQ(with.valgrind_allocs - without.valgrind_allocs, with.hook_allocs);
  EXPECT_EQ(without.hook_allocs, 0);
}

INSTANTIATE_TEST_SUITE_P(Cases, ValgrindTest,
                         ::testing::Values("loop_defer/heap_defer/64",
                                           "capture_size/std_function_guard/string",
                                           "error_path/heap_defer/rollback_2"));

}  // namespace
}  // namespace deferlab
