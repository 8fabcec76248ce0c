#include "disasm/disasm_json.h"

#include <charconv>
#include <cstdio>
#include <set>

#include "harness/error.h"

namespace deferlab::disasm {
namespace {

// "0x1a2b" in quotes; by hand, as snprintf costs more than the rest of an instruction.
void append_hex(std::string& out, std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  char text[20];
  char* end = text + sizeof text;
  char* p = end;
  do {
    *--p = kDigits[value & 15];
    value >>= 4;
  } while (value != 0);
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

void append_bytes(std::string& out, const Instruction& insn) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::uint8_t i = 0; i < insn.size; ++i) {
    if (i > 0) out += ' ';
    out += kHex[insn.bytes[i] >> 4];
    out += kHex[insn.bytes[i] & 15];
  }
  out += '"';
}

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

std::uint64_t parse_hex(const nlohmann::json& value, const std::string& where,
                        const std::string& source) {
  if (!value.is_string()) throw Error(where + " is not a hex string", source);
  const std::string text = value.get<std::string>();
  std::uint64_t result = 0;
  const char* begin = text.data() + (text.rfind("0x", 0) == 0 ? 2 : 0);
  const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), result, 16);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw Error(where + " is not a hex address: " + text, source);
  }
  return result;
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
    if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) continue;
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
  for (std::size_t k = 0; k < f.instructions.size(); ++k) {
    const AnnotatedInstruction& a = f.instructions[k];
    if (k > 0) out += ',';
    out += "{\"address\":";
    append_hex(out, a.insn.address);
    out += ",\"bytes\":";
    append_bytes(out, a.insn);
    out += ",\"mnemonic\":";
    append_json_string(out, a.insn.mnemonic);
    out += ",\"operands\":";
    append_json_string(out, a.insn.operands);
    if (!a.label.empty()) {
      out += ",\"label\":";
      append_json_string(out, a.label);
    }
    if (a.insn.target) {
      out += ",\"target\":";
      append_hex(out, *a.insn.target);
    }
    if (!a.branch_label.empty()) {
      out += ",\"branch_target\":";
      append_json_string(out, a.branch_label);
    }
    if (!a.call_target.empty()) {
      out += ",\"call_target\":";
      append_json_string(out, a.call_target);
      if (!a.call_symbol.empty()) {
        out += ",\"call_symbol\":";
        append_json_string(out, a.call_symbol);
      }
    }
    if (!a.reference.empty()) {
      out += ",\"reference\":";
      append_json_string(out, a.reference);
    }
    if (a.source) {
      out += ",\"file\":";
      append_json_string(out, a.source->file);
      out += ",\"line\":";
      append_number(out, static_cast<std::uint64_t>(a.source->line));
    }
    if (a.tags != 0) {
      out += ",\"tags\":[";
      bool first = true;
      for (std::uint32_t bit = 0; bit < kTagCount; ++bit) {
        if ((a.tags & (1u << bit)) == 0) continue;
        if (!first) out += ',';
        first = false;
        out += '"';
        out += kTagNames[bit];
        out += '"';
      }
      out += ']';
    }
    out += ",\"block\":";
    append_signed(out, a.block);
    if (a.loop >= 0) {
      out += ",\"loop\":";
      append_signed(out, a.loop);
    }
    out += ",\"loop_depth\":";
    append_signed(out, a.loop_depth);
    out += '}';
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

std::vector<AnnotatedFunction> read_disasm_document(const nlohmann::json& document,
                                                    const std::string& source) {
  auto fail = [&](const std::string& what) -> Error {
    return Error("not a deferlab.disasm/1 document: " + what, source,
                 "write one with `deferlab disasm BINARY --symbol NAME --format json`");
  };
  if (!document.is_object() || document.value("schema", "") != "deferlab.disasm/1") {
    throw fail("no \"schema\": \"deferlab.disasm/1\"");
  }
  const auto functions = document.find("functions");
  if (functions == document.end() || !functions->is_array()) throw fail("no \"functions\" array");
  std::vector<AnnotatedFunction> result;
  for (std::size_t k = 0; k < functions->size(); ++k) {
    const nlohmann::json& fj = (*functions)[k];
    const std::string where = "functions[" + std::to_string(k) + "]";
    if (!fj.is_object() || !fj.contains("instructions") || !fj["instructions"].is_array()) {
      throw fail(where + " has no instructions");
    }
    AnnotatedFunction f;
    f.range.name = fj.value("symbol", "");
    f.range.demangled = fj.value("demangled", f.range.name);
    f.range.section_name = fj.value("section", "");
    f.range.address =
        parse_hex(fj.value("address", nlohmann::json("0x0")), where + ".address", source);
    f.range.size = fj.value("size", 0ull);
    const nlohmann::json summary = fj.value("summary", nlohmann::json::object());
    f.summary.instructions = summary.value("instructions", 0ull);
    f.summary.bytes = summary.value("bytes", 0ull);
    f.summary.calls = summary.value("calls", 0ull);
    f.summary.alloc_calls = summary.value("alloc_calls", 0ull);
    f.summary.alloc_calls_in_loops = summary.value("alloc_calls_in_loops", 0ull);
    f.summary.free_calls = summary.value("free_calls", 0ull);
    f.summary.indirect_calls = summary.value("indirect_calls", 0ull);
    f.summary.loops = summary.value("loops", 0ull);
    f.summary.max_loop_depth = summary.value("max_loop_depth", 0);
    f.summary.stack_frame_size = summary.value("stack_frame_size", 0ull);
    if (const auto lines = fj.find("source_lines"); lines != fj.end() && lines->is_array()) {
      for (const nlohmann::json& l : *lines) {
        if (l.is_object() && l.contains("file") && l.contains("line") && l.contains("text")) {
          f.source_text[{l.value("file", ""), l.value("line", 0)}] = l.value("text", "");
        }
      }
    }
    for (const nlohmann::json& ij : fj["instructions"]) {
      if (!ij.is_object()) throw fail(where + " has an instruction that is not an object");
      AnnotatedInstruction a;
      a.insn.address =
          parse_hex(ij.value("address", nlohmann::json()), where + " instruction address", source);
      a.insn.mnemonic = ij.value("mnemonic", "");
      a.insn.operands = ij.value("operands", "");
      a.label = ij.value("label", "");
      a.branch_label = ij.value("branch_target", "");
      if (ij.contains("target")) {
        a.insn.target = parse_hex(ij["target"], where + " instruction target", source);
      }
      a.call_target = ij.value("call_target", "");
      a.call_symbol = ij.value("call_symbol", "");
      a.reference = ij.value("reference", "");
      a.loop = ij.value("loop", -1);
      a.loop_depth = ij.value("loop_depth", 0);
      a.block = ij.value("block", -1);
      if (ij.contains("line") && ij.contains("file")) {
        a.source = SourceLocation{ij.value("file", ""), ij.value("line", 0)};
      }
      const std::string bytes = ij.value("bytes", "");
      for (std::size_t p = 0; p + 1 < bytes.size() && a.insn.size < a.insn.bytes.size(); p += 3) {
        unsigned value = 0;
        std::from_chars(bytes.data() + p, bytes.data() + p + 2, value, 16);
        a.insn.bytes[a.insn.size++] = static_cast<std::uint8_t>(value);
      }
      if (ij.contains("tags") && ij["tags"].is_array()) {
        for (const nlohmann::json& tag : ij["tags"]) {
          if (!tag.is_string()) continue;
          const std::vector<std::string> all = tag_names(0xffffffffu);
          for (std::size_t bit = 0; bit < all.size(); ++bit) {
            if (all[bit] == tag.get<std::string>()) a.tags |= 1u << bit;
          }
        }
      }
      f.instructions.push_back(std::move(a));
    }
    result.push_back(std::move(f));
  }
  return result;
}

}  // namespace deferlab::disasm
