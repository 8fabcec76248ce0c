#include "disasm/disasm_json.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <set>

#include "harness/error.h"
#include "harness/text_escape.h"

namespace deferlab::disasm {
namespace {

// The hex digits of `value`, written backwards ending at `end`; returns the first. By
// hand, as snprintf costs more than the rest of an instruction.
char* hex_digits(std::uint64_t value, char* end) {
  static constexpr char kDigits[] = "0123456789abcdef";
  char* p = end;
  do {
    *--p = kDigits[value & 15];
    value >>= 4;
  } while (value != 0);
  return p;
}

// "0x1a2b" in quotes.
void append_hex(std::string& out, std::uint64_t value) {
  char text[20];
  char* const end = text + sizeof text;
  const char* p = hex_digits(value, end);
  out += "\"0x";
  out.append(p, static_cast<std::size_t>(end - p));
  out += '"';
}

void append_number(std::string& out, std::uint64_t value) {
  char text[24];
  const auto result = std::to_chars(text, text + sizeof text, value);
  out.append(text, result.ptr);
}

void append_signed(std::string& out, std::int64_t value) {
  char text[24];
  const auto result = std::to_chars(text, text + sizeof text, value);
  out.append(text, result.ptr);
}

// "executions" and "executions_per_iteration" of an instruction that has counts.
void append_heat(std::string& out, const Heat& heat) {
  if (heat.executions) {
    out += ",\"executions\":";
    append_number(out, *heat.executions);
  }
  if (heat.per_iteration) {
    out += ",\"executions_per_iteration\":";
    out += nlohmann::json(*heat.per_iteration).dump();
  }
}

// Writes JSON through a plain pointer into a per-thread scratch buffer whose room was made
// beforehand (ensure()), then appends it to the string at finish(): a listing of a big
// library is a few GB of JSON, and the capacity check and call of each `out += piece` cost
// more than the text itself. (Growing the string itself instead would zero-fill it first.)
class RawWriter {
 public:
  explicit RawWriter(std::string& out) : out_(out) {}
  RawWriter(const RawWriter&) = delete;
  RawWriter& operator=(const RawWriter&) = delete;

  // Room for `n` more bytes.
  void ensure(std::size_t n) {
    Scratch& s = s_;
    if (s.capacity - pos_ >= n) return;
    const std::size_t capacity = std::max(2 * s.capacity, pos_ + n);
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (pos_ > 0) std::memcpy(bigger.get(), s.data.get(), pos_);
    s.data = std::move(bigger);
    s.capacity = capacity;
  }
  // Appends what was written to the string; the writer can carry on after it.
  void finish() {
    out_.append(s_.data.get(), pos_);
    pos_ = 0;
  }

  template <std::size_t N>
  void literal(const char (&text)[N]) {
    std::memcpy(at(), text, N - 1);
    pos_ += N - 1;
  }
  void put(char c) {
    *at() = c;
    ++pos_;
  }
  void hex(std::uint64_t value) {  // "0x1a2b" in quotes
    char text[20];
    char* const end = text + sizeof text;
    const char* p = hex_digits(value, end);
    literal("\"0x");
    raw(p, static_cast<std::size_t>(end - p));
    put('"');
  }
  void number(std::int64_t value) {
    char* p = at();
    pos_ += static_cast<std::size_t>(std::to_chars(p, p + 24, value).ptr - p);
  }
  void bytes(const Instruction& insn) {
    static constexpr char kHex[] = "0123456789abcdef";
    char* p = at();
    *p++ = '"';
    for (std::uint8_t i = 0; i < insn.size; ++i) {
      if (i > 0) *p++ = ' ';
      *p++ = kHex[insn.bytes[i] >> 4];
      *p++ = kHex[insn.bytes[i] & 15];
    }
    *p++ = '"';
    pos_ = static_cast<std::size_t>(p - base());
  }
  // A JSON string, escaped as append_json_string() does. Needs 6 bytes of room per byte
  // of text, plus 2.
  void string(std::string_view text) {
    char* p = at();
    *p++ = '"';
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      const unsigned char u = static_cast<unsigned char>(c);
      if (u >= 0x20 && u < 0x80 && c != '"' && c != '\\') {
        *p++ = c;
        continue;
      }
      pos_ = static_cast<std::size_t>(p - base());
      escape(text, i);
      p = at();
    }
    *p++ = '"';
    pos_ = static_cast<std::size_t>(p - base());
  }
  // Bound on what string() writes for `text`.
  static std::size_t room_for(std::string_view text) { return 6 * text.size() + 2; }

 private:
  struct Scratch {
    std::unique_ptr<char[]> data;
    std::size_t capacity = 0;
  };
  // One per thread, kept: --all writes a hundred thousand functions on every core.
  static Scratch& scratch() {
    thread_local Scratch s;
    return s;
  }
  char* base() const { return s_.data.get(); }
  char* at() const { return base() + pos_; }

  void raw(const char* text, std::size_t n) {
    std::memcpy(at(), text, n);
    pos_ += n;
  }
  // The byte at text[i] needs care: UTF-8 is copied whole, anything else escaped. Moves `i`
  // to the sequence's last byte.
  void escape(std::string_view text, std::size_t& i) {
    const char c = text[i];
    const unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      // Names in a binary are bytes: what is not UTF-8 becomes U+FFFD (6 bytes for 1).
      if (const std::size_t length = utf8_sequence_length(text, i); length > 0) {
        raw(text.data() + i, length);
        i += length - 1;
      } else {
        literal("\\ufffd");
      }
      return;
    }
    switch (c) {
      case '"':
        literal("\\\"");
        break;
      case '\\':
        literal("\\\\");
        break;
      case '\n':
        literal("\\n");
        break;
      case '\r':
        literal("\\r");
        break;
      case '\t':
        literal("\\t");
        break;
      default: {
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(u));
        raw(escaped, 6);
      }
    }
  }

  std::string& out_;
  Scratch& s_ = scratch();
  std::size_t pos_ = 0;
};

}  // namespace

void append_summary_json(std::string& out, const Summary& s) {
  out += "{\"instructions\":";
  append_number(out, s.instructions);
  out += ",\"bytes\":";
  append_number(out, s.bytes);
  out += ",\"calls\":";
  append_number(out, s.calls);
  out += ",\"alloc_calls\":";
  append_number(out, s.alloc_calls);
  out += ",\"alloc_calls_in_loops\":";
  append_number(out, s.alloc_calls_in_loops);
  out += ",\"free_calls\":";
  append_number(out, s.free_calls);
  out += ",\"indirect_calls\":";
  append_number(out, s.indirect_calls);
  out += ",\"loops\":";
  append_number(out, s.loops);
  out += ",\"max_loop_depth\":";
  append_signed(out, s.max_loop_depth);
  out += ",\"stack_frame_size\":";
  append_number(out, s.stack_frame_size);
  out += ",\"invalid\":";
  append_number(out, s.invalid);
  out += '}';
}

namespace {

// Bounds on what a document may claim, so that nothing read back can overflow a delta
// (summary counts are subtracted as long long) or make a listing allocate without limit
// (the loop gutter is loop_depth characters a line).
constexpr std::uint64_t kMaxCount = 1ull << 40;
constexpr std::int64_t kMaxLoopDepth = 1024;
constexpr std::int64_t kMaxIndex = std::numeric_limits<int>::max();

std::uint64_t parse_hex(const json::Node& value) {
  const std::string text = value.string();
  std::uint64_t result = 0;
  const char* begin = text.data() + (text.rfind("0x", 0) == 0 ? 2 : 0);
  const char* end = text.data() + text.size();
  const auto [stop, ec] = std::from_chars(begin, end, result, 16);
  if (begin == end || ec != std::errc() || stop != end) value.fail("expected a hex address");
  return result;
}

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
  a.insn.address = parse_hex(ij["address"]);
  a.insn.mnemonic = ij.string_or("mnemonic", "");
  a.insn.operands = ij.string_or("operands", "");
  a.label = ij.string_or("label", "");
  a.branch_label = ij.string_or("branch_target", "");
  if (const auto target = ij.find("target")) a.insn.target = parse_hex(*target);
  a.call_target = ij.string_or("call_target", "");
  a.call_symbol = ij.string_or("call_symbol", "");
  a.reference = ij.string_or("reference", "");
  if (const auto r = ij.find("reference_target")) {
    a.reference_target = Reference{parse_hex((*r)["address"]), (*r)["symbol"].string(),
                                   (*r)["offset"].integer(-static_cast<std::int64_t>(kMaxCount), static_cast<std::int64_t>(kMaxCount)),
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
  if (const auto address = fj.find("address")) f.range.address = parse_hex(*address);
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

std::string hex_address(std::uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  // Most text needs no escape: append runs in one go.
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const unsigned char u = static_cast<unsigned char>(c);
    if (c != '"' && c != '\\' && u >= 0x20 && u < 0x80) continue;
    if (u >= 0x80) {
      // Names in a binary are bytes: what is not UTF-8 becomes U+FFFD, so that the
      // document stays JSON.
      if (const std::size_t length = utf8_sequence_length(text, i); length > 0) {
        i += length - 1;
        continue;
      }
      out.append(text.data() + run, i - run);
      run = i + 1;
      out += "\\ufffd";
      continue;
    }
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        }
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

std::string describe_binary(const ObjectFile& file) {
  std::string out = "{\"path\":";
  append_json_string(out, file.path());
  out += ",\"arch\":";
  append_json_string(out, arch_info(file.arch()).name);
  out += ",\"kind\":";
  append_json_string(out, file.kind());
  out += ",\"build_id\":";
  if (file.build_id().empty()) {
    out += "null";
  } else {
    append_json_string(out, file.build_id());
  }
  out += ",\"has_symbol_table\":";
  out += file.has_symbol_table() ? "true" : "false";
  out += '}';
  return out;
}

void write_function_json(std::string& out, const AnnotatedFunction& f, SourceCache* sources) {
  // About 180 bytes an instruction: one allocation instead of a dozen doublings.
  out.reserve(out.size() + 512 + 200 * f.instructions.size());
  out += "{\"symbol\":";
  append_json_string(out, f.range.name);
  out += ",\"demangled\":";
  append_json_string(out, f.range.demangled);
  out += ",\"section\":";
  append_json_string(out, f.range.section_name);
  out += ",\"address\":";
  append_hex(out, f.range.address);
  out += ",\"size\":";
  append_number(out, f.range.size);
  out += ",\"summary\":";
  append_summary_json(out, f.summary);
  out += ",\"instructions\":[";
  {
    RawWriter w(out);
    for (std::size_t k = 0; k < f.instructions.size(); ++k) {
      const AnnotatedInstruction& a = f.instructions[k];
      // Fixed parts: keys, 3 addresses, 16 bytes, every tag, 3 numbers: under 512 bytes.
      w.ensure(512 + RawWriter::room_for(a.insn.mnemonic) + RawWriter::room_for(a.insn.operands) +
               RawWriter::room_for(a.label) + RawWriter::room_for(a.branch_label) +
               RawWriter::room_for(a.call_target) + RawWriter::room_for(a.call_symbol) +
               RawWriter::room_for(a.reference) +
               (a.source ? RawWriter::room_for(a.source->file) : 0));
      if (k > 0) w.put(',');
      w.literal("{\"address\":");
      w.hex(a.insn.address);
      w.literal(",\"bytes\":");
      w.bytes(a.insn);
      w.literal(",\"mnemonic\":");
      w.string(a.insn.mnemonic);
      w.literal(",\"operands\":");
      w.string(a.insn.operands);
      if (!a.label.empty()) {
        w.literal(",\"label\":");
        w.string(a.label);
      }
      if (a.insn.target) {
        w.literal(",\"target\":");
        w.hex(*a.insn.target);
      }
      if (!a.branch_label.empty()) {
        w.literal(",\"branch_target\":");
        w.string(a.branch_label);
      }
      if (!a.call_target.empty()) {
        w.literal(",\"call_target\":");
        w.string(a.call_target);
        if (!a.call_symbol.empty()) {
          w.literal(",\"call_symbol\":");
          w.string(a.call_symbol);
        }
      }
      if (!a.reference.empty()) {
        w.literal(",\"reference\":");
        w.string(a.reference);
      }
      if (a.reference_target) {
        const Reference& r = *a.reference_target;
        w.ensure(96 + RawWriter::room_for(r.symbol));
        w.literal(",\"reference_target\":{\"address\":");
        w.hex(r.address);
        w.literal(",\"symbol\":");
        w.string(r.symbol);
        w.literal(",\"offset\":");
        w.number(r.offset);
        if (r.got) {
          w.literal(",\"got\":true}");
        } else {
          w.literal(",\"got\":false}");
        }
        w.ensure(512 + (a.source ? RawWriter::room_for(a.source->file) : 0));
      }
      if (!a.alloc_path.empty()) {  // rare (calls that reach an allocator)
        w.literal(",\"alloc_path\":[");
        for (std::size_t p = 0; p < a.alloc_path.size(); ++p) {
          w.ensure(2 + RawWriter::room_for(a.alloc_path[p]));
          if (p > 0) w.put(',');
          w.string(a.alloc_path[p]);
        }
        // Room again for what follows (the first ensure counted no path).
        w.ensure(512 + (a.source ? RawWriter::room_for(a.source->file) : 0));
        w.put(']');
      }
      if (a.source) {
        w.literal(",\"file\":");
        w.string(a.source->file);
        w.literal(",\"line\":");
        w.number(a.source->line);
      }
      if (a.tags != 0) {
        w.literal(",\"tags\":[");
        bool first = true;
        for (std::uint32_t bit = 0; bit < kTagCount; ++bit) {
          if ((a.tags & (1u << bit)) == 0) continue;
          if (!first) w.put(',');
          first = false;
          w.string(kTagNames[bit]);
        }
        w.put(']');
      }
      w.literal(",\"block\":");
      w.number(a.block);
      if (a.loop >= 0) {
        w.literal(",\"loop\":");
        w.number(a.loop);
      }
      w.literal(",\"loop_depth\":");
      w.number(a.loop_depth);
      if (a.heat) {  // rare (--counts): through the plain appends
        w.finish();
        append_heat(out, *a.heat);
        w.ensure(1);
      }
      w.put('}');
    }
    w.finish();
  }
  out += "],\"blocks\":[";
  for (std::size_t k = 0; k < f.blocks.size(); ++k) {
    const BasicBlock& b = f.blocks[k];
    if (k > 0) out += ',';
    out += "{\"id\":";
    append_signed(out, b.id);
    out += ",\"start\":";
    append_hex(out, f.instructions[b.first].insn.address);
    out += ",\"end\":";
    append_hex(out, f.instructions[b.last].insn.address + f.instructions[b.last].insn.size);
    out += ",\"instructions\":";
    append_number(out, b.last - b.first + 1);
    out += ",\"successors\":[";
    for (std::size_t s = 0; s < b.successors.size(); ++s) {
      if (s > 0) out += ',';
      append_signed(out, b.successors[s]);
    }
    out += "],\"reachable\":";
    out += b.reachable ? "true" : "false";
    if (b.loop >= 0) {
      out += ",\"loop\":";
      append_signed(out, b.loop);
    }
    out += '}';
  }
  out += "],\"loops\":[";
  for (std::size_t k = 0; k < f.loops.size(); ++k) {
    const Loop& l = f.loops[k];
    if (k > 0) out += ',';
    out += "{\"id\":";
    append_signed(out, l.id);
    out += ",\"header\":";
    append_signed(out, l.header);
    out += ",\"header_address\":";
    append_hex(out,
               f.instructions[f.blocks[static_cast<std::size_t>(l.header)].first].insn.address);
    out += ",\"depth\":";
    append_signed(out, l.depth);
    out += ",\"parent\":";
    if (l.parent >= 0) {
      append_signed(out, l.parent);
    } else {
      out += "null";
    }
    out += ",\"blocks\":[";
    for (std::size_t b = 0; b < l.blocks.size(); ++b) {
      if (b > 0) out += ',';
      append_signed(out, l.blocks[b]);
    }
    out += "],\"back_edges\":[";
    for (std::size_t e = 0; e < l.back_edges.size(); ++e) {
      if (e > 0) out += ',';
      out += '[';
      append_signed(out, l.back_edges[e].first);
      out += ',';
      append_signed(out, l.back_edges[e].second);
      out += ']';
    }
    out += "]}";
  }
  out += ']';
  if (sources != nullptr) {
    out += ",\"source_lines\":[";
    std::set<std::pair<std::string, int>> seen;
    bool first = true;
    for (const AnnotatedInstruction& a : f.instructions) {
      if (!a.source || !seen.insert({a.source->file, a.source->line}).second) continue;
      const std::optional<std::string> text = sources->line(a.source->file, a.source->line);
      if (!text) continue;
      if (!first) out += ',';
      first = false;
      out += "{\"file\":";
      append_json_string(out, a.source->file);
      out += ",\"line\":";
      append_number(out, static_cast<std::uint64_t>(a.source->line));
      out += ",\"text\":";
      append_json_string(out, *text);
      out += '}';
    }
    out += ']';
  }
  out += '}';
}

void write_disasm_document(std::string& out, const std::string& binary_json, Syntax syntax,
                           std::span<const AnnotatedFunction> functions, SourceCache* sources) {
  out += "{\"schema\":\"deferlab.disasm/1\",\"binary\":";
  out += binary_json;
  out += ",\"syntax\":";
  out += syntax == Syntax::kAtt ? "\"att\"" : "\"intel\"";
  out += ",\"functions\":[";
  for (std::size_t k = 0; k < functions.size(); ++k) {
    if (k > 0) out += ',';
    write_function_json(out, functions[k], sources);
  }
  out += "]}";
}

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
