// Writing deferlab.disasm/1 documents (disasm_json.h): the binary, each function's
// instructions, blocks, loops and source lines.
#include "disasm/disasm_json.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <set>

#include "common/error.h"
#include "common/text_escape.h"
#include "disasm/json_raw_writer.h"

namespace deferlab::disasm {
namespace {

using detail::hex_digits;
using detail::RawWriter;

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

// The optional names of an instruction: label, targets, callee, reference.
void write_names(RawWriter& w, const AnnotatedInstruction& a) {
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
}

// One instruction object, through `w`; its rare heat fields through `out` (w.finish()
// first, so the order holds).
void write_instruction(RawWriter& w, std::string& out, const AnnotatedInstruction& a) {
  // Fixed parts: keys, 3 addresses, 16 bytes, every tag, 3 numbers: under 512 bytes.
  w.ensure(512 + RawWriter::room_for(a.insn.mnemonic) + RawWriter::room_for(a.insn.operands) +
           RawWriter::room_for(a.label) + RawWriter::room_for(a.branch_label) +
           RawWriter::room_for(a.call_target) + RawWriter::room_for(a.call_symbol) +
           RawWriter::room_for(a.reference) + (a.source ? RawWriter::room_for(a.source->file) : 0));
  w.literal("{\"address\":");
  w.hex(a.insn.address);
  w.literal(",\"bytes\":");
  w.bytes(a.insn);
  w.literal(",\"mnemonic\":");
  w.string(a.insn.mnemonic);
  w.literal(",\"operands\":");
  w.string(a.insn.operands);
  write_names(w, a);
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

void write_blocks(std::string& out, const AnnotatedFunction& f) {
  out += ",\"blocks\":[";
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
  out += ']';
}

void write_loops(std::string& out, const AnnotatedFunction& f) {
  out += ",\"loops\":[";
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
}

void write_source_lines(std::string& out, const AnnotatedFunction& f, SourceCache& sources) {
  out += ",\"source_lines\":[";
  std::set<std::pair<std::string, int>> seen;
  bool first = true;
  for (const AnnotatedInstruction& a : f.instructions) {
    if (!a.source || !seen.insert({a.source->file, a.source->line}).second) continue;
    const std::optional<std::string> text = sources.line(a.source->file, a.source->line);
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

}  // namespace

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
      if (k > 0) {
        w.ensure(1);
        w.put(',');
      }
      write_instruction(w, out, f.instructions[k]);
    }
    w.finish();
  }
  out += ']';
  write_blocks(out, f);
  write_loops(out, f);
  if (sources != nullptr) write_source_lines(out, f, *sources);
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

}  // namespace deferlab::disasm
