// Approved-output checks: compare with tests/disasm/golden/NAME, or rewrite it when
// DEFERLAB_UPDATE_GOLDEN=1 is set (review the diff before committing it).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace deferlab::disasm {

inline void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(GOLDEN_DIR) + "/" + name;
  if (const char* update = std::getenv("DEFERLAB_UPDATE_GOLDEN"); update && update[0] == '1') {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "no golden file " << path << "; create it with DEFERLAB_UPDATE_GOLDEN=1";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "differs from " << path;
}

}  // namespace deferlab::disasm
