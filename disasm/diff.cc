#include "disasm/diff.h"

#include <capstone/capstone.h>

#include <algorithm>
#include <cctype>
#include <unordered_map>

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
      const std::string digits = text.substr(i + 2, end - i - 2);
      const unsigned long long value = digits.empty() ? 0 : std::stoull(digits, nullptr, 16);
      out += value >= 0x1000 ? std::string("ADDR") : text.substr(i, end - i);
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

// Myers' greedy O((N+M)D) shortest edit script over symbol ids; returns, for each step,
// 0 = keep (both), 1 = delete from A, 2 = insert from B.
std::vector<int> myers(const std::vector<int>& a, const std::vector<int>& b) {
  const int n = static_cast<int>(a.size());
  const int m = static_cast<int>(b.size());
  const int max = n + m;
  const int offset = max + 1;
  std::vector<int> v(static_cast<std::size_t>(2 * max + 3), 0);
  std::vector<std::vector<int>> trace;
  int found_d = -1;
  for (int d = 0; d <= max; ++d) {
    trace.push_back(v);
    for (int k = -d; k <= d; k += 2) {
      int x;
      if (k == -d || (k != d && v[static_cast<std::size_t>(offset + k - 1)] <
                                    v[static_cast<std::size_t>(offset + k + 1)])) {
        x = v[static_cast<std::size_t>(offset + k + 1)];  // down: insert
      } else {
        x = v[static_cast<std::size_t>(offset + k - 1)] + 1;  // right: delete
      }
      int y = x - k;
      while (x < n && y < m && a[static_cast<std::size_t>(x)] == b[static_cast<std::size_t>(y)]) {
        ++x;
        ++y;
      }
      v[static_cast<std::size_t>(offset + k)] = x;
      if (x >= n && y >= m) {
        found_d = d;
        break;
      }
    }
    if (found_d >= 0) break;
  }
  // Backtrack through the saved frontiers.
  std::vector<int> steps;
  int x = n;
  int y = m;
  for (int d = found_d; d > 0; --d) {
    const std::vector<int>& prev = trace[static_cast<std::size_t>(d)];
    const int k = x - y;
    int prev_k;
    if (k == -d || (k != d && prev[static_cast<std::size_t>(offset + k - 1)] <
                                  prev[static_cast<std::size_t>(offset + k + 1)])) {
      prev_k = k + 1;
    } else {
      prev_k = k - 1;
    }
    const int prev_x = prev[static_cast<std::size_t>(offset + prev_k)];
    const int prev_y = prev_x - prev_k;
    while (x > prev_x && y > prev_y) {
      steps.push_back(0);
      --x;
      --y;
    }
    steps.push_back(x == prev_x ? 2 : 1);
    x = prev_x;
    y = prev_y;
  }
  while (x > 0 && y > 0) {
    steps.push_back(0);
    --x;
    --y;
  }
  std::reverse(steps.begin(), steps.end());
  return steps;
}

}  // namespace

std::set<std::string> register_names(Arch arch) {
  const ArchInfo& info = arch_info(arch);
  std::set<std::string> names;
  csh handle = 0;
  if (cs_open(info.capstone_arch, info.capstone_mode, &handle) != CS_ERR_OK) return names;
  const unsigned last = arch == Arch::kX86_64 ? static_cast<unsigned>(X86_REG_ENDING)
                                              : static_cast<unsigned>(ARM64_REG_ENDING);
  for (unsigned reg = 1; reg < last; ++reg) {
    if (const char* name = cs_reg_name(handle, reg)) names.insert(name);
  }
  cs_close(&handle);
  names.erase("rip");  // PC-relative addressing is part of the shape, not a choice
  return names;
}

std::string normalize(const AnnotatedInstruction& a, const DiffOptions& options) {
  std::string operands = display_operands(a);
  if (!a.reference.empty()) {
    // [rip + 0x2f5a] -> [rip + counter]
    const std::size_t at = operands.find("rip");
    if (at != std::string::npos) {
      const std::size_t close = operands.find(']', at);
      if (close != std::string::npos) operands.replace(at, close - at, "rip + " + a.reference);
    }
  }
  operands = mask_addresses(operands);
  if (options.ignore_registers && options.registers != nullptr) {
    operands = mask_registers(operands, *options.registers);
  }
  return operands.empty() ? a.insn.mnemonic : a.insn.mnemonic + " " + operands;
}

FunctionDiff diff_functions(const AnnotatedFunction& a, const AnnotatedFunction& b,
                            const DiffOptions& options) {
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
  const std::vector<int> steps = myers(sa, sb);
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
