// Tests disasm/disasm_json.cc's reader and the escaping in disasm/listing.cc and
// disasm/diff_render.cc: a document written by deferlab reads back the same; a wrong type,
// a negative or huge value is an Error naming the JSON path; names that are not UTF-8 still
// make JSON; hostile names cannot break a listing's lines or its Markdown fence.
#include "disasm/disasm_json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/json_reader.h"
#include "disasm/diff_render.h"
#include "disasm/listing.h"
#include "tests/disasm/memory_object_file.h"

namespace deferlab::disasm {
namespace {

using testing::MemoryObjectFile;

// The malloc/free loop of annotate_test (see there for the listing).
AnnotatedFunction alloc_loop() {
  MemoryObjectFile file(
      Arch::kX86_64, 0x1000,
      {0x53, 0x89, 0xfb, 0xbf, 0x10, 0x00, 0x00, 0x00, 0xe8, 0xf3, 0x0f, 0x00, 0x00, 0x48,
       0x89, 0xc7, 0xe8, 0xfb, 0x0f, 0x00, 0x00, 0x83, 0xeb, 0x01, 0x75, 0xe9, 0x5b, 0xc3});
  file.add_function("alloc_loop", 0x1000, 28);
  file.add_plt(0x2000, "malloc@plt");
  file.add_plt(0x2010, "free@plt");
  const Decoder decoder(Arch::kX86_64, Syntax::kIntel);
  return annotate(file, decoder, range_of(file, file.functions().front()), AllocNames::defaults(),
                  nullptr);
}

nlohmann::json document_of(const AnnotatedFunction& f) {
  std::string text;
  write_disasm_document(text, R"({"path":"a.out","arch":"x86-64"})", Syntax::kIntel, {&f, 1},
                        nullptr);
  return nlohmann::json::parse(text);
}

// The message of the Error reading `document` throws, or "" when it reads.
std::string read_error(const nlohmann::json& document) {
  const json::Source source{"d.json", ""};
  try {
    read_disasm_document(json::Node(document, source));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(DisasmJsonTest, ADocumentReadsBackTheSame) {
  const AnnotatedFunction f = alloc_loop();
  const nlohmann::json document = document_of(f);
  const json::Source source{"d.json", ""};
  const std::vector<AnnotatedFunction> back = read_disasm_document(json::Node(document, source));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(read_disasm_arch(json::Node(document, source)), "x86-64");
  const AnnotatedFunction& g = back[0];
  EXPECT_EQ(g.range.name, "alloc_loop");
  EXPECT_EQ(g.range.address, 0x1000u);
  EXPECT_EQ(g.summary.alloc_calls_in_loops, f.summary.alloc_calls_in_loops);
  ASSERT_EQ(g.instructions.size(), f.instructions.size());
  for (std::size_t i = 0; i < f.instructions.size(); ++i) {
    const AnnotatedInstruction& a = f.instructions[i];
    const AnnotatedInstruction& b = g.instructions[i];
    EXPECT_EQ(b.insn.address, a.insn.address) << i;
    EXPECT_EQ(b.insn.size, a.insn.size) << i;
    EXPECT_TRUE(
        std::equal(a.insn.bytes.begin(), a.insn.bytes.begin() + a.insn.size, b.insn.bytes.begin()))
        << i;
    EXPECT_EQ(b.insn.mnemonic + " " + b.insn.operands, a.insn.mnemonic + " " + a.insn.operands);
    EXPECT_EQ(b.tags, a.tags) << i;
    EXPECT_EQ(b.loop_depth, a.loop_depth) << i;
    EXPECT_EQ(b.call_target, a.call_target) << i;
    EXPECT_EQ(normalize(b, {}), normalize(a, {})) << i;
  }
}

TEST(DisasmJsonTest, WrongTypesAndValuesNameTheirPath) {
  const nlohmann::json good = document_of(alloc_loop());
  auto with = [&](const nlohmann::json::json_pointer& at, const nlohmann::json& value) {
    nlohmann::json d = good;
    d[at] = value;
    return read_error(d);
  };
  using P = nlohmann::json::json_pointer;
  EXPECT_EQ(with(P("/functions/0/symbol"), nullptr),
            "functions[0].symbol: expected a string, got null");
  EXPECT_EQ(with(P("/functions/0/instructions/7/loop_depth"), -1),
            "functions[0].instructions[7].loop_depth: expected an integer in [0, 1024], got -1");
  EXPECT_EQ(with(P("/functions/0/instructions/7/loop_depth"), 1e9),
            "functions[0].instructions[7].loop_depth: expected an integer in [0, 1024], got "
            "1000000000.0");
  EXPECT_EQ(with(P("/functions/0/instructions/2/address"), "0xzz"),
            "functions[0].instructions[2].address: expected a hex address");
  EXPECT_EQ(with(P("/functions/0/instructions/2/bytes"), "85 f6 0"),
            "functions[0].instructions[2].bytes: expected up to 16 hex bytes like \"85 f6\"");
  EXPECT_EQ(with(P("/functions/0/instructions/2/tags"), "alloc"),
            "functions[0].instructions[2].tags: expected an array, got a string");
  EXPECT_EQ(with(P("/functions/0/summary/instructions"), 1e300),
            "functions[0].summary.instructions: expected an integer in [0, 1099511627776], got "
            "1e+300");
  EXPECT_EQ(with(P("/functions/0/instructions"), nlohmann::json::object()),
            "functions[0].instructions: expected an array, got an object");
  EXPECT_EQ(with(P("/functions"), "all"), "functions: expected an array, got a string");
  EXPECT_EQ(with(P("/schema"), "deferlab.disasm/2"),
            "top level: expected \"schema\": \"deferlab.disasm/1\", got \"deferlab.disasm/2\"");
  nlohmann::json no_address = good;
  no_address["functions"][0]["instructions"][1].erase("address");
  EXPECT_EQ(read_error(no_address), "functions[0].instructions[1].address: missing");
  // Sixteen bytes is the most an instruction has.
  EXPECT_EQ(with(P("/functions/0/instructions/2/bytes"),
                 "00 00 00 00 00 00 00 00 00 00 00 00 00 "
                 "00 00 00 00"),
            "functions[0].instructions[2].bytes: expected up to 16 hex bytes like \"85 f6\"");
}

TEST(DisasmJsonTest, NamesThatAreNotUtf8StillMakeJson) {
  AnnotatedFunction f = alloc_loop();
  f.range.demangled = "f\xff\xfe(\x01)";
  std::string text;
  write_function_json(text, f, nullptr);
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << text.substr(0, 200);
  EXPECT_EQ(doc["demangled"], "f\xef\xbf\xbd\xef\xbf\xbd(\x01)");
}

TEST(ListingTest, HostileNamesCannotBreakLinesOrFences) {
  AnnotatedFunction f = alloc_loop();
  f.range.demangled = "evil\n```\n\x1b[2Jname";
  f.instructions[3].call_target = "callee\r\n```";
  const std::string text = render_function_text(f, {});
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  // The header (3 lines) and one line per instruction and label: nothing more.
  const auto lines = std::count(text.begin(), text.end(), '\n');
  EXPECT_EQ(lines, 3 + 10 + 1) << text;
  const std::string md = render_function_markdown(f, {});
  EXPECT_NE(md.find("\n````asm\n"), std::string::npos) << md;  // longer than any run inside
  EXPECT_EQ(md.find('\x1b'), std::string::npos);
}

TEST(DiffRenderTest, HostileNamesCannotBreakLinesOrFences) {
  AnnotatedFunction a = alloc_loop();
  AnnotatedFunction b = alloc_loop();
  b.range.demangled = "b|`x`\n\x1b[31m";
  b.instructions[1].insn.operands = "ebx, ```\n\x1b";
  const FunctionDiff d = diff_functions(a, b, {});
  const DiffSide sa{&a, "a.json", "x86-64"};
  const DiffSide sb{&b, "b\n.json", "x86-64"};
  const std::string text = render_diff_text(sa, sb, d);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  // 4 header lines, 9 equal, the definition of .L0, one replaced instruction as - and +.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4 + 9 + 1 + 2) << text;
  const std::string md = render_diff_markdown(sa, sb, d);
  EXPECT_NE(md.find("b: ``b\\|`x`\\n\\x1b[31m`` |"), std::string::npos) << md;
  EXPECT_NE(md.find("\n````diff\n"), std::string::npos) << md;
}

}  // namespace
}  // namespace deferlab::disasm
