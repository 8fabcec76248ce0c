// Runs the deferlab command line for the tools tests and captures what it printed.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace deferlab::tools::testing {

struct CliResult {
  int exit_code = -1;
  std::vector<std::string> out;  // stdout lines
  std::vector<std::string> err;  // stderr lines

  std::string out_text() const;
  std::string err_text() const;
};

// Runs the deferlab binary with `args`, in `cwd` when given.
CliResult run_deferlab(const std::vector<std::string>& args, const std::filesystem::path& cwd = {});

// A fresh empty directory under the test's temporary directory.
std::filesystem::path fresh_directory(const std::string& name);

}  // namespace deferlab::tools::testing
