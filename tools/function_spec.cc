// Reads BINARY:SYMBOL and FILE.json[:SYMBOL] arguments for diff (tools/function_spec.h).
#include "tools/function_spec.h"

#include <fnmatch.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "common/error.h"
#include "disasm/disasm_json.h"
#include "disasm/selection.h"
#include "reports/bench_results.h"

namespace deferlab::tools {
namespace {

namespace fs = std::filesystem;
using namespace deferlab::disasm;

bool is_file(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

bool looks_like_json(const std::string& path) {
  std::ifstream in(path);
  char first = 0;
  in >> first;  // skips whitespace
  return first == '{';
}

LoadedFunction from_json(const std::string& path, const std::string& symbol) {
  const nlohmann::json document = reports::load_json_file(path);
  const json::Source source{path, "write one with `deferlab disasm BINARY --symbol NAME -f json`"};
  std::vector<AnnotatedFunction> functions = read_disasm_document(json::Node(document, source));
  const ArchInfo* arch = arch_by_name(read_disasm_arch(json::Node(document, source)));
  std::vector<AnnotatedFunction*> matches;
  for (AnnotatedFunction& f : functions) {
    if (symbol.empty() || f.range.name == symbol || f.range.demangled == symbol ||
        fnmatch(symbol.c_str(), f.range.demangled.c_str(), 0) == 0) {
      matches.push_back(&f);
    }
  }
  if (matches.empty()) {
    throw Error(
        symbol.empty() ? "no function in the document" : "no function named '" + symbol + "'",
        path);
  }
  if (matches.size() > 1) {
    std::vector<std::string> names;
    for (const AnnotatedFunction* f : matches) names.push_back(f->range.demangled);
    throw Error("the document holds " + std::to_string(matches.size()) + " functions", path,
                "pick one with " + path + ":SYMBOL; the " + std::to_string(names.size()) +
                    " names are on stdout, one per line",
                std::move(names));
  }
  return {std::move(*matches.front()), path, arch ? arch->arch : Arch::kX86_64};
}

LoadedFunction from_binary(const std::string& path, const std::string& symbol,
                           const AllocNames& names) {
  const std::unique_ptr<ObjectFile> file = open_object_file(path);
  std::vector<FunctionRange> ranges = select_by_name(*file, {symbol});
  // "f" also matches "f [clone .cold]", the part GCC split off: the original is meant.
  if (ranges.size() > 1) {
    std::vector<FunctionRange> originals;
    for (const FunctionRange& r : ranges) {
      if (!is_clone(r.demangled)) originals.push_back(r);
    }
    if (originals.size() == 1) ranges = originals;
  }
  if (ranges.size() > 1) {
    // One per line, whole, so any can be pasted back: the demangled name, or the linkage
    // name where two share a demangled one (local functions of two files).
    std::map<std::string, int> uses;
    for (const FunctionRange& r : ranges) ++uses[r.demangled];
    std::vector<std::string> found;
    for (const FunctionRange& r : ranges)
      found.push_back(uses[r.demangled] > 1 ? r.name : r.demangled);
    throw Error("'" + symbol + "' matches " + std::to_string(ranges.size()) + " functions", path,
                "name one exactly; the " + std::to_string(found.size()) +
                    " candidates are on stdout, one per line",
                std::move(found));
  }
  const Decoder decoder(file->arch(), Syntax::kIntel);
  std::unique_ptr<LineTable> lines = file->open_line_table();
  return {annotate(*file, decoder, ranges.front(), names, lines.get()), path, file->arch()};
}

}  // namespace

LoadedFunction load_function(const std::string& spec, const AllocNames& names) {
  if (is_file(spec)) {
    if (looks_like_json(spec)) return from_json(spec, "");
    throw Error("which function?", spec, "write BINARY:SYMBOL, e.g. " + spec + ":main");
  }
  // The binary is the first prefix before a ':' that is a file, so that "bin:ns::f"
  // splits after "bin".
  for (std::size_t colon = spec.find(':'); colon != std::string::npos;
       colon = spec.find(':', colon + 1)) {
    const std::string path = spec.substr(0, colon);
    if (!is_file(path)) continue;
    const std::string symbol = spec.substr(colon + 1);
    if (symbol.empty()) throw Error("no symbol after ':'", spec);
    return looks_like_json(path) ? from_json(path, symbol) : from_binary(path, symbol, names);
  }
  throw Error("no such file", spec, "write BINARY:SYMBOL or a disasm JSON file");
}

}  // namespace deferlab::tools
