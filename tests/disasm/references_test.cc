// Tests disasm/references.cc and disasm/symbol_index.cc against objdump: every PC-relative
// operand objdump -d names (x86-64 "# 1025c0 <sym+0x1b0>", AArch64 "adrp x0, 4a0000
// <sym+0x30>") deferlab resolves to the same address and names after the same symbol and
// offset, in the lab binary, the system's libstdc++ (every 8th function, to stay fast)
// and the AArch64 libc. Version suffixes (@@GLIBCXX_3.4) are compared without.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "disasm/annotate.h"
#include "disasm/names.h"
#include "disasm/selection.h"
#include "harness/subprocess.h"
#include "tests/skip.h"

namespace deferlab::disasm {
namespace {

struct Target {
  const char* name;
  const char* path;
  const char* objdump;
  std::size_t every;  // compare every Nth function
};

struct Named {
  std::uint64_t address = 0;
  std::string symbol;  // without a version suffix
  std::int64_t offset = 0;
};

std::string without_version(const std::string& name) {
  return name.substr(0, name.find('@'));
}

// "1025c0 <_ZZN..._tag+0x1b0>" -> {0x1025c0, "_ZZN..._tag", 0x1b0}
std::optional<Named> parse_named(std::string_view text) {
  const std::size_t open = text.find(" <");
  if (open == std::string_view::npos || text.back() != '>') return std::nullopt;
  Named n;
  std::size_t digits = open;
  while (digits > 0 && std::isxdigit(static_cast<unsigned char>(text[digits - 1]))) --digits;
  if (digits == open) return std::nullopt;
  n.address = std::stoull(std::string(text.substr(digits, open - digits)), nullptr, 16);
  std::string name(text.substr(open + 2, text.size() - open - 3));
  const std::size_t sign = name.find_last_of("+-");
  if (sign != std::string::npos && name.compare(sign + 1, 2, "0x") == 0) {
    const std::int64_t offset = std::stoll(name.substr(sign + 3), nullptr, 16);
    n.offset = name[sign] == '-' ? -offset : offset;
    name.resize(sign);
  }
  n.symbol = without_version(name);
  return n;
}

// Instruction address -> what objdump names its PC-relative operand.
std::map<std::uint64_t, Named> objdump_references(const Target& t, bool aarch64) {
  std::map<std::uint64_t, Named> out;
  const ExitStatus status = run_process(
      {t.objdump, "-d", "--no-show-raw-insn", t.path},
      [&](std::string_view line) {
        // "   95f52:\tlea    rbp,[rip+0x6c667]        # 1025c0 <sym+0x1b0>"
        // "  4a1234:\tadrp\tx0, 4b0000 <sym+0x30>"
        std::size_t i = 0;
        while (i < line.size() && line[i] == ' ') ++i;
        const std::size_t colon = line.find(":\t", i);
        if (i == 0 || colon == std::string_view::npos) return;
        const std::string_view insn = line.substr(colon + 2);
        std::string_view named;
        if (!aarch64) {
          const std::size_t hash = insn.find("# ");
          if (hash == std::string_view::npos) return;
          named = insn.substr(hash + 2);
        } else {
          const std::size_t tab = insn.find('\t');
          const std::string_view mnemonic = insn.substr(0, tab);
          if (mnemonic != "adrp" && mnemonic != "adr" && mnemonic != "ldr") return;
          const std::size_t comma = insn.rfind(", ");
          if (comma == std::string_view::npos) return;
          named = insn.substr(comma + 2);
        }
        if (const auto n = parse_named(named)) {
          out[std::stoull(std::string(line.substr(i, colon - i)), nullptr, 16)] = *n;
        }
      },
      nullptr);
  EXPECT_TRUE(status.succeeded()) << t.objdump << " " << status.describe();
  return out;
}

// Addresses objdump may name by the dynamic relocation stored there instead of a symbol
// (a vtable slot by the function it points to): deferlab names the symbol, by design.
// `relative`: the GOT slots of a PIE filled by a *_RELATIVE relocation (a function the
// binary defines itself): objdump has no symbol for the slot and names the one before it
// (`_DYNAMIC+0x268`); deferlab names the function the slot holds, by design.
struct DynamicRelocations {
  std::set<std::uint64_t> symbolic;
  std::set<std::uint64_t> relative;
};

DynamicRelocations dynamic_relocations(const Target& t) {
  DynamicRelocations out;
  run_process(
      {t.objdump, "-R", t.path},
      [&](std::string_view line) {
        const std::size_t space = line.find(' ');
        if (space != 16) return;
        const std::uint64_t address = std::stoull(std::string(line.substr(0, space)), nullptr, 16);
        (line.find("_RELATIVE") != std::string_view::npos ? out.relative : out.symbolic)
            .insert(address);
      },
      nullptr);
  return out;
}

class ReferencesTest : public ::testing::TestWithParam<Target> {};

TEST_P(ReferencesTest, NamedAsObjdumpNamesThem) {
  const Target& t = GetParam();
  if (!std::filesystem::exists(t.path)) DEFERLAB_SKIP() << t.path << " is not installed";
  if (std::system((std::string(t.objdump) + " --version > /dev/null 2>&1").c_str()) != 0) {
    DEFERLAB_SKIP() << t.objdump << " is not installed";
  }
  const std::unique_ptr<ObjectFile> file = open_object_file(t.path);
  const bool aarch64 = file->arch() == Arch::kAArch64;
  const std::map<std::uint64_t, Named> theirs = objdump_references(t, aarch64);
  const DynamicRelocations relocated = dynamic_relocations(t);
  const Decoder decoder(file->arch(), Syntax::kIntel);
  std::size_t compared = 0, by_relocation = 0, mismatches = 0, k = 0;
  for (const Symbol& symbol : file->functions()) {
    if (k++ % t.every != 0) continue;
    const AnnotatedFunction f =
        annotate(*file, decoder, range_of(*file, symbol), AllocNames::defaults(), nullptr);
    for (const AnnotatedInstruction& a : f.instructions) {
      const auto it = theirs.find(a.insn.address);
      if (it == theirs.end() || (a.tags & kTagCall)) continue;  // calls name their callee
      const Named& want = it->second;
      if (!a.reference_target) {
        if (mismatches++ < 5) ADD_FAILURE() << std::hex << a.insn.address << ": not resolved";
        continue;
      }
      const Reference& got = *a.reference_target;
      const bool renamed = want.symbol != without_version(got.symbol);
      if (renamed &&
          ((!got.got && relocated.symbolic.contains(want.address)) ||
           (got.got && got.address == want.address && relocated.relative.contains(want.address)))) {
        ++by_relocation;
        continue;
      }
      const bool same = got.address == want.address && without_version(got.symbol) == want.symbol &&
                        (got.got || got.offset == want.offset);
      if (!same && mismatches++ < 5) {
        ADD_FAILURE() << f.range.demangled << " at 0x" << std::hex << a.insn.address
                      << ": objdump 0x" << want.address << " <" << want.symbol << "+0x"
                      << want.offset << ">, deferlab 0x" << got.address << " <" << got.symbol
                      << "+0x" << got.offset << (got.got ? " GOT" : "") << ">";
      }
      ++compared;
    }
  }
  EXPECT_EQ(mismatches, 0u) << "of " << compared << " references compared";
  EXPECT_GT(compared, 100u);
  RecordProperty("compared", static_cast<int>(compared));
  RecordProperty("named_by_relocation", static_cast<int>(by_relocation));
}

INSTANTIATE_TEST_SUITE_P(
    Binaries, ReferencesTest,
    ::testing::Values(Target{"lab", LAB_BINARY, "objdump", 1},
                      Target{"libstdcxx", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "objdump", 8},
                      Target{"aarch64_libc", "/usr/aarch64-linux-gnu/lib/libc.so.6",
                             "aarch64-linux-gnu-objdump", 4}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace deferlab::disasm
