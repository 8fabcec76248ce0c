// Reads instruction counts for the heat column (see instruction_counts.h).
#include "harness/instruction_counts.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

#include "common/error.h"
#include "harness/callgrind_parser.h"

namespace deferlab::harness {
namespace {

namespace fs = std::filesystem;

std::string canonical_or_same(const fs::path& p) {
  std::error_code ec;
  const fs::path c = fs::weakly_canonical(p, ec);
  return ec ? p.string() : c.string();
}

// Which of `objects` is `binary`: the same canonical path, else the only one with the
// same file name. Returns objects.size() when none is.
std::size_t match_object(const std::vector<std::string>& objects, const fs::path& binary) {
  const std::string wanted = canonical_or_same(binary);
  std::size_t by_name = objects.size();
  int same_name = 0;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    if (objects[i].empty()) continue;
    if (canonical_or_same(objects[i]) == wanted) return i;
    if (fs::path(objects[i]).filename() == binary.filename()) {
      by_name = i;
      ++same_name;
    }
  }
  return same_name == 1 ? by_name : objects.size();
}

[[noreturn]] void no_counts(const fs::path& path, const fs::path& binary,
                            const std::vector<std::string>& objects) {
  std::string list;
  for (const std::string& o : objects) {
    if (!o.empty()) list += (list.empty() ? "" : ", ") + o;
  }
  throw Error("the counts file has no counts for " + binary.string(), path.string(),
              list.empty() ? "profile this binary" : "it has counts for: " + list);
}

std::vector<InstructionCounts> from_callgrind(std::istream& in, const fs::path& path,
                                              const fs::path& binary) {
  CallgrindNames names;
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint64_t> executions;
  parse_callgrind(in, path.string(), names, [&](CallgrindPart&& part) {
    const std::size_t ir = event_index(names, "Ir");
    if (ir >= names.events.size()) throw Error("the callgrind output counts no Ir", path.string());
    for (const CostLine& line : part.lines) {
      executions[{names.functions[line.function].object, line.address}] += part.cost(line, ir);
    }
  });
  if (!names.has_addresses) {
    throw Error("the callgrind output has no instruction addresses", path.string(),
                "profile with valgrind --tool=callgrind --dump-instr=yes");
  }
  const std::size_t object = match_object(names.objects, binary);
  if (object == names.objects.size()) no_counts(path, binary, names.objects);
  InstructionCounts counts{path.string(), "", {}};
  for (const auto& [key, n] : executions) {
    if (key.first == object) counts.by_address[key.second].executions = n;
  }
  return {std::move(counts)};
}

// "0x1a2b" -> 0x1a2b; anything else is an Error naming `path` and the benchmark.
std::uint64_t parse_hex(const nlohmann::json& value, const fs::path& path,
                        const std::string& benchmark) {
  const std::string text = value.is_string() ? value.get<std::string>() : "";
  std::uint64_t v = 0;
  bool ok = text.size() >= 3 && text.size() <= 18 && text.compare(0, 2, "0x") == 0;
  for (std::size_t i = 2; ok && i < text.size(); ++i) {
    const char c = text[i];
    const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    ok = digit >= 0;
    if (ok) v = v * 16 + static_cast<std::uint64_t>(digit);
  }
  if (!ok) {
    throw Error("an address must be a hex string like \"0x1a2b\" (benchmark " + benchmark + ")",
                path.string());
  }
  return v;
}

std::vector<InstructionCounts> from_profile(const nlohmann::json& doc, const fs::path& path,
                                            const fs::path& binary) {
  const auto fail = [&](const std::string& what) {
    return Error("not a deferlab.profile/1 document: " + what, path.string(),
                 "write one with `deferlab profile BINARY --format json`");
  };
  if (!doc.is_object() || doc.value("schema", "") != "deferlab.profile/1") throw fail("no schema");
  const auto rows = doc.find("benchmarks");
  if (rows == doc.end() || !rows->is_array()) throw fail("no benchmarks array");
  std::vector<std::string> objects;
  std::vector<std::pair<std::string, const nlohmann::json*>> hot;  // object, function
  std::vector<InstructionCounts> sets;
  for (const nlohmann::json& row : *rows) {
    if (!row.is_object() || !row.contains("name") || !row["name"].is_string())
      throw fail("a row without a name");
    sets.push_back({path.string(), row["name"].get<std::string>(), {}});
    const auto functions = row.find("hot_functions");
    if (functions == row.end() || !functions->is_array()) continue;
    for (const nlohmann::json& f : *functions) {
      if (!f.is_object() || !f.contains("object") || !f["object"].is_string())
        throw fail("a hot function without an object");
      objects.push_back(f["object"].get<std::string>());
    }
  }
  const std::size_t wanted_index = match_object(objects, binary);
  if (wanted_index == objects.size()) no_counts(path, binary, objects);
  const std::string wanted = objects[wanted_index];
  for (std::size_t r = 0; r < rows->size(); ++r) {
    const auto functions = (*rows)[r].find("hot_functions");
    if (functions == (*rows)[r].end() || !functions->is_array()) continue;
    for (const nlohmann::json& f : *functions) {
      if (f["object"] != wanted) continue;
      const auto list = f.find("instructions");
      if (list == f.end() || !list->is_array()) throw fail("a hot function without instructions");
      for (const nlohmann::json& insn : *list) {
        if (!insn.is_object() || !insn.contains("per_iteration") ||
            !insn["per_iteration"].is_number()) {
          throw fail("an instruction without per_iteration");
        }
        const std::uint64_t address =
            parse_hex(insn.value("address", nlohmann::json()), path, sets[r].benchmark);
        sets[r].by_address[address].per_iteration = insn["per_iteration"].get<double>();
      }
    }
  }
  return sets;
}

}  // namespace

std::vector<InstructionCounts> read_instruction_counts(const fs::path& path,
                                                       const fs::path& binary) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open the counts file", path.string());
  const int first = (in >> std::ws).peek();
  if (first == '{') {
    nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) throw Error("the counts file is not valid JSON", path.string());
    try {
      return from_profile(doc, path, binary);
    } catch (const nlohmann::json::exception& e) {
      throw Error(std::string("not a deferlab.profile/1 document: ") + e.what(), path.string());
    }
  }
  return from_callgrind(in, path, binary);
}

const InstructionCounts* counts_for_range(const std::vector<InstructionCounts>& sets,
                                          std::uint64_t begin, std::uint64_t end,
                                          const std::string& benchmark, const std::string& what) {
  std::vector<const InstructionCounts*> covering;
  for (const InstructionCounts& set : sets) {
    if (!benchmark.empty() && set.benchmark != benchmark) continue;
    const auto it = set.by_address.lower_bound(begin);
    if (it != set.by_address.end() && it->first < end) covering.push_back(&set);
  }
  if (covering.size() > 1) {
    std::string names;
    for (const InstructionCounts* c : covering) names += (names.empty() ? "" : ", ") + c->benchmark;
    throw Error("several benchmarks ran this function: " + names, what,
                "pick one with --benchmark NAME");
  }
  if (!benchmark.empty() && covering.empty()) {
    bool known = false;
    for (const InstructionCounts& set : sets) known = known || set.benchmark == benchmark;
    if (!known) throw Error("the profile has no benchmark named " + benchmark, what);
  }
  return covering.empty() ? nullptr : covering.front();
}

}  // namespace deferlab::harness
