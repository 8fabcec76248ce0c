// Tests the fast paths of disasm/ against the plain code they replace: the radix sort of
// symbol keys against std::stable_sort, and the JSON string writer's eight-bytes-at-a-time
// copy against append_json_string, on inputs built to hit every boundary; and the progress
// a whole-binary listing reports as it goes.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "disasm/address_sort.h"
#include "disasm/decoder.h"
#include "disasm/disasm_json.h"
#include "disasm/json_raw_writer.h"
#include "disasm/object_file.h"
#include "disasm/selection.h"
#include "disasm/stream.h"
#include "harness/subprocess.h"
#include "tests/disasm/memory_object_file.h"

namespace deferlab::disasm {
namespace {

std::vector<AddressKey> random_keys(std::mt19937_64& rng, std::size_t n, std::uint64_t span,
                                    std::uint64_t base) {
  std::vector<AddressKey> keys(n);
  for (std::uint32_t k = 0; k < n; ++k) {
    // Few distinct values in a small span: many equal addresses, whose order must hold.
    keys[k] = {base + (span == 0 ? 0 : rng() % span), k};
  }
  return keys;
}

TEST(AddressSortTest, EqualsAStableSortByAddress) {
  std::mt19937_64 rng(13);
  const std::uint64_t spans[] = {
      0, 1, 7, 2048, 1u << 20, std::uint64_t{1} << 40, ~std::uint64_t{0}};
  for (const std::size_t n : {0, 1, 2, 63, 64, 65, 1000, 50000}) {
    for (const std::uint64_t span : spans) {
      for (const std::uint64_t base : {std::uint64_t{0}, std::uint64_t{0x400000}}) {
        std::vector<AddressKey> keys = random_keys(rng, n, span, base);
        std::vector<AddressKey> expected = keys;
        std::stable_sort(
            expected.begin(), expected.end(),
            [](const AddressKey& a, const AddressKey& b) { return a.first < b.first; });
        sort_by_address(keys);
        ASSERT_EQ(keys, expected) << "n " << n << ", span " << span << ", base " << base;
      }
    }
  }
}

std::string written(std::string_view text) {
  std::string out;
  detail::RawWriter w(out);
  w.ensure(detail::RawWriter::room_for(text));
  w.string(text);
  w.finish();
  return out;
}

TEST(RawWriterTest, StringsAreEscapedAsAppendJsonStringDoes) {
  // Every byte that needs care, at every offset of a 24-byte run of plain text, so each
  // falls in the first, middle and last of the eight-byte words, and in the tail.
  const std::string plain = "mov rax, qword ptr [rip]";
  const std::string special[] = {"\"",           "\\", "\n", std::string(1, '\0'), "\x1f", "\x7f",
                                 "\xc3\xa9",      // é: UTF-8 copied whole
                                 "\xe2\x82\xac",  // €
                                 "\xff",          // not UTF-8
                                 "\xc3"};         // a cut sequence
  for (const std::string& s : special) {
    for (std::size_t at = 0; at <= plain.size(); ++at) {
      const std::string text = plain.substr(0, at) + s + plain.substr(at);
      std::string expected;
      append_json_string(expected, text);
      ASSERT_EQ(written(text), expected) << "special byte(s) at " << at;
    }
  }
  std::mt19937_64 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string text(rng() % 40, ' ');
    for (char& c : text) c = static_cast<char>(rng() % 3 == 0 ? rng() % 256 : 'a' + rng() % 26);
    std::string expected;
    append_json_string(expected, text);
    ASSERT_EQ(written(text), expected) << "round " << round;
  }
}

}  // namespace
}  // namespace deferlab::disasm

namespace deferlab::disasm {
namespace {

// The stream's progress: once per item written (a function, or an unnamed stretch that
// may make several records), never backwards, ending at the whole listing's code bytes;
// and the listing is the same with or without it.
TEST(StreamProgressTest, CountsEveryItemUpToTheWholeListing) {
  const std::unique_ptr<ObjectFile> file = open_object_file(FIXTURE_EXECUTABLE);
  StreamOptions options;
  options.jobs = 2;
  std::string plain;
  const StreamStats expected =
      stream_all_functions(*file, options, [&](std::string_view line) { plain += line; });
  std::string shown;
  std::vector<StreamStats> calls;
  std::uint64_t total = 0;
  const StreamStats stats = stream_all_functions(
      *file, options, [&](std::string_view line) { shown += line; },
      [&](const StreamStats& so_far, std::uint64_t all) {
        calls.push_back(so_far);
        total = all;
      });
  EXPECT_EQ(shown, plain);
  ASSERT_EQ(calls.size(), all_code_spans(*file).size());
  for (std::size_t k = 1; k < calls.size(); ++k) {
    EXPECT_GE(calls[k].functions, calls[k - 1].functions + 1);
    EXPECT_GT(calls[k].bytes, calls[k - 1].bytes);
  }
  EXPECT_EQ(calls.back().functions, expected.functions);
  EXPECT_EQ(calls.back().bytes, stats.bytes);
  EXPECT_EQ(total, stats.bytes);
}

}  // namespace
}  // namespace deferlab::disasm

namespace deferlab::disasm {
namespace {

// The stream's order and totals do not depend on how the work is shared: one worker or
// three, a window of one item or the default, no text budget to speak of (workers ahead of
// the writer wait for it at every chunk) and chunks of one record. A lost wake-up would hang
// here (ctest's timeout), a slot taken out of order would change the text.
void expect_every_schedule_writes_the_same_listing(const std::string& path) {
  const std::unique_ptr<ObjectFile> file = open_object_file(path);
  StreamOptions one;
  one.jobs = 1;
  std::string expected;
  const StreamStats expected_stats =
      stream_all_functions(*file, one, [&](std::string_view line) { expected += line; });
  ASSERT_GT(expected_stats.functions, 10u);
  std::size_t helped = 0;
  for (const unsigned jobs : {1u, 2u, 3u}) {
    for (const std::size_t window : {std::size_t{1}, std::size_t{2}, std::size_t{0}}) {
      for (const std::size_t budget : {std::size_t{1}, std::size_t{0}}) {
        for (const std::size_t chunk : {std::size_t{1}, std::size_t{0}}) {
          StreamOptions options;
          options.jobs = jobs;
          options.window = window;
          options.text_budget = budget;
          options.chunk_bytes = chunk;
          std::string text;
          std::size_t lines = 0;
          const StreamStats stats =
              stream_all_functions(*file, options, [&](std::string_view line) {
                text += line;
                ++lines;
              });
          const std::string schedule = "jobs " + std::to_string(jobs) + ", window " +
                                       std::to_string(window) + ", budget " +
                                       std::to_string(budget) + ", chunk " + std::to_string(chunk);
          EXPECT_EQ(text, expected) << schedule;
          EXPECT_EQ(stats.functions, expected_stats.functions) << schedule;
          EXPECT_EQ(stats.instructions, expected_stats.instructions) << schedule;
          EXPECT_EQ(stats.bytes, expected_stats.bytes) << schedule;
          // Chunks of one record: the sink sees one call per record; otherwise fewer.
          if (chunk == 1) {
            EXPECT_EQ(lines, expected_stats.functions) << schedule;
          }
          helped += stats.helped;
        }
      }
    }
  }
  // A stretch without symbols is cut by one worker; an idle one annotates some pieces.
  if (!file->has_symbol_table()) {
    EXPECT_GT(helped, 0u) << "no piece was helped with: the hand-over is not tested";
  }
}

TEST(StreamScheduleTest, EveryScheduleWritesTheSameListing) {
  expect_every_schedule_writes_the_same_listing(FIXTURE_EXECUTABLE);
}

// Stripped, the fixture's code is one stretch without names, cut into pieces as it is
// decoded: idle workers annotate pieces the cutting worker hands them, and the text must
// still come in order.
TEST(StreamScheduleTest, PiecesOfAStrippedStretchComeInOrder) {
  const std::string stripped = ::testing::TempDir() + "/deferlab-stream-stripped";
  ASSERT_EQ(
      run_process({"objcopy", "--strip-all", FIXTURE_EXECUTABLE, stripped}, nullptr, nullptr).code,
      0);
  expect_every_schedule_writes_the_same_listing(stripped);
}

// A sink that throws part-way stops every worker, whatever they were waiting for, and the
// exception reaches the caller: no hang, no std::terminate from a joinable thread.
TEST(StreamScheduleTest, ASinkThatThrowsStopsTheStream) {
  const std::unique_ptr<ObjectFile> file = open_object_file(FIXTURE_EXECUTABLE);
  for (const std::size_t budget : {std::size_t{1}, std::size_t{0}}) {
    StreamOptions options;
    options.jobs = 2;
    options.window = 2;
    options.text_budget = budget;
    options.chunk_bytes = 1;
    std::size_t calls = 0;
    EXPECT_THROW(stream_all_functions(*file, options,
                                      [&](std::string_view) {
                                        if (++calls == 3) throw std::runtime_error("disk full");
                                      }),
                 std::runtime_error);
    EXPECT_EQ(calls, 3u);
  }
}

}  // namespace
}  // namespace deferlab::disasm

namespace deferlab::disasm {
namespace {

// Code without symbols is cut after a return or jump that no earlier branch of the piece
// jumps past: roughly one function per piece. A call's target is another function, not a
// place this code lands in; counting calls kept a caller and everything up to its callee
// in one piece (half of libLLVM's unnamed code came in whole 16 KB windows, and a piece of
// thousands of instructions is slow to annotate).
std::vector<std::pair<std::uint64_t, std::uint64_t>> unnamed_pieces(
    const std::vector<std::uint8_t>& code) {
  const testing::MemoryObjectFile file(Arch::kX86_64, 0x1000, code);
  const Decoder decoder(Arch::kX86_64, Syntax::kIntel);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> pieces;
  for (const CodeItem& item : all_code(file)) {
    EXPECT_TRUE(item.unnamed);
    for (const DecodedPiece& p : split_unnamed_decoded(file, decoder, item.range, 16 * 1024)) {
      pieces.emplace_back(p.range.address, p.range.size);
    }
  }
  return pieces;
}

TEST(UnnamedPiecesTest, ACallToALaterFunctionDoesNotJoinThem) {
  // 0x1000: call 0x1006; 0x1005: ret; 0x1006: ret
  const std::vector<std::pair<std::uint64_t, std::uint64_t>> expected{{0x1000, 6}, {0x1006, 1}};
  EXPECT_EQ(unnamed_pieces({0xe8, 0x01, 0x00, 0x00, 0x00, 0xc3, 0xc3}), expected);
}

TEST(UnnamedPiecesTest, ABranchPastAReturnKeepsOnePiece) {
  // 0x1000: je 0x1004; 0x1002: ret; 0x1003: nop; 0x1004: ret; 0x1005: ret
  const std::vector<std::pair<std::uint64_t, std::uint64_t>> expected{{0x1000, 5}, {0x1005, 1}};
  EXPECT_EQ(unnamed_pieces({0x74, 0x02, 0xc3, 0x90, 0xc3, 0xc3}), expected);
}

// A window's last instructions are carried into the next window rather than decoded again,
// but only those an instruction's length before the window's end: nearer, Capstone saw a
// partial instruction and made a placeholder. Real code (the system's libstdc++), cut in
// windows of a few instructions so that nearly every window ends inside one: each piece's
// instructions are those of its bytes decoded afresh, and the pieces tile the stretch.
TEST(UnnamedPiecesTest, InstructionsCarriedAcrossWindowsAreThoseOfAFreshDecode) {
  const std::unique_ptr<ObjectFile> lib =
      open_object_file("/usr/lib/x86_64-linux-gnu/libstdc++.so.6");
  const auto text = std::find_if(lib->sections().begin(), lib->sections().end(),
                                 [](const Section& s) { return s.name == ".text"; });
  ASSERT_NE(text, lib->sections().end());
  const std::span<const std::uint8_t> all = lib->section_bytes(*text);
  ASSERT_GE(all.size(), 48u * 1024);
  const testing::MemoryObjectFile file(Arch::kX86_64, text->address,
                                       {all.begin(), all.begin() + 48 * 1024});
  const Decoder decoder(Arch::kX86_64, Syntax::kIntel);
  const std::span<const std::uint8_t> bytes = file.section_bytes(file.sections().front());
  for (const std::uint64_t window : {17u, 37u, 64u, 200u}) {
    std::uint64_t next = text->address;
    std::size_t pieces = 0;
    for (const CodeItem& item : all_code(file)) {
      for (const DecodedPiece& p : split_unnamed_decoded(file, decoder, item.range, window)) {
        ASSERT_EQ(p.range.address, next) << window;
        next += p.range.size;
        ++pieces;
        std::vector<Instruction> fresh;
        decoder.decode(bytes.subspan(p.range.address - text->address, p.range.size),
                       p.range.address, fresh);
        ASSERT_EQ(p.code.size(), fresh.size()) << window << " at " << p.range.address;
        for (std::size_t k = 0; k < fresh.size(); ++k) {
          ASSERT_EQ(p.code[k].address, fresh[k].address) << window;
          ASSERT_EQ(p.code[k].size, fresh[k].size) << window << " at " << fresh[k].address;
          ASSERT_EQ(p.code[k].mnemonic, fresh[k].mnemonic) << window << " at " << fresh[k].address;
          ASSERT_EQ(p.code[k].operands, fresh[k].operands) << window << " at " << fresh[k].address;
        }
      }
    }
    EXPECT_EQ(next, text->address + 48 * 1024) << window;
    EXPECT_GT(pieces, 48u * 1024 / window / 2) << window;
  }
}

}  // namespace
}  // namespace deferlab::disasm
