// declare_manifest() and the deferlab.cases/1 manifest a user's binary prints for
// --deferlab_cases (benchmark_manifest.h); linking this file marks the binary.
#include "harness/benchmark_manifest.h"

#include <cxxabi.h>  // for abi::__cxa_demangle
#include <dlfcn.h>   // for dladdr

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "common/error.h"
#include "harness/benchmark_main.h"

namespace deferlab::harness {
namespace {

// What deferlab run looks for in the file (tools/companions.h: carries_case_manifest), the
// same mark the lab binary carries: this binary answers --deferlab_cases.
[[gnu::used, gnu::section(".deferlab_manifest")]] const char manifest_mark[] =
    "deferlab.cases/1 --deferlab_cases";

BenchmarkManifest& declared() {
  static BenchmarkManifest manifest;
  return manifest;
}

// The exported symbol at exactly `address`, mangled and demangled; throws when there is none.
nlohmann::json symbol_at(const void* address, const std::string& family) {
  Dl_info info{};
  if (dladdr(address, &info) == 0 || info.dli_sname == nullptr || info.dli_saddr != address) {
    throw Error("cannot name the hot function declared for " + family +
                    ": it is not in the binary's dynamic symbol table",
                "--deferlab_cases",
                "link the benchmark with -rdynamic (CMake: ENABLE_EXPORTS ON), and give it "
                "external linkage (not static, not in an anonymous namespace)");
  }
  std::string demangled = info.dli_sname;
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> text(
      abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status), &std::free);
  if (status == 0 && text) demangled = text.get();
  return {{"mangled", info.dli_sname}, {"demangled", demangled}};
}

bool is_number(const std::string& text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

void add_once(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

const ManifestFamily* family_named(const std::string& name) {
  for (const ManifestFamily& f : declared().families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// The manifest over `benchmarks` (registration order): one scenario named after the
// program, a family per strategy, its arguments as the params, as reports/derived_manifest
// groups any binary, plus what was declared.
void print_manifest(const std::vector<std::string>& benchmarks, const std::string& program,
                    std::ostream& out) {
  using nlohmann::json;
  std::vector<std::string> families;
  std::vector<std::string> params;
  json cases = json::array();
  for (const std::string& name : benchmarks) {
    const std::size_t slash = name.find('/');
    const std::string family = name.substr(0, slash);
    const std::string param = slash == std::string::npos ? "" : name.substr(slash + 1);
    add_once(families, family);
    add_once(params, param);
    json c = {{"id", name},         {"benchmark", name}, {"scenario", program},
              {"strategy", family}, {"param", param},    {"parameters", json::object()}};
    if (const ManifestFamily* declared_family = family_named(family)) {
      if (declared_family->hot != nullptr)
        c["hot_symbol"] = symbol_at(declared_family->hot, family);
      c["notes"] = declared_family->notes;
    }
    cases.push_back(std::move(c));
  }
  json strategies = json::array();
  for (std::size_t i = 0; i < families.size(); ++i) {
    const ManifestFamily* f = family_named(families[i]);
    strategies.push_back(
        {{"name", families[i]}, {"rank", i}, {"summary", f != nullptr ? f->notes : ""}});
  }
  const BenchmarkManifest& m = declared();
  json charts = json::array();
  if (std::count_if(params.begin(), params.end(), is_number) >= 2)
    charts.push_back({{"scenario", program}, {"x_label", "argument"}});
  const json manifest = {
      {"schema", "deferlab.cases/1"},
      {"declared_by", "deferlab::benchmark_support"},
      {"title", m.title.empty() ? "deferlab: " + program : m.title},
      {"baseline_strategy", m.baseline},
      {"charts", charts},
      {"strategies", strategies},
      {"scenarios", json::array({{{"name", program}, {"rank", 0}, {"params", params}}})},
      {"cases", cases},
      {"omitted", json::array()}};
  out << manifest.dump(2) << '\n';
}

}  // namespace

void declare_manifest(BenchmarkManifest manifest) {
  declared() = std::move(manifest);
  detail::set_manifest_printer(&print_manifest);
}

}  // namespace deferlab::harness
