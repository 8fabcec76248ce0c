// The instruction diff (diff.h): normalisation and Myers' shortest edit script.
#include "disasm/diff.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <unordered_map>

#include "common/error.h"
#include "common/text_escape.h"
#include "disasm/decoder.h"
#include "disasm/listing.h"

namespace deferlab::disasm {
namespace {

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Replaces address-like hex literals (8+ significant digits worth? no: any literal that
// is not a small constant) by ADDR. Small immediates (below 0x1000) are values, kept.
std::string mask_addresses(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "0x") == 0 && (i == 0 || !is_word_char(text[i - 1]))) {
      std::size_t end = i + 2;
      while (end < text.size() && std::isxdigit(static_cast<unsigned char>(text[end]))) ++end;
      // Up to 0xfff is a value; anything larger, even past 64 bits, an address.
      unsigned long long value = 0;
      const std::from_chars_result parsed =
          std::from_chars(text.data() + i + 2, text.data() + end, value, 16);
      const bool address = parsed.ec == std::errc::result_out_of_range || value >= 0x1000;
      out += address ? std::string("ADDR") : text.substr(i, end - i);
      i = end;
      continue;
    }
    out += text[i++];
  }
  return out;
}

std::string mask_registers(const std::string& text, const std::set<std::string>& registers) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (is_word_char(text[i]) && (i == 0 || !is_word_char(text[i - 1]))) {
      std::size_t end = i;
      while (end < text.size() && is_word_char(text[end])) ++end;
      const std::string word = text.substr(i, end - i);
      out += registers.contains(word) ? std::string("REG") : word;
      i = end;
      continue;
    }
    out += text[i++];
  }
  return out;
}

// Myers' shortest edit script in linear space ("An O(ND) Difference Algorithm and Its
// Variations", 1986, section 4b): the greedy search runs from both ends at once until the
// two frontiers meet on the middle snake of an optimal path; the parts before and after it
// are solved the same way. Memory: two frontiers of N + M + 3 ints, reused at every level,
// and the script itself; time O((N + M) D); recursion depth about log2 D (each level halves
// D). Steps: 0 = keep (both), 1 = delete from A, 2 = insert from B.
class ShortestEditScript {
 public:
  ShortestEditScript(const std::vector<int>& a, const std::vector<int>& b)
      : a_(a),
        b_(b),
        offset_(static_cast<std::ptrdiff_t>(a.size() + b.size()) + 1),
        forward_(a.size() + b.size() + a.size() + b.size() + 3, 0),
        backward_(forward_.size(), 0) {
    steps_.reserve(a.size() + b.size());
    solve(0, static_cast<int>(a.size()), 0, static_cast<int>(b.size()));
  }

  std::vector<int> take_steps() { return std::move(steps_); }

 private:
  struct Snake {
    int x, y;  // where it starts in A and B
    int u, v;  // where it ends
  };

  int& f(int k) { return forward_[static_cast<std::size_t>(offset_ + k)]; }
  int& r(int k) { return backward_[static_cast<std::size_t>(offset_ + k)]; }
  bool same(int x, int y) const {
    return a_[static_cast<std::size_t>(x)] == b_[static_cast<std::size_t>(y)];
  }
  void emit(int step, int count) {
    steps_.insert(steps_.end(), static_cast<std::size_t>(count), step);
  }

  void solve(int a0, int a1, int b0, int b1) {
    int prefix = 0;
    while (a0 + prefix < a1 && b0 + prefix < b1 && same(a0 + prefix, b0 + prefix)) ++prefix;
    emit(0, prefix);
    a0 += prefix;
    b0 += prefix;
    int suffix = 0;
    while (a1 - suffix > a0 && b1 - suffix > b0 && same(a1 - 1 - suffix, b1 - 1 - suffix)) ++suffix;
    a1 -= suffix;
    b1 -= suffix;
    if (a0 == a1) {
      emit(2, b1 - b0);
    } else if (b0 == b1) {
      emit(1, a1 - a0);
    } else {
      // Both sides are non-empty and differ at both ends, so D >= 2 and the middle snake
      // leaves at least one edit on each side of it: both halves are smaller problems.
      const Snake s = middle_snake(a0, a1, b0, b1);
      solve(a0, s.x, b0, s.y);
      emit(0, s.u - s.x);
      solve(s.u, a1, s.v, b1);
    }
    emit(0, suffix);
  }

  // Requires: a0 < a1, b0 < b1. The frontiers hold, per diagonal k = x - y, the furthest x
  // reached from the start (forward) and from the end (backward, in reversed coordinates).
  Snake middle_snake(int a0, int a1, int b0, int b1) {
    const int n = a1 - a0;
    const int m = b1 - b0;
    const int delta = n - m;
    const bool odd = (delta & 1) != 0;
    f(1) = 0;
    r(1) = 0;
    for (int d = 0; d <= (n + m + 1) / 2; ++d) {
      for (int k = -d; k <= d; k += 2) {
        int x = (k == -d || (k != d && f(k - 1) < f(k + 1))) ? f(k + 1) : f(k - 1) + 1;
        int y = x - k;
        const int x0 = x;
        const int y0 = y;
        while (x < n && y < m && same(a0 + x, b0 + y)) ++x, ++y;
        f(k) = x;
        const int c = delta - k;  // this diagonal as the backward search numbers it
        if (odd && c >= -(d - 1) && c <= d - 1 && x + r(c) >= n) {
          return {a0 + x0, b0 + y0, a0 + x, b0 + y};
        }
      }
      for (int k = -d; k <= d; k += 2) {
        int x = (k == -d || (k != d && r(k - 1) < r(k + 1))) ? r(k + 1) : r(k - 1) + 1;
        int y = x - k;
        const int x0 = x;
        const int y0 = y;
        while (x < n && y < m && same(a1 - 1 - x, b1 - 1 - y)) ++x, ++y;
        r(k) = x;
        const int c = delta - k;
        if (!odd && c >= -d && c <= d && x + f(c) >= n) {
          return {a1 - x, b1 - y, a1 - x0, b1 - y0};
        }
      }
    }
    // The searches meet by d = ceil((n + m) / 2): a path of n + m edits always exists.
    throw std::logic_error("diff: the forward and backward searches did not meet");
  }

  const std::vector<int>& a_;
  const std::vector<int>& b_;
  std::ptrdiff_t offset_;
  std::vector<int> forward_;
  std::vector<int> backward_;
  std::vector<int> steps_;
};

}  // namespace

std::set<std::string> register_names(Arch arch) {
  const ArchInfo& info = arch_info(arch);
  const Decoder decoder(arch, Syntax::kIntel);  // owns the Capstone handle
  std::set<std::string> names;
  for (unsigned reg = 1; reg < info.register_end; ++reg) {
    if (std::string name = decoder.register_name(static_cast<int>(reg)); !name.empty()) {
      names.insert(std::move(name));
    }
  }
  if (!info.pc_register.empty()) names.erase(std::string(info.pc_register));
  return names;
}

std::string normalize(const AnnotatedInstruction& a, const DiffOptions& options) {
  std::string operands = display_operands(a);
  if (!a.reference.empty()) {
    // x86-64: [rip + 0x2f5a] -> [rip + counter]. Otherwise the low bits an add / ldr puts
    // on an adrp page (or a literal load's address) are the last number:
    // add x0, x0, #0x10 -> add x0, x0, counter+0x10. An adrp's page is left to ADDR: the
    // symbol below a page says little and moves with the layout.
    const std::size_t at = operands.find("rip");
    const std::size_t close = at == std::string::npos ? at : operands.find(']', at);
    if (close != std::string::npos) {
      operands.replace(at, close - at, "rip + " + a.reference);
    } else if (a.reference_target && a.insn.reg_def != RegDef::kConst) {
      const std::size_t hash = operands.rfind('#');
      const std::size_t hex = operands.rfind("0x");
      const std::size_t start = hash != std::string::npos ? hash : hex;
      if (start != std::string::npos) {
        std::size_t end = start + (operands[start] == '#' ? 1 : 0);
        if (operands.compare(end, 2, "0x") == 0) end += 2;
        while (end < operands.size() && std::isxdigit(static_cast<unsigned char>(operands[end]))) {
          ++end;
        }
        operands.replace(start, end - start, a.reference);
      }
    }
  }
  operands = mask_addresses(operands);
  if (options.ignore_registers && options.registers != nullptr) {
    operands = mask_registers(operands, *options.registers);
  }
  return operands.empty() ? a.insn.mnemonic : a.insn.mnemonic + " " + operands;
}

bool within_diff_limit(const AnnotatedFunction& a, const AnnotatedFunction& b,
                       const DiffOptions& options) {
  return a.instructions.size() <= options.max_instructions &&
         b.instructions.size() <= options.max_instructions;
}

FunctionDiff diff_functions(const AnnotatedFunction& a, const AnnotatedFunction& b,
                            const DiffOptions& options) {
  for (const AnnotatedFunction* f : {&a, &b}) {
    if (f->instructions.size() > options.max_instructions) {
      throw Error("function too large to diff: " + std::to_string(f->instructions.size()) +
                      " instructions, the limit is " + std::to_string(options.max_instructions),
                  visible_text(f->range.demangled.substr(0, 200)),
                  "compare the summaries of `deferlab disasm BINARY --symbol NAME` instead");
    }
  }
  FunctionDiff d;
  std::unordered_map<std::string, int> ids;
  auto intern = [&](const std::string& text) {
    return ids.emplace(text, static_cast<int>(ids.size())).first->second;
  };
  std::vector<int> sa;
  std::vector<int> sb;
  for (const AnnotatedInstruction& i : a.instructions) {
    d.normalized_a.push_back(normalize(i, options));
    sa.push_back(intern(d.normalized_a.back()));
  }
  for (const AnnotatedInstruction& i : b.instructions) {
    d.normalized_b.push_back(normalize(i, options));
    sb.push_back(intern(d.normalized_b.back()));
  }
  const std::vector<int> steps = ShortestEditScript(sa, sb).take_steps();
  int ia = 0;
  int ib = 0;
  for (std::size_t s = 0; s < steps.size();) {
    if (steps[s] == 0) {
      d.ops.push_back({DiffOpKind::kEqual, ia++, ib++});
      ++d.equal;
      ++s;
      continue;
    }
    // A run of deletes and inserts: pair them up as replacements, the rest stays.
    std::vector<int> deletes;
    std::vector<int> inserts;
    while (s < steps.size() && steps[s] != 0) {
      if (steps[s] == 1) deletes.push_back(ia++);
      if (steps[s] == 2) inserts.push_back(ib++);
      ++s;
    }
    const std::size_t paired = std::min(deletes.size(), inserts.size());
    for (std::size_t k = 0; k < paired; ++k) {
      d.ops.push_back({DiffOpKind::kReplace, deletes[k], inserts[k]});
      ++d.replaced;
    }
    for (std::size_t k = paired; k < deletes.size(); ++k) {
      d.ops.push_back({DiffOpKind::kDelete, deletes[k], -1});
      ++d.deleted;
    }
    for (std::size_t k = paired; k < inserts.size(); ++k) {
      d.ops.push_back({DiffOpKind::kInsert, -1, inserts[k]});
      ++d.inserted;
    }
  }
  const std::size_t total = a.instructions.size() + b.instructions.size();
  d.match_percent =
      total == 0 ? 100.0 : 100.0 * 2.0 * static_cast<double>(d.equal) / static_cast<double>(total);
  auto delta = [](auto x, auto y) { return static_cast<long long>(y) - static_cast<long long>(x); };
  const Summary& sa_ = a.summary;
  const Summary& sb_ = b.summary;
  d.delta.instructions = delta(sa_.instructions, sb_.instructions);
  d.delta.bytes = delta(sa_.bytes, sb_.bytes);
  d.delta.calls = delta(sa_.calls, sb_.calls);
  d.delta.alloc_calls = delta(sa_.alloc_calls, sb_.alloc_calls);
  d.delta.alloc_calls_in_loops = delta(sa_.alloc_calls_in_loops, sb_.alloc_calls_in_loops);
  d.delta.free_calls = delta(sa_.free_calls, sb_.free_calls);
  d.delta.indirect_calls = delta(sa_.indirect_calls, sb_.indirect_calls);
  d.delta.loops = delta(sa_.loops, sb_.loops);
  d.delta.max_loop_depth = delta(sa_.max_loop_depth, sb_.max_loop_depth);
  d.delta.stack_frame_size = delta(sa_.stack_frame_size, sb_.stack_frame_size);
  return d;
}

}  // namespace deferlab::disasm
