// Tests disasm/decoder.cc and disasm/elf_file.cc against objdump: for every function of
// the fixture, of the system's libstdc++ and (when present) of the AArch64 libc, the
// instruction start addresses deferlab decodes are exactly those objdump -d prints.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "disasm/annotate.h"
#include "disasm/selection.h"
#include "harness/subprocess.h"
#include "tests/skip.h"

namespace deferlab::disasm {
namespace {

struct Target {
  const char* name;
  const char* path;
  const char* objdump;
};

std::set<std::uint64_t> objdump_addresses(const Target& t) {
  std::set<std::uint64_t> addresses;
  // -z: print zero-filled stretches instead of "...", so every instruction is listed.
  const ExitStatus status = run_process(
      {t.objdump, "-d", "-z", "--no-show-raw-insn", t.path},
      [&](std::string_view line) {
        // "   1139:\tpush   %rbp"
        std::size_t i = 0;
        while (i < line.size() && line[i] == ' ') ++i;
        const std::size_t colon = line.find(":\t", i);
        if (i == 0 || colon == std::string_view::npos) return;
        addresses.insert(std::stoull(std::string(line.substr(i, colon - i)), nullptr, 16));
      },
      nullptr);
  EXPECT_TRUE(status.succeeded()) << t.objdump << " " << status.describe();
  return addresses;
}

class BoundariesTest : public ::testing::TestWithParam<Target> {};

TEST_P(BoundariesTest, EveryInstructionStartsWhereObjdumpSays) {
  const Target& t = GetParam();
  if (!std::filesystem::exists(t.path)) DEFERLAB_SKIP() << t.path << " is not installed";
  if (std::system((std::string(t.objdump) + " --version > /dev/null 2>&1").c_str()) != 0) {
    DEFERLAB_SKIP() << t.objdump << " is not installed";
  }
  const std::set<std::uint64_t> reference = objdump_addresses(t);
  const std::unique_ptr<ObjectFile> file = open_object_file(t.path);
  const Decoder decoder(file->arch(), Syntax::kIntel);
  std::size_t functions = 0;
  std::size_t instructions = 0;
  std::size_t mismatches = 0;
  for (const CodeItem& item : all_code(*file)) {
    if (item.unnamed) continue;  // objdump restarts at symbols; compare what both name
    std::vector<Instruction> code;
    const Section* section = nullptr;
    for (const Section& s : file->sections()) {
      if (s.index == item.range.section) section = &s;
    }
    ASSERT_NE(section, nullptr);
    decoder.decode(file->section_bytes(*section).subspan(item.range.address - section->address,
                                                         item.range.size),
                   item.range.address, code);
    std::set<std::uint64_t> ours;
    for (const Instruction& in : code) ours.insert(in.address);
    const auto first = reference.lower_bound(item.range.address);
    const auto last = reference.lower_bound(item.range.address + item.range.size);
    const std::set<std::uint64_t> theirs(first, last);
    if (ours != theirs && mismatches++ < 5) {
      ADD_FAILURE() << item.range.demangled << " at 0x" << std::hex << item.range.address << ": "
                    << std::dec << ours.size() << " instructions here, " << theirs.size()
                    << " in objdump";
    }
    ++functions;
    instructions += code.size();
  }
  EXPECT_EQ(mismatches, 0u) << "of " << functions << " functions";
  EXPECT_GT(functions, 0u);
  RecordProperty("functions", static_cast<int>(functions));
  RecordProperty("instructions", static_cast<int>(instructions));
}

INSTANTIATE_TEST_SUITE_P(
    Binaries, BoundariesTest,
    ::testing::Values(Target{"fixture", FIXTURE_EXECUTABLE, "objdump"},
                      Target{"libstdcxx", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "objdump"},
                      Target{"aarch64_libc", "/usr/aarch64-linux-gnu/lib/libc.so.6",
                             "aarch64-linux-gnu-objdump"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace deferlab::disasm
