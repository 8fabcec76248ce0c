// Text, Markdown and JSON renderings of a FunctionDiff (disasm/diff_render.h).
#include "disasm/diff_render.h"

#include <algorithm>

#include <cstdio>

#include "common/text_escape.h"
#include "disasm/disasm_json.h"
#include "disasm/listing.h"

namespace deferlab::disasm {
namespace {

std::string signed_text(long long v) {
  return (v > 0 ? "+" : "") + std::to_string(v);
}

std::string percent_text(double p) {
  char text[16];
  std::snprintf(text, sizeof text, "%.1f%%", p);
  return text;
}

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text;
}

std::string line_of(const AnnotatedInstruction& a) {
  const std::string operands = display_operands(a);
  std::string text = operands.empty() ? a.insn.mnemonic : pad(a.insn.mnemonic, 7) + " " + operands;
  const std::string note = annotation_text(a);
  if (!note.empty()) text = pad(text, 44) + " ; " + note;
  return text;
}

std::string file_name(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Where an instruction is: "0x1003 loop.cc:12" (the source line when the side has one).
std::string place_of(const AnnotatedInstruction& a) {
  std::string text = hex_address(a.insn.address);
  if (a.source) text += " " + file_name(a.source->file) + ":" + std::to_string(a.source->line);
  return text;
}

// A label's definition, so that ".L3" in a branch can be found: ".L3:  ; 0x1003 f.cc:12".
std::string label_line(const std::string& label, const std::string& where) {
  return pad(label + ":", 44) + " ; " + where;
}

// The label lines before an instruction pair: one ' ' line when both sides define the same
// label there, else a '-' line for A's and a '+' line for B's.
void append_labels(const AnnotatedInstruction* ia, const AnnotatedInstruction* ib,
                   std::string& removed, std::string& added, std::string* same) {
  if (same != nullptr && ia != nullptr && ib != nullptr && !ia->label.empty() &&
      ia->label == ib->label) {
    *same += "  " +
             visible_text(label_line(ib->label, "a " + place_of(*ia) + ", b " + place_of(*ib))) +
             "\n";
    return;
  }
  if (ia != nullptr && !ia->label.empty()) {
    removed += "- " + visible_text(label_line(ia->label, place_of(*ia))) + "\n";
  }
  if (ib != nullptr && !ib->label.empty()) {
    added += "+ " + visible_text(label_line(ib->label, place_of(*ib))) + "\n";
  }
}

// The listing body shared by text and Markdown: ' ' equal, '-' only in A, '+' only in B.
// Within a run of changes, A's lines come first, then B's, as in a unified diff. Label
// definitions come before the instruction they name. Every line goes through
// visible_text: operands and names cannot break a line or a fence.
std::string diff_lines(const DiffSide& a, const DiffSide& b, const FunctionDiff& d) {
  std::string out;
  std::string removed;
  std::string added;
  auto flush = [&] {
    out += removed + added;
    removed.clear();
    added.clear();
  };
  for (const DiffOp& op : d.ops) {
    const AnnotatedInstruction* ia =
        op.a >= 0 ? &a.function->instructions[static_cast<std::size_t>(op.a)] : nullptr;
    const AnnotatedInstruction* ib =
        op.b >= 0 ? &b.function->instructions[static_cast<std::size_t>(op.b)] : nullptr;
    if (op.kind == DiffOpKind::kEqual) {
      flush();
      append_labels(ia, ib, removed, added, &out);
      flush();
      out += "  " + visible_text(line_of(*ib)) + "\n";
      continue;
    }
    append_labels(ia, ib, removed, added, nullptr);
    if (ia != nullptr) removed += "- " + visible_text(line_of(*ia)) + "\n";
    if (ib != nullptr) added += "+ " + visible_text(line_of(*ib)) + "\n";
  }
  flush();
  return out;
}

std::string counts_text(const FunctionDiff& d) {
  return std::to_string(d.equal) + " equal, " + std::to_string(d.replaced) + " replaced, " +
         std::to_string(d.inserted) + " inserted, " + std::to_string(d.deleted) + " deleted";
}

void append_side(std::string& out, const DiffSide& side) {
  const AnnotatedFunction& f = *side.function;
  out += "{\"source\":";
  append_json_string(out, side.source);
  out += ",\"arch\":";
  append_json_string(out, side.arch);
  out += ",\"symbol\":";
  append_json_string(out, f.range.name);
  out += ",\"demangled\":";
  append_json_string(out, f.range.demangled);
  out += ",\"address\":";
  append_json_string(out, hex_address(f.range.address));
  out += ",\"summary\":";
  append_summary_json(out, f.summary);
  out += '}';
}

void append_op_side(std::string& out, const AnnotatedInstruction& a,
                    const std::string& normalized) {
  out += "{\"address\":";
  append_json_string(out, hex_address(a.insn.address));
  out += ",\"text\":";
  append_json_string(out, a.insn.mnemonic + " " + display_operands(a));
  out += ",\"normalized\":";
  append_json_string(out, normalized);
  if (!a.label.empty()) {
    out += ",\"label\":";
    append_json_string(out, a.label);
  }
  const std::vector<std::string> tags = tag_names(a.tags);
  if (!tags.empty()) {
    out += ",\"tags\":[";
    for (std::size_t k = 0; k < tags.size(); ++k) {
      if (k > 0) out += ',';
      append_json_string(out, tags[k]);
    }
    out += ']';
  }
  out += '}';
}

}  // namespace

std::string describe_delta(const SummaryDelta& delta) {
  return "instructions " + signed_text(delta.instructions) + ", calls " + signed_text(delta.calls) +
         ", alloc calls " + signed_text(delta.alloc_calls) + ", alloc calls in loops " +
         signed_text(delta.alloc_calls_in_loops) + ", indirect calls " +
         signed_text(delta.indirect_calls) + ", loops " + signed_text(delta.loops) + ", frame " +
         signed_text(delta.stack_frame_size) + " bytes";
}

std::string render_diff_text(const DiffSide& a, const DiffSide& b, const FunctionDiff& d) {
  std::string out = visible_text("--- a: " + a.function->range.demangled + "  (" + a.source + ", " +
                                 a.arch + ")") +
                    "\n";
  out += visible_text("+++ b: " + b.function->range.demangled + "  (" + b.source + ", " + b.arch +
                      ")") +
         "\n";
  out += "match " + percent_text(d.match_percent) + " (" + counts_text(d) + "; " +
         std::to_string(a.function->instructions.size()) + " vs " +
         std::to_string(b.function->instructions.size()) + " instructions)\n";
  out += "b - a: " + describe_delta(d.delta) + "\n";
  out += diff_lines(a, b, d);
  return out;
}

std::string render_diff_markdown(const DiffSide& a, const DiffSide& b, const FunctionDiff& d,
                                 std::size_t max_chars) {
  const Summary& sa = a.function->summary;
  const Summary& sb = b.function->summary;
  std::string out = "**" + percent_text(d.match_percent) + " match** (" + counts_text(d) + ")\n\n";
  out += "| | a: " + markdown_code(a.function->range.demangled) +
         " | b: " + markdown_code(b.function->range.demangled) + " |\n";
  out += "|---|---:|---:|\n";
  auto row = [&](const char* name, auto x, auto y) {
    out +=
        std::string("| ") + name + " | " + std::to_string(x) + " | " + std::to_string(y) + " |\n";
  };
  row("instructions", sa.instructions, sb.instructions);
  row("calls", sa.calls, sb.calls);
  row("alloc calls", sa.alloc_calls, sb.alloc_calls);
  row("alloc calls in loops", sa.alloc_calls_in_loops, sb.alloc_calls_in_loops);
  row("indirect calls", sa.indirect_calls, sb.indirect_calls);
  row("loops", sa.loops, sb.loops);
  row("stack frame (bytes)", sa.stack_frame_size, sb.stack_frame_size);
  std::string body = diff_lines(a, b, d);
  // Room for the fences and the closing line; names in the table are the only unbounded
  // part above, and a table over the budget leaves no body at all.
  constexpr std::size_t kReserve = 300;
  const std::size_t room =
      out.size() + kReserve < max_chars ? max_chars - out.size() - kReserve : 0;
  std::string closing;
  if (body.size() > room) {
    const std::size_t keep = room == 0 ? 0 : body.rfind('\n', room - 1);
    const std::size_t kept_end = keep == std::string::npos ? 0 : keep + 1;
    const std::size_t total = static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n'));
    const std::size_t kept = static_cast<std::size_t>(
        std::count(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(kept_end), '\n'));
    body.resize(kept_end);
    closing = "\n_Diff cut after " + std::to_string(kept) + " of " + std::to_string(total) +
              " lines to stay under " + std::to_string(max_chars) +
              " characters; `deferlab diff A B` (text) shows every line._\n";
  }
  const std::string fence = markdown_fence(body);
  out += "\n" + fence + "diff\n" + body + fence + "\n" + closing;
  return out;
}

std::string render_diff_json(const DiffSide& a, const DiffSide& b, const FunctionDiff& d,
                             const DiffOptions& options) {
  std::string out = "{\"schema\":\"deferlab.diff/1\",\"a\":";
  append_side(out, a);
  out += ",\"b\":";
  append_side(out, b);
  out += ",\"options\":{\"ignore_registers\":";
  out += options.ignore_registers ? "true" : "false";
  char match[32];
  std::snprintf(match, sizeof match, "%.4f", d.match_percent);
  out += "},\"match_percent\":";
  out += match;
  out += ",\"match_definition\":";
  append_json_string(out, kMatchDefinition);
  out += ",\"counts\":{\"equal\":" + std::to_string(d.equal) +
         ",\"replace\":" + std::to_string(d.replaced) +
         ",\"insert\":" + std::to_string(d.inserted) + ",\"delete\":" + std::to_string(d.deleted) +
         "}";
  const SummaryDelta& delta = d.delta;
  out += ",\"summary_delta\":{\"instructions\":" + std::to_string(delta.instructions) +
         ",\"bytes\":" + std::to_string(delta.bytes) + ",\"calls\":" + std::to_string(delta.calls) +
         ",\"alloc_calls\":" + std::to_string(delta.alloc_calls) +
         ",\"alloc_calls_in_loops\":" + std::to_string(delta.alloc_calls_in_loops) +
         ",\"free_calls\":" + std::to_string(delta.free_calls) +
         ",\"indirect_calls\":" + std::to_string(delta.indirect_calls) +
         ",\"loops\":" + std::to_string(delta.loops) +
         ",\"max_loop_depth\":" + std::to_string(delta.max_loop_depth) +
         ",\"stack_frame_size\":" + std::to_string(delta.stack_frame_size) + "}";
  out += ",\"ops\":[";
  bool first = true;
  for (const DiffOp& op : d.ops) {
    if (!first) out += ',';
    first = false;
    static const char* const kNames[] = {"equal", "replace", "insert", "delete"};
    out += "{\"op\":\"";
    out += kNames[static_cast<int>(op.kind)];
    out += '"';
    if (op.a >= 0) {
      out += ",\"a\":";
      append_op_side(out, a.function->instructions[static_cast<std::size_t>(op.a)],
                     d.normalized_a[static_cast<std::size_t>(op.a)]);
    }
    if (op.b >= 0) {
      out += ",\"b\":";
      append_op_side(out, b.function->instructions[static_cast<std::size_t>(op.b)],
                     d.normalized_b[static_cast<std::size_t>(op.b)]);
    }
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace deferlab::disasm
