// Text and Markdown listings of annotated functions (disasm/listing.h).
#include "disasm/listing.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>
#include <vector>

#include "common/text_escape.h"
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

// Every byte of the encoding (x86-64 instructions run to 15), so a reader can paste them
// into an assembler or compare them with objdump; nothing is cut.
std::string bytes_text(const Instruction& insn) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t i = 0; i < insn.size; ++i) {
    if (i > 0) out += ' ';
    out += kHex[insn.bytes[i] >> 4];
    out += kHex[insn.bytes[i] & 15];
  }
  return out;
}

// The bytes column's width for a function: its longest encoding, and at least the 8 bytes
// most instructions fit in, so columns line up within a listing.
std::size_t bytes_width(const AnnotatedFunction& f) {
  std::size_t longest = 8;
  for (const AnnotatedInstruction& a : f.instructions) {
    longest = std::max<std::size_t>(longest, a.insn.size);
  }
  return longest * 3 + 2;
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
  std::string heat;  // the heat column, empty on lines that are not instructions
};

// Width of the heat column, when the function has one.
constexpr std::size_t kHeatWidth = 9;

bool has_heat(const AnnotatedFunction& f) {
  for (const AnnotatedInstruction& a : f.instructions) {
    if (a.heat) return true;
  }
  return false;
}

std::string pad_left(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

// One listing line: the heat column (when the function has heat), the loop gutter, text.
std::string compose(const Line& line, bool heat) {
  const std::string column = heat ? pad_left(line.heat, kHeatWidth) + " " : "";
  return trim_right(column + pad(line.gutter, 3) + line.text);
}

template <class Emit>
void each_line(const AnnotatedFunction& f, const ListingOptions& options, Emit emit) {
  std::optional<SourceLocation> shown;
  const std::size_t bytes_column = options.bytes ? bytes_width(f) : 0;
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
                "// " + file + ":" + std::to_string(a.source->line) + (text ? "  " + *text : ""),
                ""});
    }
    if (!a.label.empty()) emit(Line{gutter, a.label + ":", ""});
    std::string text = hex_address(a.insn.address);
    text = pad(text, 10) + "  ";
    if (options.bytes) text += pad(bytes_text(a.insn), bytes_column) + "  ";
    text += pad(a.insn.mnemonic, 7) + " " + display_operands(a);
    const std::string note = annotation_text(a);
    if (!note.empty()) text = pad(text, 52 + (options.bytes ? bytes_column : 0)) + " ; " + note;
    emit(Line{gutter, "  " + trim_right(text), heat_text(a)});
  }
}

}  // namespace

std::string display_operands(const AnnotatedInstruction& a) {
  std::string operands = a.insn.operands.str();
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

std::string heat_text(const AnnotatedInstruction& a) {
  if (!a.heat) return "-";
  if (a.heat->per_iteration) {
    const double v = *a.heat->per_iteration;
    char text[32];
    if (v == static_cast<double>(static_cast<long long>(v))) {
      std::snprintf(text, sizeof text, "%lld", static_cast<long long>(v));
    } else {
      std::snprintf(text, sizeof text, "%.2f", v);
    }
    return text;
  }
  return a.heat->executions ? std::to_string(*a.heat->executions) : "-";
}

std::string annotation_text(const AnnotatedInstruction& a) {
  std::vector<std::string> notes;
  if (a.tags & kTagAlloc) notes.emplace_back("ALLOC");
  if (a.tags & kTagAllocReachable) {
    std::string path;
    for (const std::string& step : a.alloc_path) path += (path.empty() ? "" : " \u2192 ") + step;
    notes.emplace_back("reaches ALLOC: " + path);
  }
  if (a.tags & kTagCold) notes.emplace_back("cold");
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
  if (a.reference_target) {
    // objdump's form: "0x1025c0 <counter+0x8>"
    notes.emplace_back(hex_address(a.reference_target->address) + " <" + a.reference + ">");
  } else if (!a.reference.empty()) {
    notes.emplace_back(a.reference);  // a relocation in an object file: no address yet
  }
  if (a.loop >= 0 && (a.tags & (kTagAlloc | kTagCall | kTagAllocReachable))) {
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

// Names, operands and source text come from the binary or a JSON file: every line goes
// out through visible_text, so none can hold a newline or a terminal escape sequence.
std::string render_function_text(const AnnotatedFunction& f, const ListingOptions& options) {
  std::string out = visible_text(f.range.demangled) + "\n";
  out +=
      visible_text("  " + f.range.name + "  " + f.range.section_name + " " +
                   hex_address(f.range.address) + ", " + std::to_string(f.range.size) + " bytes") +
      "\n";
  out += "  " + summary_text(f.summary) + "\n";
  const bool heat = has_heat(f);
  if (heat && !options.heat_note.empty())
    out += "  heat: " + visible_text(options.heat_note) + "\n";
  each_line(f, options, [&](const Line& line) { out += visible_text(compose(line, heat)) + "\n"; });
  return out;
}

std::string render_function_markdown(const AnnotatedFunction& f, const ListingOptions& options) {
  std::string out = "**" + markdown_code(f.range.demangled, false) + "** (" +
                    std::to_string(f.range.size) + " bytes at " + hex_address(f.range.address) +
                    ")  \n";
  out += summary_text(f.summary) + "\n";
  const bool heat = has_heat(f);
  if (heat && !options.heat_note.empty()) out += "heat: " + markdown_text(options.heat_note) + "\n";
  out += "\n";
  std::string body;
  each_line(f, options,
            [&](const Line& line) { body += visible_text(compose(line, heat)) + "\n"; });
  // A fence longer than any run of backticks in the body, so no name can close it.
  const std::string fence = markdown_fence(body);
  out += fence + "asm\n" + body + fence + "\n";
  return out;
}

namespace {

// The closing line names at most this many cut functions, so its length is bounded.
constexpr std::size_t kNamedCuts = 10;
constexpr std::size_t kNameChars = 120;
constexpr std::size_t kClosingReserve = 400 + kNamedCuts * (kNameChars + 8);

// The summary table, using at most half the budget (the listings get the rest), and a line
// saying how many functions did not fit in it.
std::string summary_table(const std::vector<AnnotatedFunction>& functions, std::size_t max_chars) {
  std::string table =
      "| function | instructions | alloc calls (in loops) | calls reaching one | loops |\n"
      "|---|--:|--:|--:|--:|\n";
  std::size_t rows = 0;
  for (const AnnotatedFunction& f : functions) {
    std::size_t reaching = 0;
    for (const AnnotatedInstruction& a : f.instructions) {
      if (a.tags & kTagAllocReachable) ++reaching;
    }
    const std::string row =
        "| " + markdown_code(f.range.demangled) + " | " + std::to_string(f.summary.instructions) +
        " | " + std::to_string(f.summary.alloc_calls) + " (" +
        std::to_string(f.summary.alloc_calls_in_loops) + ") | " + std::to_string(reaching) + " | " +
        std::to_string(f.summary.loops) + " |\n";
    if (table.size() + row.size() > max_chars / 2) break;
    table += row;
    ++rows;
  }
  const std::size_t left = functions.size() - rows;
  if (left > 0) {
    table += "\n_" + std::to_string(left) + " more function" + (left == 1 ? "" : "s") +
             " not in the table._\n";
  }
  return table;
}

// Each function's listing in its own <details>.
std::vector<std::string> detail_sections(const std::vector<AnnotatedFunction>& functions,
                                         const std::vector<std::string>& heat_notes,
                                         const ListingOptions& options) {
  std::vector<std::string> sections(functions.size());
  for (std::size_t k = 0; k < functions.size(); ++k) {
    ListingOptions o = options;
    o.heat_note = k < heat_notes.size() ? heat_notes[k] : "";
    // visible_text: a blank line or raw HTML inside <summary> would end the HTML block.
    sections[k] = "<details><summary><code>" +
                  html_escape(visible_text(functions[k].range.demangled)) +
                  "</code>: " + std::to_string(functions[k].summary.instructions) +
                  " instructions</summary>\n\n" + render_function_markdown(functions[k], o) +
                  "\n</details>\n\n";
  }
  return sections;
}

// Which sections to cut so that `total` fits `budget`: the longest first, the most text
// saved for the fewest functions lost.
std::vector<char> sections_to_cut(const std::vector<std::string>& sections, std::size_t total,
                                  std::size_t budget) {
  const std::size_t n = sections.size();
  std::vector<std::size_t> by_length(n);
  for (std::size_t k = 0; k < n; ++k) by_length[k] = k;
  std::stable_sort(by_length.begin(), by_length.end(), [&](std::size_t a, std::size_t b) {
    return sections[a].size() > sections[b].size();
  });
  std::vector<char> cut(n, 0);
  for (std::size_t k = 0; k < n && total > budget; ++k) {
    total -= sections[by_length[k]].size();
    cut[by_length[k]] = 1;
  }
  return cut;
}

// "_3 of 20 listings cut to stay under N characters: `a`, `b`, `c`; get them with ..._"
std::string cut_line(const std::vector<AnnotatedFunction>& functions, const std::vector<char>& cut,
                     std::size_t cuts, std::size_t max_chars, const std::string& how_to_get) {
  const std::size_t n = functions.size();
  std::string names;
  std::size_t named = 0;
  for (std::size_t k = 0; k < n && named < kNamedCuts; ++k) {
    if (!cut[k]) continue;
    std::string name = functions[k].range.demangled;
    if (name.size() > kNameChars) name = name.substr(0, kNameChars) + "...";
    names += (named == 0 ? "" : ", ") + markdown_code(name, false);
    ++named;
  }
  if (cuts > named) names += " and " + std::to_string(cuts - named) + " more";
  return "_" + std::to_string(cuts) + " of " + std::to_string(n) + " listing" +
         (n == 1 ? "" : "s") + " cut to stay under " + std::to_string(max_chars) +
         " characters: " + names + "; get " + (cuts == 1 ? "it" : "them") + " with " +
         markdown_code(how_to_get, false) + " or a larger --max-chars._\n";
}

}  // namespace

std::string render_markdown_document(const std::vector<AnnotatedFunction>& functions,
                                     const std::vector<std::string>& heat_notes,
                                     const ListingOptions& options, std::size_t max_chars,
                                     const std::string& how_to_get) {
  const std::size_t n = functions.size();
  const std::string table = summary_table(functions, max_chars);
  const std::vector<std::string> sections = detail_sections(functions, heat_notes, options);
  std::size_t total = table.size() + 1;
  for (const std::string& sec : sections) total += sec.size();
  const std::size_t reserve = kClosingReserve + 2 * how_to_get.size();
  const std::size_t budget = max_chars > reserve ? max_chars - reserve : 0;
  const std::vector<char> cut = sections_to_cut(sections, total, budget);
  const std::size_t cuts = static_cast<std::size_t>(std::count(cut.begin(), cut.end(), 1));

  std::string out = table + "\n";
  for (std::size_t k = 0; k < n; ++k) {
    if (!cut[k]) out += sections[k];
  }
  if (cuts > 0) {
    out += cut_line(functions, cut, cuts, max_chars, how_to_get);
  } else {
    out += "_All " + std::to_string(n) + " listing" + (n == 1 ? "" : "s") + " shown (" +
           std::to_string(out.size()) + " characters)._\n";
  }
  return out;
}

}  // namespace deferlab::disasm
