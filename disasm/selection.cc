// Resolves names, globs and address ranges to functions (disasm/selection.h).
#include "disasm/selection.h"

#include <fnmatch.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "common/error.h"
#include "disasm/checked.h"
#include "disasm/disasm_json.h"
#include "disasm/name_filter.h"

namespace deferlab::disasm {

std::string quoted_list(const std::vector<std::string>& names, std::size_t limit);

namespace {

bool has_glob_characters(const std::string& s) {
  return s.find_first_of("*?[") != std::string::npos;
}

}  // namespace

std::string quoted_list(const std::vector<std::string>& names, std::size_t limit) {
  constexpr std::size_t kLongest = 100;  // C++ names can run to kilobytes
  std::string text;
  for (std::size_t k = 0; k < names.size() && k < limit; ++k) {
    // Appended piece by piece: GCC 12 warns (-Warray-bounds) on the temporaries of a chain
    // of operator+ here, wrongly.
    if (!text.empty()) text += ", ";
    text += '\'';
    if (names[k].size() > kLongest) {
      text.append(names[k], 0, kLongest - 3);
      text += "...";
    } else {
      text += names[k];
    }
    text += '\'';
  }
  if (names.size() > limit) text += " and " + std::to_string(names.size() - limit) + " more";
  return text;
}

namespace {

const Section* section_holding(const ObjectFile& file, std::uint64_t address) {
  for (const Section& s : file.sections()) {
    if (address >= s.address && address - s.address < s.size) return &s;
  }
  return nullptr;
}

FunctionRange unnamed_range(const Section& section, std::uint64_t start, std::uint64_t size) {
  FunctionRange r;
  r.name = section.name + "+" + hex_address(start - section.address);
  r.demangled = r.name;
  r.section = section.index;
  r.section_name = section.name;
  r.address = start;
  r.size = size;
  return r;
}

}  // namespace

bool is_clone(const std::string& demangled) {
  return demangled.find(" [clone ") != std::string::npos;
}

AddressRange parse_address_range(const std::string& text) {
  auto parse = [&](std::string part) -> std::uint64_t {
    int base = 10;
    if (part.rfind("0x", 0) == 0 || part.rfind("0X", 0) == 0) {
      part = part.substr(2);
      base = 16;
    }
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value, base);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size()) {
      throw Error("not an address: '" + text + "'", "--address",
                  "write START or START:END, in hex (0x401000) or decimal");
    }
    return value;
  };
  AddressRange range;
  const std::size_t colon = text.find(':');
  range.start = parse(text.substr(0, colon));
  if (colon != std::string::npos) {
    range.end = parse(text.substr(colon + 1));
    if (*range.end <= range.start) {
      throw Error("the range ends before it starts: '" + text + "'", "--address");
    }
  }
  return range;
}

std::vector<FunctionRange> select_by_name(const ObjectFile& file,
                                          const std::vector<std::string>& names) {
  std::vector<FunctionRange> selected;
  std::set<std::pair<std::size_t, std::uint64_t>> seen;
  for (const std::string& query : names) {
    // The linkage name first, compared in place (ObjectFile::functions_named): no name is
    // copied or demangled, which costs more than the rest of a lookup in a library of tens
    // of thousands of symbols.
    std::vector<Symbol> matches = file.functions_named(query);
    // Then demangled names, demangling only the names that hold every identifier typed.
    const NameFilter literal(query, false);
    if (matches.empty()) {
      for (const Symbol& f : file.functions()) {
        if (literal.may_match(f.name) && f.demangled() == query) matches.push_back(f);
      }
    }
    if (matches.empty() && has_glob_characters(query)) {
      const NameFilter pattern(query, true);
      for (const Symbol& f : file.functions()) {
        if ((pattern.may_match(f.name) && fnmatch(query.c_str(), f.demangled().c_str(), 0) == 0) ||
            fnmatch(query.c_str(), f.name.c_str(), 0) == 0) {
          matches.push_back(f);
        }
      }
    }
    if (matches.empty()) {
      // A name without its parameter list, "ns::f" for "ns::f(int)", or without its
      // namespaces, "f<4u>" for "ns::f<4u>(int)", or without the return type a function
      // template's demangled name starts with, "ns::f<4u>" for "void ns::f<4u>(int)".
      for (const Symbol& f : file.functions()) {
        if (!literal.may_match(f.name)) continue;
        const std::string base = base_name(f.demangled());
        const bool ends_with = base.size() > query.size() + 1 &&
                               base.compare(base.size() - query.size(), query.size(), query) == 0;
        const bool suffix =
            ends_with && (base.compare(base.size() - query.size() - 2, 2, "::") == 0 ||
                          base[base.size() - query.size() - 1] == ' ');
        if (base == query || suffix) matches.push_back(f);
      }
    }
    if (matches.empty()) {
      if (!file.has_symbol_table() && file.functions().empty()) {
        throw Error("no function named '" + query + "': the binary has no symbols (stripped)",
                    file.path(), "select the code by address with --address START[:END]");
      }
      const std::string suggestions = closest_names(file, query);
      std::string hint = suggestions.empty() ? "" : "did you mean " + suggestions + "?";
      if (!file.has_symbol_table()) {
        hint += std::string(hint.empty() ? "" : " ") +
                "Only dynamic symbols are left (the binary is stripped); --address START[:END] "
                "reaches any code.";
      }
      throw Error("no function named '" + query + "'", file.path(), hint);
    }
    for (const Symbol& f : matches) {
      if (seen.insert({f.section, f.address}).second) selected.push_back(range_of(file, f));
    }
  }
  std::sort(selected.begin(), selected.end(), [](const FunctionRange& a, const FunctionRange& b) {
    return std::tie(a.section, a.address) < std::tie(b.section, b.address);
  });
  return selected;
}

std::vector<FunctionRange> select_by_address(const ObjectFile& file, const Decoder& decoder,
                                             const AddressRange& range) {
  const Section* section = section_holding(file, range.start);
  if (section == nullptr) {
    std::string sections;
    for (const Section& s : file.sections()) {
      sections += (sections.empty() ? "" : ", ") + s.name + " " + hex_address(s.address) + "-" +
                  hex_address(s.address + s.size);
    }
    throw Error("address " + hex_address(range.start) + " is not in an executable section",
                file.path(), sections.empty() ? "" : "code is at " + sections);
  }
  const std::uint64_t section_end = section->address + section->size;
  if (range.end) {
    if (*range.end > section_end) {
      throw Error("the range ends past its section " + section->name + " (" +
                      hex_address(section_end) + ")",
                  file.path());
    }
    return {unnamed_range(*section, range.start, *range.end - range.start)};
  }
  for (const Symbol& f : file.functions()) {
    if (f.section == section->index && range.start >= f.address &&
        range.start < f.address + f.size) {
      return {range_of(file, f)};
    }
  }
  // No symbol: sweep to the end of control flow.
  const FunctionRange rest = unnamed_range(*section, range.start, section_end - range.start);
  // Only the first piece: decoding the rest of the section would be wasted.
  std::optional<FunctionRange> first;
  for_each_unnamed_piece(file, decoder, rest, 64 * 1024, [&](DecodedPiece&& piece) {
    first = std::move(piece.range);
    return false;
  });
  return {*first};
}

std::vector<CodeSpan> all_code_spans(const ObjectFile& file) {
  std::vector<CodeSpan> spans;
  const std::vector<Symbol>& functions = file.functions();
  for (const Section& section : file.sections()) {
    std::uint64_t cursor = section.address;
    const std::uint64_t end = section.address + section.size;
    // functions() is sorted by section then address: this section's run of it.
    auto f = std::lower_bound(functions.begin(), functions.end(), section.index,
                              [](const Symbol& s, std::size_t index) { return s.section < index; });
    for (; f != functions.end() && f->section == section.index; ++f) {
      if (f->address < cursor) continue;  // aliases, overlaps
      if (f->address > cursor)
        spans.push_back({section.index, cursor, f->address - cursor, nullptr});
      const std::uint64_t f_end = std::min(f->address + f->size, end);
      spans.push_back({section.index, f->address, f_end - f->address, &*f});
      cursor = f_end;
    }
    if (cursor < end) spans.push_back({section.index, cursor, end - cursor, nullptr});
  }
  return spans;
}

FunctionRange range_of_span(const ObjectFile& file, const CodeSpan& span) {
  const Section* section = nullptr;
  for (const Section& s : file.sections()) {
    if (s.index == span.section) section = &s;
  }
  if (section == nullptr) throw Error("not in an executable section", hex_address(span.address));
  if (span.symbol == nullptr) return unnamed_range(*section, span.address, span.size);
  FunctionRange r;
  r.name = span.symbol->name;
  r.demangled = demangle(span.symbol->name);
  if (r.demangled.empty()) r.demangled = r.name;
  r.section = span.section;
  r.section_name = section->name;
  r.address = span.address;
  r.size = span.size;
  return r;
}

std::vector<CodeItem> all_code(const ObjectFile& file) {
  std::vector<CodeItem> items;
  for (const CodeSpan& span : all_code_spans(file)) {
    if (span.symbol == nullptr) {
      items.push_back({range_of_span(file, span), true});
    } else {
      FunctionRange r = range_of(file, *span.symbol);
      r.size = span.size;
      items.push_back({std::move(r), false});
    }
  }
  return items;
}

// Longer than any instruction of either architecture (x86-64: 15 bytes; AArch64: 4).
constexpr std::uint64_t kMaxInstructionBytes = 16;

void for_each_unnamed_piece(const ObjectFile& file, const Decoder& decoder,
                            const FunctionRange& stretch, std::uint64_t max_bytes,
                            const std::function<bool(DecodedPiece&&)>& take) {
  std::size_t pieces = 0;
  bool stopped = false;
  auto emit = [&](DecodedPiece&& piece) {
    ++pieces;
    stopped = !take(std::move(piece));
  };
  const Section* section = nullptr;
  for (const Section& s : file.sections()) {
    if (s.index == stretch.section) section = &s;
  }
  if (section == nullptr) {
    emit({stretch, {}});
    return;
  }
  const std::span<const std::uint8_t> bytes = file.section_bytes(*section);
  std::uint64_t start = stretch.address;
  const std::uint64_t end = stretch.address + stretch.size;
  // Instructions decoded in the window before, from `start` on, that decoding the next
  // window from `start` would give again (see below).
  std::vector<Instruction> code;
  while (start < end) {
    // Decode a window and cut a piece after each instruction that ends control flow with
    // no earlier branch landing beyond it: roughly one function per piece. Calls do not
    // count: their targets are other functions (counted, a caller and everything up to its
    // callee made one piece). What is left at the window's end starts the next window.
    const std::uint64_t window = std::min<std::uint64_t>(end - start, max_bytes);
    const std::uint64_t decoded_end = code.empty() ? start : code.back().address + code.back().size;
    decoder.decode(bytes.subspan(decoded_end - section->address, start + window - decoded_end),
                   decoded_end, code);
    const bool last_window = start + window == end;
    std::size_t piece_first = 0;  // index into code
    std::uint64_t piece_start = start;
    std::uint64_t furthest_target = start;
    std::size_t complete = 0;  // instructions that fit the window
    auto cut = [&](std::size_t until, std::uint64_t next) {
      DecodedPiece piece{unnamed_range(*section, piece_start, next - piece_start), {}};
      piece.code.assign(std::make_move_iterator(code.begin() + static_cast<long>(piece_first)),
                        std::make_move_iterator(code.begin() + static_cast<long>(until)));
      emit(std::move(piece));
      piece_first = until;
      piece_start = next;
    };
    for (std::size_t k = 0; k < code.size(); ++k) {
      const Instruction& in = code[k];
      const std::uint64_t next = in.address + in.size;
      if (next > start + window) break;  // cut short by the window
      complete = k + 1;
      if (in.target && !in.is_call() && *in.target > furthest_target && *in.target < end) {
        furthest_target = *in.target;
      }
      if (in.ends_flow() && next > furthest_target) {
        cut(k + 1, next);
        if (stopped) return;
        furthest_target = next;
      }
    }
    if (piece_start == start || (last_window && piece_first < complete)) {
      // Nothing ended in a whole window, or the stretch ends: cut at the last boundary.
      const std::uint64_t next =
          complete > 0 ? code[complete - 1].address + code[complete - 1].size : start + window;
      cut(complete, next);
      if (stopped) return;
    }
    if (last_window && piece_start < end) {
      // A partial instruction at the very end: its bytes as a piece of their own.
      DecodedPiece tail{unnamed_range(*section, piece_start, end - piece_start), {}};
      decoder.decode(bytes.subspan(piece_start - section->address, end - piece_start), piece_start,
                     tail.code);
      emit(std::move(tail));
      piece_start = end;
    }
    // The rest of the window starts the next one. Its instructions are kept rather than
    // decoded again (a tenth of a stripped library's decoding was that): decoding is
    // sequential and an instruction reads at most kMaxInstructionBytes, so each one starting
    // that far before the window's end is what the next window would decode. Those nearer
    // the end may have been cut short by it (a placeholder for a partial instruction).
    const std::uint64_t window_end = start + window;
    std::size_t keep = piece_first;
    while (keep < complete && code[keep].address + kMaxInstructionBytes <= window_end) ++keep;
    code.erase(code.begin() + static_cast<long>(keep), code.end());
    code.erase(code.begin(), code.begin() + static_cast<long>(piece_first));
    start = piece_start;
  }
  if (pieces == 0) emit({stretch, {}});
}

std::vector<DecodedPiece> split_unnamed_decoded(const ObjectFile& file, const Decoder& decoder,
                                                const FunctionRange& stretch,
                                                std::uint64_t max_bytes) {
  std::vector<DecodedPiece> pieces;
  for_each_unnamed_piece(file, decoder, stretch, max_bytes, [&](DecodedPiece&& piece) {
    pieces.push_back(std::move(piece));
    return true;
  });
  return pieces;
}

std::vector<FunctionRange> split_unnamed(const ObjectFile& file, const Decoder& decoder,
                                         const FunctionRange& stretch, std::uint64_t max_bytes) {
  std::vector<FunctionRange> ranges;
  for (DecodedPiece& piece : split_unnamed_decoded(file, decoder, stretch, max_bytes)) {
    ranges.push_back(std::move(piece.range));
  }
  return ranges;
}

}  // namespace deferlab::disasm
