// Approved-output checks: compare with tests/disasm/golden/NAME. The test never writes
// there: on a difference it keeps what it got in GOLDEN_RECEIVED_DIR/NAME (the build
// tree), and approving it is a separate, explicit step, `tools/lab approve`, which shows
// the diff and copies the received file over the golden one for review and commit.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace deferlab::disasm {

inline void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(GOLDEN_DIR) + "/" + name;
  const std::filesystem::path received = std::filesystem::path(GOLDEN_RECEIVED_DIR) / name;
  std::ifstream in(path, std::ios::binary);
  std::stringstream expected;
  expected << in.rdbuf();
  std::error_code ec;
  if (in && actual == expected.str()) {
    std::filesystem::remove(received, ec);  // approved: nothing left to review
    return;
  }
  std::filesystem::create_directories(received.parent_path(), ec);
  std::ofstream(received, std::ios::binary) << actual;
  ASSERT_TRUE(in) << "no golden file " << path << "; the output is in " << received
                  << ": review it, then approve it with tools/lab approve";
  EXPECT_EQ(actual, expected.str()) << "differs from " << path << "; the output is in "
                                    << received << ": if the change is right, approve it "
                                    << "with tools/lab approve";
}

}  // namespace deferlab::disasm
