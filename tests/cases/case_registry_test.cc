// Tests cases/case_registry.cc: the manifest names real, exported hot functions at the
// right source lines, benchmark names follow <scenario>/<strategy>/<param>, and every cell
// of the grid is a case or an omission with a reason.
#include "cases/case_registry.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace deferlab::cases {
namespace {

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(CaseRegistryTest, ManifestHasTheSchemaAndEveryCase) {
  const nlohmann::json m = manifest();
  EXPECT_EQ(m.at("schema"), "deferlab.cases/1");
  EXPECT_EQ(m.at("cases").size(), all_cases().size());
  EXPECT_FALSE(all_cases().empty());
}

TEST(CaseRegistryTest, BenchmarkNamesAreUniqueAndWellFormed) {
  // Three parts of [a-z0-9_], the first two starting with a letter.
  auto is_well_formed = [](const std::string& name) {
    int parts = 1;
    bool part_start = true;
    for (char ch : name) {
      if (ch == '/') {
        if (part_start) return false;  // empty part
        ++parts;
        part_start = true;
        continue;
      }
      const bool letter = ch >= 'a' && ch <= 'z';
      const bool digit_or_underscore = (ch >= '0' && ch <= '9') || ch == '_';
      if (!letter && !(digit_or_underscore && (parts == 3 || !part_start))) return false;
      part_start = false;
    }
    return parts == 3 && !part_start;
  };
  std::set<std::string> names;
  for (const Case* c : all_cases()) {
    const std::string name = c->benchmark_name();
    EXPECT_TRUE(is_well_formed(name)) << name;
    EXPECT_TRUE(names.insert(name).second) << "duplicate " << name;
  }
}

// The hot symbol is the function the case calls: exported, demangled, and defined at the
// recorded line of the recorded file.
TEST(CaseRegistryTest, HotSymbolsAndSourceLinesAreReal) {
  const nlohmann::json m = manifest();
  for (const nlohmann::json& c : m.at("cases")) {
    SCOPED_TRACE(c.at("id").get<std::string>());
    const std::string mangled = c.at("hot_symbol").at("mangled");
    const std::string demangled = c.at("hot_symbol").at("demangled");
    ASSERT_FALSE(mangled.empty());
    EXPECT_EQ(mangled.rfind("_ZN8deferlab5cases3hot", 0), 0u);
    // "deferlab::cases::hot::loop_defer_heap_defer(...)" -> "loop_defer_heap_defer"
    const std::string prefix = "deferlab::cases::hot::";
    ASSERT_EQ(demangled.find(prefix), demangled.find("deferlab::"));
    std::string function = demangled.substr(demangled.find(prefix) + prefix.size());
    function = function.substr(0, function.find_first_of("<("));
    const std::string file = c.at("source").at("file");
    const int line = c.at("source").at("line");
    const std::vector<std::string> lines =
        read_lines(std::string(DEFERLAB_SOURCE_DIR) + "/" + file);
    ASSERT_GE(line, 1);
    ASSERT_LE(line, static_cast<int>(lines.size())) << file;
    // The line is the function's first line, or its `template` line right above it.
    const std::string here = lines[line - 1];
    const std::string next = line < static_cast<int>(lines.size()) ? lines[line] : "";
    const bool names_function =
        here.find(" " + function + "(") != std::string::npos ||
        (here.rfind("template", 0) == 0 && next.find(" " + function + "(") != std::string::npos);
    EXPECT_TRUE(names_function) << file << ":" << line << ": " << here;
  }
}

TEST(CaseRegistryTest, ClosestFormsSayWhy) {
  for (const Case* c : all_cases()) {
    if (c->header.fidelity == Fidelity::kClosestForm) {
      EXPECT_NE(c->header.notes.find("closest form"), std::string::npos) << c->benchmark_name();
    }
  }
}

TEST(CaseRegistryTest, EveryScenarioListsItsParamsInOrder) {
  const nlohmann::json m = manifest();
  std::map<std::string, std::vector<std::string>> params;
  for (const nlohmann::json& s : m.at("scenarios")) {
    params[s.at("name")] = s.at("params").get<std::vector<std::string>>();
  }
  EXPECT_EQ(params.at("loop_defer"), (std::vector<std::string>{"1", "8", "16", "64", "1024"}));
  EXPECT_EQ(params.at("fixed_defers"), (std::vector<std::string>{"1", "4", "8", "9"}));
  EXPECT_EQ(params.at("error_path"),
            (std::vector<std::string>{"none", "0", "2", "3", "commit", "rollback_2"}));
  EXPECT_EQ(params.at("exception_path"), (std::vector<std::string>{"1", "4"}));
  EXPECT_EQ(params.at("capture_size"),
            (std::vector<std::string>{"8", "16", "24", "32", "shared_ptr", "string"}));
}

}  // namespace
}  // namespace deferlab::cases
