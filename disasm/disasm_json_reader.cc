// Reading deferlab.disasm/1 documents back (disasm_json.h), every value checked and
// bounded, so that a hostile document is an Error naming its path, never a crash.
#include <charconv>
#include <limits>

#include "common/error.h"
#include "common/text_escape.h"
#include "disasm/disasm_json.h"

namespace deferlab::disasm {
namespace {

// Bounds on what a document may claim, so that nothing read back can overflow a delta
// (summary counts are subtracted as long long) or make a listing allocate without limit
// (the loop gutter is loop_depth characters a line).
constexpr std::uint64_t kMaxCount = 1ull << 40;
constexpr std::int64_t kMaxLoopDepth = 1024;
constexpr std::int64_t kMaxIndex = std::numeric_limits<int>::max();

// "85 f6 0f": up to 16 two-digit hex bytes separated by single spaces.
void parse_bytes(const json::Node& value, Instruction& insn) {
  const std::string text = value.string();
  for (std::size_t p = 0; p < text.size(); p += 3) {
    unsigned byte = 0;
    const char* first = text.data() + p;
    const bool separated = p + 2 == text.size() || (p + 2 < text.size() && text[p + 2] == ' ');
    if (insn.size == insn.bytes.size() || p + 2 > text.size() || !separated ||
        std::from_chars(first, first + 2, byte, 16).ptr != first + 2) {
      value.fail("expected up to 16 hex bytes like \"85 f6\"");
    }
    insn.bytes[insn.size++] = static_cast<std::uint8_t>(byte);
  }
}

Summary read_summary(const json::Node& s) {
  Summary summary;
  summary.instructions = s.unsigned_or("instructions", 0, kMaxCount);
  summary.bytes = s.unsigned_or("bytes", 0, kMaxCount);
  summary.calls = s.unsigned_or("calls", 0, kMaxCount);
  summary.alloc_calls = s.unsigned_or("alloc_calls", 0, kMaxCount);
  summary.alloc_calls_in_loops = s.unsigned_or("alloc_calls_in_loops", 0, kMaxCount);
  summary.free_calls = s.unsigned_or("free_calls", 0, kMaxCount);
  summary.indirect_calls = s.unsigned_or("indirect_calls", 0, kMaxCount);
  summary.loops = s.unsigned_or("loops", 0, kMaxCount);
  summary.max_loop_depth = static_cast<int>(s.integer_or("max_loop_depth", 0, 0, kMaxLoopDepth));
  summary.stack_frame_size = s.unsigned_or("stack_frame_size", 0, kMaxCount);
  summary.invalid = s.unsigned_or("invalid", 0, kMaxCount);
  return summary;
}

std::uint32_t read_tags(const json::Node& tags) {
  std::uint32_t bits = 0;
  for (const json::Node& tag : tags.elements()) {
    const std::string name = tag.string();
    for (std::uint32_t bit = 0; bit < kTagCount; ++bit) {
      if (name == kTagNames[bit]) bits |= 1u << bit;  // unknown names: a newer writer's
    }
  }
  return bits;
}

AnnotatedInstruction read_instruction(const json::Node& ij) {
  AnnotatedInstruction a;
  a.insn.address = json::hex_address(ij["address"]);
  a.insn.mnemonic = ij.string_or("mnemonic", "");
  a.insn.operands = ij.string_or("operands", "");
  a.label = ij.string_or("label", "");
  a.branch_label = ij.string_or("branch_target", "");
  if (const auto target = ij.find("target")) a.insn.target = json::hex_address(*target);
  a.call_target = ij.string_or("call_target", "");
  a.call_symbol = ij.string_or("call_symbol", "");
  a.reference = ij.string_or("reference", "");
  if (const auto r = ij.find("reference_target")) {
    a.reference_target = Reference{json::hex_address((*r)["address"]), (*r)["symbol"].string(),
                                   (*r)["offset"].integer(-static_cast<std::int64_t>(kMaxCount),
                                                          static_cast<std::int64_t>(kMaxCount)),
                                   (*r)["got"].boolean()};
  }
  if (const auto path = ij.find("alloc_path")) {
    for (const json::Node& step : path->elements()) a.alloc_path.push_back(step.string());
  }
  a.loop = static_cast<int>(ij.integer_or("loop", -1, -1, kMaxIndex));
  a.loop_depth = static_cast<int>(ij.integer_or("loop_depth", 0, 0, kMaxLoopDepth));
  a.block = static_cast<int>(ij.integer_or("block", -1, -1, kMaxIndex));
  const auto file = ij.find("file");
  const auto line = ij.find("line");
  if (file && line) {
    a.source = SourceLocation{file->string(), static_cast<int>(line->integer(0, kMaxIndex))};
  }
  if (const auto bytes = ij.find("bytes")) parse_bytes(*bytes, a.insn);
  if (const auto tags = ij.find("tags")) a.tags = read_tags(*tags);
  return a;
}

AnnotatedFunction read_function(const json::Node& fj) {
  AnnotatedFunction f;
  f.range.name = fj.string_or("symbol", "");
  f.range.demangled = fj.string_or("demangled", f.range.name);
  f.range.section_name = fj.string_or("section", "");
  if (const auto address = fj.find("address")) f.range.address = json::hex_address(*address);
  f.range.size = fj.unsigned_or("size", 0, kMaxCount);
  if (const auto summary = fj.find("summary")) f.summary = read_summary(*summary);
  if (const auto lines = fj.find("source_lines")) {
    for (const json::Node& l : lines->elements()) {
      const int line = static_cast<int>(l["line"].integer(0, kMaxIndex));
      f.source_text[{l["file"].string(), line}] = l["text"].string();
    }
  }
  const json::Node instructions = fj["instructions"];
  f.instructions.reserve(instructions.size());
  for (const json::Node& ij : instructions.elements()) {
    f.instructions.push_back(read_instruction(ij));
  }
  return f;
}

}  // namespace

std::vector<AnnotatedFunction> read_disasm_document(const json::Node& document) {
  const std::string schema = document.string_or("schema", "");
  if (schema != "deferlab.disasm/1") {
    document.fail("expected \"schema\": \"deferlab.disasm/1\", got \"" +
                  visible_text(schema.substr(0, 40)) + "\"");
  }
  std::vector<AnnotatedFunction> result;
  for (const json::Node& fj : document["functions"].elements()) {
    result.push_back(read_function(fj));
  }
  return result;
}

std::string read_disasm_arch(const json::Node& document) {
  if (const auto binary = document.find("binary")) return binary->string_or("arch", "x86-64");
  return "x86-64";
}

}  // namespace deferlab::disasm
