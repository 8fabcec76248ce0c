// DEFERLAB_SKIP(): GTEST_SKIP() that fails the test when the environment says CI=true.
//
//   if (!on_path("rustc")) DEFERLAB_SKIP() << "no Rust compiler (Debian: rustc)";
//
// A skipped test passes in ctest, so in CI a missing tool would silently turn a check
// off; tools/lab installs every tool the tests use, and .ci/run sets CI=true, so there a
// skip is a failure naming what was missing. On a developer's machine it stays a skip.
// A test that cannot apply to a build (the sanitizer build's lab binary is instrumented)
// is left out of that build at compile time instead: it never reaches a skip.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

namespace deferlab::test_support {

// True when CI is "true" or "1" (GitHub Actions, GitLab and most CI systems set CI=true).
inline bool skips_fail() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && (std::strcmp(ci, "true") == 0 || std::strcmp(ci, "1") == 0);
}

inline ::testing::TestPartResult::Type skip_result() {
  return skips_fail() ? ::testing::TestPartResult::kFatalFailure
                      : ::testing::TestPartResult::kSkip;
}

inline const char* skip_prefix() {
  return skips_fail() ? "skipped, and a skip fails when CI=true" : "";
}

}  // namespace deferlab::test_support

// One statement, like GTEST_SKIP(): returns from the test with the streamed message.
#define DEFERLAB_SKIP()                                          \
  return GTEST_MESSAGE_(::deferlab::test_support::skip_prefix(), \
                        ::deferlab::test_support::skip_result())
