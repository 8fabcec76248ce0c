// Tests tests/skip.h: a DEFERLAB_SKIP() is a skip on a developer's machine and a failure
// when CI=true. Not discovered as a test itself (it always skips); tests/CMakeLists.txt
// runs it once with CI=true, where it must fail, and once without CI, where it must skip.
#include "tests/skip.h"

#include <gtest/gtest.h>

namespace {

TEST(SkipTest, AForcedSkip) {
  DEFERLAB_SKIP() << "forced by tests/skip_test.cc";
  ADD_FAILURE() << "DEFERLAB_SKIP() did not end the test";
}

}  // namespace
