// Tests disasm/elf_file.cc on valid files (kinds, build id, symbols, PLT names) and on
// damaged ones: thousands of deterministic random corruptions of the fixture's headers,
// section table and symbol table must each end in a clean result or an Error, never a
// crash, a hang or an out-of-bounds read (the sanitizer build runs this too).
#include <elf.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "disasm/annotate.h"
#include "disasm/selection.h"
#include "harness/error.h"

namespace deferlab::disasm {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(ElfFileTest, ReadsTheFixture) {
  const std::unique_ptr<ObjectFile> file = open_object_file(FIXTURE_EXECUTABLE);
  EXPECT_EQ(file->arch(), Arch::kX86_64);
  EXPECT_EQ(file->kind(), "pie-executable");
  EXPECT_TRUE(file->has_symbol_table());
  EXPECT_FALSE(file->build_id().empty());
  bool leaf = false;
  for (const Symbol& f : file->functions()) leaf = leaf || (f.name == "fixture_leaf" && f.size > 0);
  EXPECT_TRUE(leaf);
  EXPECT_NE(file->open_line_table(), nullptr);  // built with -g
}

TEST(ElfFileTest, NamesPltStubs) {
  const std::unique_ptr<ObjectFile> file = open_object_file(FIXTURE_EXECUTABLE);
  bool malloc_stub = false;
  for (const Section& s : file->sections()) {
    for (std::uint64_t a = s.address; a < s.address + s.size; a += 4) {
      const auto name = file->plt_name(a);
      malloc_stub = malloc_stub || (name && *name == "malloc@plt");
    }
  }
  EXPECT_TRUE(malloc_stub);
}

TEST(ElfFileTest, ReadsARelocatableObject) {
  const std::unique_ptr<ObjectFile> file = open_object_file(FIXTURE_OBJECT);
  EXPECT_EQ(file->kind(), "relocatable");
  EXPECT_EQ(file->open_line_table(), nullptr);  // line tables of .o files are not relocated here
}

// Everything a user can ask of a file, so that every parser path runs.
void exercise(const std::string& path) {
  const std::unique_ptr<ObjectFile> file = open_object_file(path);
  const Decoder decoder(file->arch(), Syntax::kIntel);
  std::unique_ptr<LineTable> lines = file->open_line_table();
  for (const CodeItem& item : all_code(*file)) {
    if (item.unnamed) {
      for (const FunctionRange& r : split_unnamed(*file, decoder, item.range, 4096)) {
        (void)annotate(*file, decoder, r, AllocNames::defaults(), lines.get());
      }
    } else {
      (void)annotate(*file, decoder, item.range, AllocNames::defaults(), lines.get());
    }
  }
}

TEST(ElfFileTest, RandomCorruptionsEndInAResultOrAnError) {
  const std::vector<std::uint8_t> original = read_bytes(FIXTURE_EXECUTABLE);
  ASSERT_GT(original.size(), sizeof(Elf64_Ehdr));
  Elf64_Ehdr header;
  std::memcpy(&header, original.data(), sizeof header);
  // Where the structures are: the ELF header, the section header table, and every byte of
  // the section table's metadata-carrying sections (symbols, strings, relocations).
  std::vector<std::pair<std::size_t, std::size_t>> regions = {
      {0, sizeof(Elf64_Ehdr)},
      {header.e_shoff, static_cast<std::size_t>(header.e_shnum) * sizeof(Elf64_Shdr)}};
  for (std::size_t i = 0; i < header.e_shnum; ++i) {
    Elf64_Shdr s;
    std::memcpy(&s, original.data() + header.e_shoff + i * sizeof(Elf64_Shdr), sizeof s);
    if (s.sh_type == SHT_SYMTAB || s.sh_type == SHT_DYNSYM || s.sh_type == SHT_STRTAB ||
        s.sh_type == SHT_RELA || s.sh_type == SHT_NOTE) {
      regions.emplace_back(s.sh_offset, s.sh_size);
    }
  }
  const fs::path path = fs::path(::testing::TempDir()) / "deferlab-corrupt.elf";
  std::mt19937_64 random(0x5eed);
  int errors = 0;
  int parsed = 0;
  constexpr int kRounds = 400;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::uint8_t> bytes = original;
    const int flips = 1 + static_cast<int>(random() % 4);
    for (int k = 0; k < flips; ++k) {
      const auto& [offset, size] = regions[random() % regions.size()];
      if (size == 0) continue;
      const std::size_t at = offset + random() % size;
      switch (random() % 3) {
        case 0:
          bytes[at] = static_cast<std::uint8_t>(random());
          break;  // any value
        case 1:
          bytes[at] = 0xff;
          break;  // huge
        default:
          bytes[at] ^= static_cast<std::uint8_t>(1u << (random() % 8));
          break;
      }
    }
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    try {
      exercise(path.string());
      ++parsed;
    } catch (const Error&) {
      ++errors;  // a clean refusal
    }
    // Any other exception fails the test by escaping; a crash or overflow stops it.
  }
  EXPECT_EQ(parsed + errors, kRounds);
  EXPECT_GT(errors, 0);  // the corruptions do reach the checks
  RecordProperty("refused", errors);
}

}  // namespace
}  // namespace deferlab::disasm
