// Tests harness/callgrind_parser.cc on callgrind files written by the tests: name and
// subposition compression, calls, parts, and every kind of malformed input -> Error.
#include "harness/callgrind_parser.h"

#include <gtest/gtest.h>

#include <cctype>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"

namespace deferlab::harness {
namespace {

struct Parsed {
  CallgrindNames names;
  std::vector<CallgrindPart> parts;
};

Parsed parse(const std::string& text) {
  Parsed p;
  std::istringstream in(text);
  parse_callgrind(in, "test.out", p.names,
                  [&](CallgrindPart&& part) { p.parts.push_back(std::move(part)); });
  return p;
}

// Self cost of event `e` at (function name, address), summed over the part's lines.
std::uint64_t cost_at(const Parsed& p, const CallgrindPart& part, const std::string& fn,
                      std::uint64_t address, std::size_t e = 0) {
  std::uint64_t sum = 0;
  for (const CostLine& line : part.lines) {
    if (p.names.functions[line.function].name == fn && line.address == address) {
      sum += part.cost(line, e);
    }
  }
  return sum;
}

// The format's own example (valgrind docs, "Extended Example"), with name compression.
constexpr const char* kLineExample = R"(# callgrind format
events: Instructions

fl=(1) file1.c
fn=(1) main
16 20
cfn=(2) func1
calls=1 50
16 400
cfi=(2) file2.c
cfn=(3) func2
calls=3 20
16 400

fn=(2)
51 100
cfi=(2)
cfn=(3)
calls=2 20
51 300

fl=(2)
fn=(3)
20 700
)";

TEST(CallgrindParser, ReadsTheSpecificationsExtendedExample) {
  const Parsed p = parse(kLineExample);
  ASSERT_EQ(p.parts.size(), 1u);
  const CallgrindPart& part = p.parts[0];
  ASSERT_EQ(p.names.events, std::vector<std::string>{"Instructions"});
  EXPECT_FALSE(p.names.has_addresses);  // positions default to "line"
  // Self costs only: 20 + 100 + 700; the inclusive costs on call lines are not self cost.
  EXPECT_EQ(part.totals[0], 820u);
  ASSERT_EQ(part.calls.size(), 3u);
  const auto name = [&](std::uint32_t f) { return p.names.functions[f].name; };
  EXPECT_EQ(name(part.calls[0].caller), "main");
  EXPECT_EQ(name(part.calls[0].callee), "func1");
  EXPECT_EQ(part.calls[0].count, 1u);
  EXPECT_EQ(name(part.calls[1].callee), "func2");
  EXPECT_EQ(part.calls[1].count, 3u);
  EXPECT_EQ(name(part.calls[2].caller), "func1");
  EXPECT_EQ(part.calls[2].count, 2u);
}

// Relative positions as callgrind writes them: "+N", "-N", "*" from the last regular
// cost line; the lines after calls= neither use nor move anything else.
constexpr const char* kInstrFile = R"(# callgrind format
version: 1
creator: callgrind-3.19.0
cmd: ./bench
part: 1

desc: Trigger: --dump-after=f

positions: instr
events: Ir Dr

ob=(1) /bin/bench
fn=(10) loop
0x1000 3 1
+4 5
+2 7 2
cob=(2) /lib/libc.so.6
cfn=(11) malloc
calls=5 0x90000
* 250
* 1
-6 2
fn=(12) rec'2
0x2000 9
totals: 27 3

part: 2
desc: Trigger: --dump-after=f
positions: instr
events: Ir Dr
ob=(1)
fn=(10)
0x1004 100
cob=(2)
cfn=(11)
calls=7 +4
+2 1
+2 6
)";

TEST(CallgrindParser, AppliesSubpositionCompressionFromTheLastCostLine) {
  const Parsed p = parse(kInstrFile);
  ASSERT_EQ(p.parts.size(), 2u);
  EXPECT_TRUE(p.names.has_addresses);
  const CallgrindPart& first = p.parts[0];
  EXPECT_EQ(first.number, 1);
  EXPECT_EQ(first.trigger, "--dump-after=f");
  EXPECT_EQ(cost_at(p, first, "loop", 0x1000), 3u + 2u);  // "-6" from 0x1006 is 0x1000 again
  EXPECT_EQ(cost_at(p, first, "loop", 0x1004), 5u);
  // "* 1" after the call lines is 0x1006 again: the call's line did not move the base.
  EXPECT_EQ(cost_at(p, first, "loop", 0x1006), 7u + 1u);
  EXPECT_EQ(cost_at(p, first, "loop", 0x1006, 1), 2u);  // Dr
  EXPECT_EQ(cost_at(p, first, "loop", 0x1000, 1), 1u);  // missing costs count as zero
  ASSERT_EQ(first.calls.size(), 1u);
  EXPECT_EQ(first.calls[0].address, 0x1006u);
  EXPECT_EQ(first.calls[0].count, 5u);
  EXPECT_EQ(p.names.objects[p.names.functions[first.calls[0].callee].object], "/lib/libc.so.6");
  // The caller keeps its object: cob= applies to one call only.
  EXPECT_EQ(p.names.objects[p.names.functions[first.calls[0].caller].object], "/bin/bench");
  // A recursion level "rec'2" is the function "rec".
  EXPECT_EQ(cost_at(p, first, "rec", 0x2000), 9u);
  EXPECT_EQ(first.totals, (std::vector<std::uint64_t>{3 + 5 + 7 + 1 + 2 + 9, 1 + 2}));
}

TEST(CallgrindParser, KeepsCompressedNamesAcrossPartsAndRestartsPositions) {
  const Parsed p = parse(kInstrFile);
  const CallgrindPart& second = p.parts[1];
  EXPECT_EQ(second.number, 2);
  EXPECT_EQ(cost_at(p, second, "loop", 0x1004), 100u);
  // "+2 1" is the call's line (inclusive cost, not self); "+2 6" is again from 0x1004.
  EXPECT_EQ(cost_at(p, second, "loop", 0x1006), 6u);
  ASSERT_EQ(second.calls.size(), 1u);
  EXPECT_EQ(p.names.functions[second.calls[0].callee].name, "malloc");
  EXPECT_EQ(second.calls[0].count, 7u);
  EXPECT_EQ(second.calls[0].address, 0x1006u);
}

TEST(CallgrindParser, ReadsJumpLinesAndMinimalFiles) {
  const Parsed p = parse(
      "events: Ir\npositions: instr line\nfn=f\n0x10 3 4\njump=2 +4 *\n+1 *\njcnd=1/3 +8 "
      "+1\n* *\n+2 +1 6\n");
  ASSERT_EQ(p.parts.size(), 1u);
  EXPECT_EQ(cost_at(p, p.parts[0], "f", 0x10), 4u);
  EXPECT_EQ(cost_at(p, p.parts[0], "f", 0x12), 6u);  // the jump lines did not move the base
}

struct Malformed {
  const char* what;
  std::string text;
};

void PrintTo(const Malformed& m, std::ostream* os) {
  *os << m.what;
}

// "calls at the end of the file" -> "calls_at_the_end_of_the_file"
std::string test_name(const ::testing::TestParamInfo<Malformed>& info) {
  std::string name = info.param.what;
  for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

class MalformedCallgrind : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedCallgrind, IsAnErrorNamingTheLine) {
  try {
    parse(GetParam().text);
    FAIL() << "parsed: " << GetParam().what;
  } catch (const Error& e) {
    EXPECT_EQ(e.subject().rfind("test.out:", 0), 0u) << e.subject();
  }
}

const std::string kHead = "# callgrind format\nevents: Ir\npositions: instr\nfn=(1) f\n";

INSTANTIATE_TEST_SUITE_P(
    Inputs, MalformedCallgrind,
    ::testing::Values(
        Malformed{"empty file", ""}, Malformed{"no events line", "fn=f\n"},
        Malformed{"plain text", "hello world\n"},
        Malformed{"cost line before events", "fn=f\n0x10 1\n"},
        Malformed{"cost line before fn", "events: Ir\npositions: instr\n0x10 1\n"},
        Malformed{"undefined compressed name", kHead + "fn=(7)\n0x1 1\n"},
        Malformed{"redefined compressed name", kHead + "fn=(1) g\n"},
        Malformed{"compressed name without )", kHead + "fn=(1 g\n"},
        Malformed{"compressed id too large", kHead + "fn=(99999999999) g\n"},
        Malformed{"bad number", kHead + "0x10 12a\n"},
        Malformed{"bad hex address", kHead + "0xzz 1\n"},
        Malformed{"cost overflows 64 bits", kHead + "0x10 18446744073709551616\n"},
        Malformed{"total overflows 64 bits", kHead + "0x10 18446744073709551615\n0x11 1\n"},
        Malformed{"more costs than events", kHead + "0x10 1 2\n"},
        Malformed{"negative relative position", kHead + "0x10 1\n-17 1\n"},
        Malformed{"relative position overflows", kHead + "0xffffffffffffffff 1\n+1 1\n"},
        Malformed{"calls without cfn", kHead + "0x10 1\ncalls=1 0x20\n0x10 5\n"},
        Malformed{"calls at the end of the file", kHead + "cfn=(2) g\ncalls=1 0x20\n"},
        Malformed{"calls with a bad count", kHead + "cfn=(2) g\ncalls=x 0x20\n0x10 5\n"},
        Malformed{"calls without a target", kHead + "cfn=(2) g\ncalls=1\n0x10 5\n"},
        Malformed{"jump line with costs", kHead + "0x10 1\njump=1 +2\n* 4\n"},
        Malformed{"bad jcnd counts", kHead + "0x10 1\njcnd=3 +2\n*\n"},
        Malformed{"unknown specification", kHead + "xyz=1\n"},
        Malformed{"unknown position kind", "events: Ir\npositions: instr column\n"},
        Malformed{"events differ between parts",
                  "part: 1\nevents: Ir\nfn=f\n1 1\npart: 2\nevents: Dr\n"},
        Malformed{"unsupported version", "version: 2\nevents: Ir\n"},
        Malformed{"bad part number", "part: x\nevents: Ir\n"},
        Malformed{"a line longer than 1 MiB", kHead + "fn=" + std::string(1 << 21, 'a') + "\n"}),
    test_name);

}  // namespace
}  // namespace deferlab::harness
