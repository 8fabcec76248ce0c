// The structure-aware mutator of tests/fuzz (fuzz_input.h). Byte mutations alone rarely
// keep a document parseable, so they mostly test the parser; the readers behind it
// (bench_results, disasm_json, compare) are reached by documents that parse and are wrong
// in their values and shapes, which is what this mutator makes.
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

#include "tests/fuzz/fuzz_input.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace deferlab::fuzz {

std::vector<std::string_view> split_documents(const std::uint8_t* data, std::size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = all.find(kSeparator, start);
    if (at == std::string_view::npos) break;
    parts.push_back(all.substr(start, at - start));
    start = at + kSeparator.size();
  }
  parts.push_back(all.substr(start));
  return parts;
}

namespace {

using nlohmann::json;

// Nesting deeper than this is left to byte mutations: nlohmann copies values recursively.
constexpr std::size_t kMaxStructuredDepth = 64;

std::size_t nesting_depth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

struct Mutator {
  std::mt19937 rng;

  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }

  json edge_number() {
    static const double kNumbers[] = {0.0,
                                      -0.0,
                                      -1.0,
                                      1.0,
                                      0.5,
                                      1e-300,
                                      1e308,
                                      -1e308,
                                      1099511627776.0,  // 2^40, the largest count a reader takes
                                      1099511627777.0,
                                      9007199254740993.0,  // 2^53 + 1
                                      -9223372036854775808.0,
                                      18446744073709551615.0};
    switch (pick(4)) {
      case 0:
        return static_cast<std::int64_t>(pick(3)) - 1;
      case 1:
        return std::numeric_limits<std::uint64_t>::max();
      default:
        return kNumbers[pick(std::size(kNumbers))];
    }
  }

  json edge_string() {
    static const char* kStrings[] = {"",
                                     "iteration",
                                     "aggregate",
                                     "median",
                                     "mean",
                                     "stddev",
                                     "cv",
                                     "ns",
                                     "us",
                                     "ms",
                                     "s",
                                     "x86-64",
                                     "aarch64",
                                     "goto_cleanup",
                                     "deferlab.disasm/1",
                                     "deferlab.cases/1",
                                     "loop_defer/heap_defer/64",
                                     "a\nb|c`d",
                                     "\x1b[31mred\x1b[0m",
                                     "<script>alert(1)</script>",
                                     "0x401000",
                                     "-1",
                                     "NaN"};
    return kStrings[pick(std::size(kStrings))];
  }

  // Another value of any type, or a copy of a value found elsewhere in the document.
  json replacement(const json& current, const std::vector<json*>& nodes) {
    switch (pick(8)) {
      case 0:
        return nullptr;
      case 1:
        return edge_number();
      case 2:
        return edge_string();
      case 3:
        return pick(2) == 0;
      case 4:
        return json::array();
      case 5:
        return json::object();
      case 6:
        return *nodes[pick(nodes.size())];
      default:
        if (current.is_number()) return edge_number();
        if (current.is_string()) return edge_string();
        return nullptr;
    }
  }

  void mutate(json& root) {
    // Every value, breadth first (no recursion: a document may nest deeply).
    std::vector<json*> nodes{&root};
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      json& v = *nodes[i];
      if (v.is_object()) {
        for (auto it = v.begin(); it != v.end(); ++it) {
          keys.push_back(it.key());
          nodes.push_back(&it.value());
        }
      } else if (v.is_array()) {
        for (json& e : v) nodes.push_back(&e);
      }
    }
    json& target = *nodes[pick(nodes.size())];
    switch (pick(7)) {
      case 0:  // a bare NaN or infinity where a number was
        if (target.is_number()) {
          static const char* kTokens[] = {"__deferlab_fuzz_nan__", "__deferlab_fuzz_inf__",
                                          "__deferlab_fuzz_-inf__"};
          target = kTokens[pick(std::size(kTokens))];
          break;
        }
        [[fallthrough]];
      case 1:
        target = replacement(target, nodes);
        break;
      case 2:  // remove a member or an element
        if (target.is_object() && !target.empty()) {
          auto it = target.begin();
          std::advance(it, pick(target.size()));
          target.erase(it);
        } else if (target.is_array() && !target.empty()) {
          target.erase(target.begin() + static_cast<std::ptrdiff_t>(pick(target.size())));
        } else {
          target = replacement(target, nodes);
        }
        break;
      case 3:  // add a member under a key the document uses, or repeat an element
        if (target.is_object() && !keys.empty()) {
          target[keys[pick(keys.size())]] = replacement(nullptr, nodes);
        } else if (target.is_array() && !target.empty()) {
          const json copy = target[pick(target.size())];
          target.insert(target.begin() + static_cast<std::ptrdiff_t>(pick(target.size() + 1)),
                        copy);
        } else {
          target = replacement(target, nodes);
        }
        break;
      case 4:  // nest deeper
        target = pick(2) == 0 ? json::array({target}) : json{{"x", target}};
        break;
      case 5:  // swap two elements
        if (target.is_array() && target.size() > 1) {
          std::swap(target[pick(target.size())], target[pick(target.size())]);
        } else {
          target = edge_number();
        }
        break;
      default:  // scale a number: times, counts and iterations move together in real files
        if (target.is_number()) {
          static const double kFactors[] = {-1.0, 0.0, 2.0, 0.5, 1000.0, 1e-9, 1e12};
          target = target.get<double>() * kFactors[pick(std::size(kFactors))];
        } else {
          target = edge_string();
        }
        break;
    }
  }
};

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
}

}  // namespace

std::size_t mutate_json_input(std::uint8_t* data, std::size_t size, std::size_t max_size,
                              unsigned seed) {
  Mutator m{std::mt19937(seed)};
  if (m.pick(2) == 0) return LLVMFuzzerMutate(data, size, max_size);
  std::vector<std::string_view> parts = split_documents(data, size);
  const std::size_t which = m.pick(parts.size());
  const std::string_view part = parts[which];
  if (nesting_depth(part) > kMaxStructuredDepth) return LLVMFuzzerMutate(data, size, max_size);
  json document = json::parse(part, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return LLVMFuzzerMutate(data, size, max_size);
  const int rounds = 1 + static_cast<int>(m.pick(3));
  for (int i = 0; i < rounds; ++i) m.mutate(document);
  std::string text = document.dump(-1, ' ', false, json::error_handler_t::replace);
  // Stand-ins for what nlohmann cannot hold but Google Benchmark writes: bare tokens.
  replace_all(text, "\"__deferlab_fuzz_nan__\"", "NaN");
  replace_all(text, "\"__deferlab_fuzz_-inf__\"", "-Infinity");
  replace_all(text, "\"__deferlab_fuzz_inf__\"", "Infinity");

  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += kSeparator;
    if (i == which) out += text;
    else out += parts[i];
  }
  if (out.size() > max_size) return LLVMFuzzerMutate(data, size, max_size);
  std::memcpy(data, out.data(), out.size());
  return out.size();
}

}  // namespace deferlab::fuzz
