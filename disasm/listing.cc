#include "disasm/listing.h"

#include <cctype>
#include <cstdio>
#include <optional>
#include <vector>

#include "disasm/disasm_json.h"

namespace deferlab::disasm {
namespace {

// Position of the last hexadecimal literal in `text` ("0x1234" or "#0x1234").
std::pair<std::size_t, std::size_t> last_hex_literal(const std::string& text) {
  const std::size_t at = text.rfind("0x");
  if (at == std::string::npos) return {std::string::npos, 0};
  std::size_t end = at + 2;
  while (end < text.size() && std::isxdigit(static_cast<unsigned char>(text[end]))) ++end;
  std::size_t begin = at;
  if (begin > 0 && text[begin - 1] == '#') --begin;
  if (begin > 0 && text[begin - 1] == '$') --begin;  // AT&T immediates
  return {begin, end - begin};
}

std::string bytes_text(const Instruction& insn, std::size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t i = 0; i < insn.size && i < max_bytes; ++i) {
    if (i > 0) out += ' ';
    out += kHex[insn.bytes[i] >> 4];
    out += kHex[insn.bytes[i] & 15];
  }
  if (insn.size > max_bytes) out += " ..";
  return out;
}

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text;
}

std::string trim_right(std::string text) {
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

struct Line {
  std::string gutter;
  std::string text;
};

template <class Emit>
void each_line(const AnnotatedFunction& f, const ListingOptions& options, Emit emit) {
  std::optional<SourceLocation> shown;
  for (const AnnotatedInstruction& a : f.instructions) {
    const std::string gutter(static_cast<std::size_t>(a.loop_depth), '|');
    if (options.sources != nullptr && a.source &&
        (!shown || shown->file != a.source->file || shown->line != a.source->line)) {
      shown = a.source;
      const std::optional<std::string> text = options.sources->line(a.source->file, a.source->line);
      std::string file = a.source->file;
      if (const std::size_t slash = file.rfind('/'); slash != std::string::npos) {
        file = file.substr(slash + 1);
      }
      emit(Line{gutter,
                "// " + file + ":" + std::to_string(a.source->line) + (text ? "  " + *text : "")});
    }
    if (!a.label.empty()) emit(Line{gutter, a.label + ":"});
    std::string text = hex_address(a.insn.address);
    text = pad(text, 10) + "  ";
    if (options.bytes) text += pad(bytes_text(a.insn, 8), 26) + "  ";
    text += pad(a.insn.mnemonic, 7) + " " + display_operands(a);
    const std::string note = annotation_text(a);
    if (!note.empty()) text = pad(text, options.bytes ? 78 : 52) + " ; " + note;
    emit(Line{gutter, "  " + trim_right(text)});
  }
}

}  // namespace

std::string display_operands(const AnnotatedInstruction& a) {
  std::string operands = a.insn.operands;
  std::string replacement;
  if (!a.branch_label.empty()) {
    replacement = a.branch_label;
  } else if (a.insn.target && !a.call_target.empty()) {
    replacement = a.call_target;
  }
  if (replacement.empty()) return operands;
  const auto [begin, length] = last_hex_literal(operands);
  if (begin == std::string::npos) return operands;
  return operands.replace(begin, length, replacement);
}

std::string annotation_text(const AnnotatedInstruction& a) {
  std::vector<std::string> notes;
  if (a.tags & kTagAlloc) notes.emplace_back("ALLOC");
  if (a.tags & kTagFree) notes.emplace_back("free");
  if (a.tags & kTagThrow) notes.emplace_back("throw");
  if (a.tags & kTagUnwind) notes.emplace_back("unwind");
  if (a.tags & kTagStackCheck) notes.emplace_back("stack check");
  if (a.tags & kTagTailCall) notes.emplace_back("tail call");
  if (a.tags & kTagIndirectCall) {
    notes.emplace_back(a.call_target.empty() ? "indirect call" : "indirect call " + a.call_target);
  } else if (!a.call_target.empty() && !a.insn.target) {
    notes.emplace_back(a.call_target);  // named through the GOT or a relocation
  }
  if (!a.reference.empty()) notes.emplace_back(a.reference);
  if (a.loop >= 0 && (a.tags & (kTagAlloc | kTagCall))) {
    notes.emplace_back("in loop " + std::to_string(a.loop));
  }
  std::string text;
  for (const std::string& note : notes) text += (text.empty() ? "" : ", ") + note;
  return text;
}

std::string summary_text(const Summary& s) {
  std::string text = plural(s.instructions, "instruction", "instructions") + ", " +
                     std::to_string(s.bytes) + " bytes, " + plural(s.calls, "call", "calls") +
                     ", " + plural(s.alloc_calls, "alloc call", "alloc calls") + " (" +
                     std::to_string(s.alloc_calls_in_loops) + " in loops), " +
                     plural(s.indirect_calls, "indirect call", "indirect calls") + ", " +
                     plural(s.loops, "loop", "loops");
  if (s.loops > 0) text += " (max depth " + std::to_string(s.max_loop_depth) + ")";
  text += ", frame " + std::to_string(s.stack_frame_size) + " bytes";
  if (s.invalid > 0)
    text += ", " + plural(s.invalid, "undecodable byte run", "undecodable byte runs");
  return text;
}

std::string render_function_text(const AnnotatedFunction& f, const ListingOptions& options) {
  std::string out = f.range.demangled + "\n";
  out += "  " + f.range.name + "  " + f.range.section_name + " " + hex_address(f.range.address) +
         ", " + std::to_string(f.range.size) + " bytes\n";
  out += "  " + summary_text(f.summary) + "\n";
  each_line(f, options,
            [&](const Line& line) { out += trim_right(pad(line.gutter, 3) + line.text) + "\n"; });
  return out;
}

std::string render_function_markdown(const AnnotatedFunction& f, const ListingOptions& options) {
  std::string out = "**`" + f.range.demangled + "`** (" + std::to_string(f.range.size) +
                    " bytes at " + hex_address(f.range.address) + ")  \n";
  out += summary_text(f.summary) + "\n\n```asm\n";
  ListingOptions compact = options;
  compact.bytes = false;
  each_line(f, compact,
            [&](const Line& line) { out += trim_right(pad(line.gutter, 3) + line.text) + "\n"; });
  out += "```\n";
  return out;
}

}  // namespace deferlab::disasm
