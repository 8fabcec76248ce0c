// Tests tools/profile_command.cc and `deferlab disasm --counts` (tools/counts_join.cc)
// through the deferlab binary, on a Google Benchmark binary that links nothing of
// deferlab: the table, the heat column from a profile and from raw callgrind output, and
// bad input as exit code 2 with one line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "tests/tools/cli_test_support.h"
#include "tests/skip.h"

namespace deferlab::tools::testing {
namespace {

namespace fs = std::filesystem;

bool can_profile() {
  return DEFERLAB_SANITIZED_BUILD == 0 && std::system("valgrind --version > /dev/null 2>&1") == 0;
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// Every instruction of every function of a deferlab.disasm/1 document (the glob selects
// the function and its .cold part).
std::vector<nlohmann::json> instructions_of(const std::string& document) {
  std::vector<nlohmann::json> out;
  const nlohmann::json doc = nlohmann::json::parse(document);
  for (const nlohmann::json& f : doc.at("functions")) {
    for (const nlohmann::json& insn : f["instructions"]) out.push_back(insn);
  }
  return out;
}

// One profile of two benchmarks (64 nops and none, 1 MiB of setup each), as JSON, with
// callgrind's own files kept.
class ProfileCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!can_profile()) return;
    dir_ = new fs::path(fresh_directory("profile-command"));
    result_ = new CliResult(run_deferlab(
        {"profile", PROFILE_FIXTURE_BENCH, "--filter", "BM_Nops<(0|64)>/1048576$", "-f", "json",
         "-o", (*dir_ / "profile.json").string(), "--callgrind-dir", (*dir_ / "raw").string()}));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete dir_;
  }
  void SetUp() override {
    if (!can_profile()) DEFERLAB_SKIP() << "needs valgrind and a build without sanitizers";
    ASSERT_EQ(result_->exit_code, 0) << result_->err_text();
  }
  static fs::path* dir_;
  static CliResult* result_;
};
fs::path* ProfileCommand::dir_ = nullptr;
CliResult* ProfileCommand::result_ = nullptr;

TEST_F(ProfileCommand, WritesTheDocumentAndSaysWhatItDidOnStderr) {
  const nlohmann::json doc = read_json(*dir_ / "profile.json");
  EXPECT_EQ(doc["schema"], "deferlab.profile/1");
  ASSERT_EQ(doc["benchmarks"].size(), 2u);
  const nlohmann::json& k0 = doc["benchmarks"][0];
  const nlohmann::json& k64 = doc["benchmarks"][1];
  EXPECT_EQ(k64["per_iteration"]["instructions"].get<long>() -
                k0["per_iteration"]["instructions"].get<long>(),
            64);
  EXPECT_EQ(k64["allocations_per_iteration"]["by_function"]["_Znwm"], 1);
  EXPECT_NE(result_->err_text().find("deferlab: profiled 2 benchmarks (2 exact"), std::string::npos)
      << result_->err_text();
}

TEST_F(ProfileCommand, PrintsATableWithTheFormulaAndReasons) {
  const CliResult r =
      run_deferlab({"profile", PROFILE_FIXTURE_BENCH, "--filter", "BM_Nops<64>/|BM_Paused"});
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  const std::string out = r.out_text();
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(\nBM_Nops<64>/1048576 +\d+ +\d+ .* 1  yes\n)")))
      << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(\nBM_Paused +- +- .* -  no \*\n)"))) << out;
  EXPECT_NE(out.find("L1 hits + 5 x LL hits + 35 x RAM hits"), std::string::npos);
  EXPECT_NE(out.find("* BM_Paused: pauses the timer"), std::string::npos);
}

// The heat column of the nops: each ran once per iteration.
TEST_F(ProfileCommand, DisasmShowsExecutionsPerIterationFromTheProfile) {
  const CliResult text = run_deferlab({"disasm", PROFILE_FIXTURE_BENCH, "-s", "*BM_Nops<64>*",
                                       "--counts", (*dir_ / "profile.json").string()});
  ASSERT_EQ(text.exit_code, 0) << text.err_text();
  EXPECT_NE(
      text.out_text().find("heat: executions per iteration of BM_Nops<64>/1048576 (profile.json)"),
      std::string::npos)
      << text.out_text();
  const std::regex nop_once(R"(^ +1 +\|? +0x[0-9a-f]+ +90 +nop$)");
  int nops = 0;
  for (const std::string& line : text.out) nops += std::regex_search(line, nop_once) ? 1 : 0;
  EXPECT_EQ(nops, 64) << text.out_text();

  const CliResult json = run_deferlab({"disasm", PROFILE_FIXTURE_BENCH, "-s", "*BM_Nops<64>*", "-f",
                                       "json", "--counts", (*dir_ / "profile.json").string()});
  ASSERT_EQ(json.exit_code, 0) << json.err_text();
  int counted = 0;
  for (const nlohmann::json& insn : instructions_of(json.out_text())) {
    if (insn["mnemonic"] == "nop" && insn.value("executions_per_iteration", 0.0) == 1) ++counted;
  }
  EXPECT_EQ(counted, 64);
}

// Raw callgrind output: every loop record summed, so each nop ran once per iteration of
// every call the profile saw.
TEST_F(ProfileCommand, DisasmShowsExecutionsFromCallgrindOutput) {
  const nlohmann::json doc = read_json(*dir_ / "profile.json");
  std::uint64_t iterations = 0;
  for (const nlohmann::json& n : doc["benchmarks"][1]["calls"])
    iterations += n.get<std::uint64_t>();
  bool found = false;
  for (const fs::directory_entry& raw : fs::directory_iterator(*dir_ / "raw")) {
    const CliResult r = run_deferlab({"disasm", PROFILE_FIXTURE_BENCH, "-s", "*BM_Nops<64>*", "-f",
                                      "json", "--counts", raw.path().string()});
    if (r.exit_code != 0) continue;  // the calibration's file has no counts for this binary
    int nops = 0;
    for (const nlohmann::json& insn : instructions_of(r.out_text())) {
      if (insn["mnemonic"] != "nop" || !insn.contains("executions")) continue;
      if (insn["executions"] == iterations) ++nops;
    }
    found = found || nops == 64;
  }
  EXPECT_TRUE(found) << "no callgrind file gave each nop " << iterations << " executions";
}

TEST_F(ProfileCommand, AsksWhichBenchmarkWhenSeveralRanTheFunction) {
  const fs::path path = *dir_ / "both.json";
  const CliResult made = run_deferlab({"profile", PROFILE_FIXTURE_BENCH, "--filter", "BM_Nops<0>/",
                                       "-f", "json", "-o", path.string()});
  ASSERT_EQ(made.exit_code, 0) << made.err_text();
  const CliResult r = run_deferlab(
      {"disasm", PROFILE_FIXTURE_BENCH, "-s", "*BM_Nops<0>*", "--counts", path.string()});
  EXPECT_EQ(r.exit_code, 2);
  ASSERT_EQ(r.err.size(), 1u) << r.err_text();
  EXPECT_NE(r.err[0].find("several benchmarks ran this function: BM_Nops<0>/0, BM_Nops<0>/1048576"),
            std::string::npos)
      << r.err[0];
  const CliResult picked = run_deferlab({"disasm", PROFILE_FIXTURE_BENCH, "-s", "*BM_Nops<0>*",
                                         "--counts", path.string(), "--benchmark", "BM_Nops<0>/0"});
  EXPECT_EQ(picked.exit_code, 0) << picked.err_text();
  EXPECT_NE(picked.out_text().find("heat: executions per iteration of BM_Nops<0>/0"),
            std::string::npos);
}

struct BadCounts {
  const char* name;
  const char* content;
  const char* message;
};

void PrintTo(const BadCounts& b, std::ostream* os) {
  *os << b.name;
}

class BadCountsFile : public ::testing::TestWithParam<BadCounts> {};

TEST_P(BadCountsFile, IsExitCodeTwoWithOneLine) {
  const fs::path path = fresh_directory("bad-counts") / GetParam().name;
  std::ofstream(path) << GetParam().content;
  const CliResult r = run_deferlab(
      {"disasm", PROFILE_FIXTURE_BENCH, "-s", "*BM_Nops<0>*", "--counts", path.string()});
  EXPECT_EQ(r.exit_code, 2);
  ASSERT_EQ(r.err.size(), 1u) << r.err_text();
  EXPECT_EQ(r.err[0].rfind("deferlab: error: ", 0), 0u) << r.err[0];
  EXPECT_NE(r.err[0].find(GetParam().message), std::string::npos) << r.err[0];
}

INSTANTIATE_TEST_SUITE_P(
    Files, BadCountsFile,
    ::testing::Values(
        BadCounts{"text", "hello world\n", "not a callgrind line ("},
        BadCounts{"truncated", "events: Ir\npositions: instr\nfn=(1) f\ncfn=(2) g\ncalls=1 0x10\n",
                  "the file ends after calls="},
        BadCounts{"no_addresses", "events: Ir\nfn=f\n12 4\n", "no instruction addresses"},
        BadCounts{"other_binary", "events: Ir\npositions: instr\nob=/bin/other\nfn=f\n0x10 4\n",
                  "has no counts for"},
        BadCounts{"bad_json", "{\"schema\": ", "not valid JSON"},
        BadCounts{"other_schema", "{\"schema\": \"deferlab.disasm/1\"}",
                  "not a deferlab.profile/1"},
        BadCounts{
            "bad_address",
            "{\"schema\":\"deferlab.profile/1\",\"benchmarks\":[{\"name\":\"b\",\"hot_functions\":"
            "[{\"object\":\"" PROFILE_FIXTURE_BENCH "\",\"instructions\":[{\"address\":\"12\","
            "\"per_iteration\":1}]}]}]}",
            "an address must be a hex string"}),
    [](const ::testing::TestParamInfo<BadCounts>& info) { return std::string(info.param.name); });

TEST(ProfileCommandInput, RefusesWhatIsNotABenchmarkBinary) {
  CliResult r = run_deferlab({"profile", "/nonexistent/bench"});
  EXPECT_EQ(r.exit_code, 2);
  ASSERT_EQ(r.err.size(), 1u);
  EXPECT_NE(r.err[0].find("not an executable file (/nonexistent/bench)"), std::string::npos);
  // The rest runs valgrind, which cannot run the sanitizer build's binaries.
  if (DEFERLAB_SANITIZED_BUILD) return;
  if (!can_profile()) DEFERLAB_SKIP() << "needs valgrind";
  r = run_deferlab({"profile", PROFILE_FIXTURE_BENCH, "--filter", "no_such_benchmark"});
  EXPECT_EQ(r.exit_code, 2);
  ASSERT_FALSE(r.err.empty());
  EXPECT_NE(r.err.back().find("the filter selects no benchmark"), std::string::npos)
      << r.err_text();
}

}  // namespace
}  // namespace deferlab::tools::testing
