// Tests disasm/elf_file.cc on valid files (kinds, build id, symbols, PLT names) and on
// damaged ones: hundreds of deterministic random corruptions of the fixture's headers,
// section table and symbol table must each end in an Error or in a result that matches
// the file's bytes, never a crash, a hang or an out-of-bounds read (the sanitizer build
// runs this too).
#include <elf.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "common/error.h"
#include "disasm/annotate.h"
#include "disasm/selection.h"

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

// The section header `index` of `bytes`, read here without the reader under test; null
// when the table or the header lies outside the file.
const Elf64_Shdr* section_header(const std::vector<std::uint8_t>& bytes, std::size_t index) {
  if (bytes.size() < sizeof(Elf64_Ehdr)) return nullptr;
  Elf64_Ehdr e;
  std::memcpy(&e, bytes.data(), sizeof e);
  std::uint64_t count = e.e_shnum;
  if (count == 0 && e.e_shoff != 0 && e.e_shoff + sizeof(Elf64_Shdr) <= bytes.size()) {
    count = reinterpret_cast<const Elf64_Shdr*>(bytes.data() + e.e_shoff)->sh_size;  // extended
  }
  if (index >= count || e.e_shentsize != sizeof(Elf64_Shdr)) return nullptr;
  const std::uint64_t at = e.e_shoff + index * sizeof(Elf64_Shdr);
  if (at < e.e_shoff || at + sizeof(Elf64_Shdr) > bytes.size()) return nullptr;
  return reinterpret_cast<const Elf64_Shdr*>(bytes.data() + at);
}

// Everything a user can ask of a file, so that every parser path runs; and, for a file the
// reader accepts, that what it read is what the file holds: every code section's bytes are
// the file's bytes where that section's header says (inside the file), every function lies
// inside its section, and every decoded instruction's bytes are the section's bytes at its
// address. A reader that let a corrupted offset through (reading past the file, or the
// wrong bytes) fails here even where the sanitizers see nothing: the bytes past the end of
// a mapped file are zeros, not a fault.
void exercise(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  const std::unique_ptr<ObjectFile> file = open_object_file(path);
  for (const Section& s : file->sections()) {
    if (!s.executable) continue;
    const Elf64_Shdr* h = section_header(bytes, s.index);
    ASSERT_NE(h, nullptr) << "section " << s.name << " accepted without a header in the file";
    ASSERT_LE(h->sh_offset, bytes.size()) << s.name;
    ASSERT_LE(h->sh_size, bytes.size() - h->sh_offset) << s.name << " runs past the file";
    const std::span<const std::uint8_t> code = file->section_bytes(s);
    ASSERT_EQ(code.size(), h->sh_size) << s.name;
    EXPECT_TRUE(std::equal(code.begin(), code.end(), bytes.begin() + h->sh_offset)) << s.name;
  }
  for (const Symbol& f : file->functions()) {
    const auto in = std::find_if(file->sections().begin(), file->sections().end(),
                                 [&](const Section& s) { return s.index == f.section; });
    // A function of an executable section without code bytes (a corrupted .text type) is
    // listed, and refused when selected ("not in an executable section").
    if (in == file->sections().end()) continue;
    EXPECT_GE(f.address, in->address) << f.name;
    EXPECT_LE(f.address - in->address, in->size) << f.name;
    EXPECT_LE(f.size, in->size - (f.address - in->address)) << f.name;
  }
  const Decoder decoder(file->arch(), Syntax::kIntel);
  std::unique_ptr<LineTable> lines = file->open_line_table();
  const auto check = [&](const AnnotatedFunction& f) {
    const auto in = std::find_if(file->sections().begin(), file->sections().end(),
                                 [&](const Section& s) { return s.index == f.range.section; });
    ASSERT_NE(in, file->sections().end()) << f.range.name;
    const std::span<const std::uint8_t> code = file->section_bytes(*in);
    for (const AnnotatedInstruction& a : f.instructions) {
      ASSERT_GE(a.insn.address, f.range.address) << f.range.name;
      ASSERT_LE(a.insn.address + a.insn.size, f.range.address + f.range.size) << f.range.name;
      const std::uint64_t offset = a.insn.address - in->address;
      ASSERT_LE(offset + a.insn.size, code.size()) << f.range.name;
      EXPECT_TRUE(std::equal(a.insn.bytes.begin(), a.insn.bytes.begin() + a.insn.size,
                             code.begin() + static_cast<std::ptrdiff_t>(offset)))
          << f.range.name << " at " << a.insn.address;
    }
  };
  for (const CodeItem& item : all_code(*file)) {
    if (item.unnamed) {
      for (const FunctionRange& r : split_unnamed(*file, decoder, item.range, 4096)) {
        check(annotate(*file, decoder, r, AllocNames::defaults(), lines.get()));
      }
    } else {
      check(annotate(*file, decoder, item.range, AllocNames::defaults(), lines.get()));
    }
  }
}

// all_code_spans() is all_code() without the names: a span, named by range_of_span(),
// is the item all_code() gives, field by field.
TEST(ElfFileTest, CodeSpansNameWhatAllCodeNames) {
  const std::unique_ptr<ObjectFile> file = open_object_file(FIXTURE_EXECUTABLE);
  const std::vector<CodeItem> items = all_code(*file);
  const std::vector<CodeSpan> spans = all_code_spans(*file);
  ASSERT_EQ(spans.size(), items.size());
  for (std::size_t k = 0; k < spans.size(); ++k) {
    const FunctionRange r = range_of_span(*file, spans[k]);
    EXPECT_EQ(spans[k].symbol == nullptr, items[k].unnamed) << k;
    EXPECT_EQ(r.name, items[k].range.name) << k;
    EXPECT_EQ(r.demangled, items[k].range.demangled) << k;
    EXPECT_EQ(r.section, items[k].range.section) << k;
    EXPECT_EQ(r.section_name, items[k].range.section_name) << k;
    EXPECT_EQ(r.address, items[k].range.address) << k;
    EXPECT_EQ(r.size, items[k].range.size) << k;
  }
}

// for_each_unnamed_piece() hands over the pieces split_unnamed_decoded() returns, in order,
// and stops at the first `false`.
TEST(ElfFileTest, UnnamedPiecesComeOneAtATimeAndStopWhenAsked) {
  const std::unique_ptr<ObjectFile> file = open_object_file(FIXTURE_EXECUTABLE);
  const Decoder decoder(file->arch(), Syntax::kIntel);
  std::vector<FunctionRange> stretches;
  for (const CodeItem& item : all_code(*file)) {
    if (item.unnamed) stretches.push_back(item.range);
  }
  ASSERT_FALSE(stretches.empty()) << "the fixture has a .plt and padding without symbols";
  std::size_t several = 0;  // stretches cut into more than one piece (64-byte windows)
  for (const FunctionRange& stretch : stretches) {
    const std::vector<DecodedPiece> all = split_unnamed_decoded(*file, decoder, stretch, 64);
    std::vector<std::pair<std::uint64_t, std::size_t>> seen;  // address, instructions
    for_each_unnamed_piece(*file, decoder, stretch, 64, [&](DecodedPiece&& piece) {
      seen.emplace_back(piece.range.address, piece.code.size());
      return true;
    });
    ASSERT_EQ(seen.size(), all.size()) << stretch.name;
    for (std::size_t k = 0; k < all.size(); ++k) {
      EXPECT_EQ(seen[k].first, all[k].range.address) << stretch.name;
      EXPECT_EQ(seen[k].second, all[k].code.size()) << stretch.name;
    }
    std::size_t calls = 0;
    for_each_unnamed_piece(*file, decoder, stretch, 64, [&](DecodedPiece&&) {
      ++calls;
      return false;
    });
    EXPECT_EQ(calls, 1u) << stretch.name;
    if (all.size() > 1) ++several;
  }
  EXPECT_GT(several, 0u) << "no stretch long enough to be cut: the test proves nothing";
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
      exercise(path.string(), bytes);
      ++parsed;
    } catch (const Error&) {
      ++errors;  // a clean refusal
    }
    // Any other exception fails the test by escaping; a crash or overflow stops it.
  }
  // Both outcomes occur: the corruptions reach the reader's checks, and a reader that
  // refused every damaged file (even a flipped bit in an unused symbol) fails too.
  EXPECT_GT(errors, 0);
  EXPECT_GT(parsed, 0);
  RecordProperty("refused", errors);
  RecordProperty("accepted", parsed);
}

}  // namespace
}  // namespace deferlab::disasm
