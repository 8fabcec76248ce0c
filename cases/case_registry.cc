#include "cases/case_registry.h"

#include <cxxabi.h>  // for abi::__cxa_demangle
#include <dlfcn.h>   // for dladdr

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <tuple>

namespace deferlab::cases {
namespace {

// Function-local statics: scenario files register from their own static initialisers,
// which may run before this file's.
std::vector<Case>& registry() {
  static std::vector<Case> cases;
  return cases;
}

std::vector<OmittedCell>& omitted() {
  static std::vector<OmittedCell> cells;
  return cells;
}

struct Symbol {
  std::string mangled;
  std::string demangled;
};

Symbol symbol_of(const void* address) {
  Dl_info info{};
  // dladdr takes a data pointer; the function address is converted (supported by GCC
  // and Clang on ELF).
  if (dladdr(address, &info) == 0 || info.dli_sname == nullptr || info.dli_saddr != address) {
    return {};
  }
  Symbol symbol{info.dli_sname, info.dli_sname};
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> demangled(
      abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status), &std::free);
  if (status == 0 && demangled) symbol.demangled = demangled.get();
  return symbol;
}

const char* fidelity_name(Fidelity f) {
  return f == Fidelity::kFaithful ? "faithful" : "closest_form";
}

}  // namespace

std::string Case::benchmark_name() const {
  return std::string(header.scenario.name) + "/" + std::string(header.strategy.name) + "/" +
         header.param;
}

void add_case(Case c) {
  registry().push_back(std::move(c));
}

void add_omitted(OmittedCell cell) {
  omitted().push_back(std::move(cell));
}

std::vector<const Case*> all_cases() {
  std::vector<const Case*> cases;
  for (const Case& c : registry()) cases.push_back(&c);
  std::stable_sort(cases.begin(), cases.end(), [](const Case* a, const Case* b) {
    const CaseHeader& x = a->header;
    const CaseHeader& y = b->header;
    return std::tie(x.scenario.rank, x.strategy.rank, x.param_index) <
           std::tie(y.scenario.rank, y.strategy.rank, y.param_index);
  });
  return cases;
}

std::vector<OmittedCell> omitted_cells() {
  return omitted();
}

void register_benchmarks() {
  for (const Case* c : all_cases()) {
    benchmark::RegisterBenchmark(c->benchmark_name().c_str(), c->run);
  }
}

Ledger& benchmark_ledger() {
  static thread_local Ledger ledger;
  return ledger;
}

Outcome lifo_outcome(std::uint32_t acquired) {
  Outcome outcome;
  outcome.acquired = acquired;
  for (std::uint32_t i = acquired; i-- > 0;) outcome.released.push_back(i);
  return outcome;
}

Outcome run_once(const Case& c) {
  auto ledger = std::make_unique<Ledger>();
  Outcome outcome;
  try {
    outcome.result = c.call(*ledger);
  } catch (const Failure&) {
    outcome.threw = true;
  }
  outcome.released = ledger->released_ids();
  outcome.acquired = ledger->acquired;
  outcome.committed = ledger->committed;
  return outcome;
}

nlohmann::json manifest() {
  using nlohmann::json;
  json strategies = json::array();
  json scenarios = json::array();
  json cases = json::array();
  std::vector<std::string> seen_strategies;
  std::vector<std::string> seen_scenarios;
  for (const Case* c : all_cases()) {
    const CaseHeader& h = c->header;
    const std::string strategy(h.strategy.name);
    const std::string scenario(h.scenario.name);
    if (std::find(seen_strategies.begin(), seen_strategies.end(), strategy) ==
        seen_strategies.end()) {
      seen_strategies.push_back(strategy);
      strategies.push_back({{"name", strategy},
                            {"rank", h.strategy.rank},
                            {"summary", std::string(h.strategy.summary)},
                            {"header", std::string(h.strategy.header)}});
    }
    if (std::find(seen_scenarios.begin(), seen_scenarios.end(), scenario) == seen_scenarios.end()) {
      seen_scenarios.push_back(scenario);
      scenarios.push_back({{"name", scenario},
                           {"rank", h.scenario.rank},
                           {"summary", std::string(h.scenario.summary)},
                           {"params", json::array()}});
    }
    const Symbol symbol = symbol_of(c->hot_function);
    json expected = {{"released", c->expected.released.size()},
                     {"acquired", c->expected.acquired},
                     {"committed", c->expected.committed},
                     {"throws", c->expected.threw}};
    cases.push_back({{"id", c->benchmark_name()},
                     {"benchmark", c->benchmark_name()},
                     {"scenario", scenario},
                     {"strategy", strategy},
                     {"param", h.param},
                     {"parameters", h.parameters},
                     {"hot_symbol", {{"mangled", symbol.mangled}, {"demangled", symbol.demangled}}},
                     {"source", {{"file", h.source.file}, {"line", h.source.line}}},
                     {"fidelity", fidelity_name(h.fidelity)},
                     {"notes", h.notes},
                     {"expected", expected}});
  }
  // Each scenario's parameters, in their declared order.
  for (json& s : scenarios) {
    std::vector<std::pair<int, std::string>> ordered;
    for (const Case* c : all_cases()) {
      if (c->header.scenario.name != s["name"].get<std::string>()) continue;
      auto entry = std::make_pair(c->header.param_index, c->header.param);
      if (std::find(ordered.begin(), ordered.end(), entry) == ordered.end()) {
        ordered.push_back(entry);
      }
    }
    std::sort(ordered.begin(), ordered.end());
    s["params"] = json::array();
    for (const auto& [index, param] : ordered) s["params"].push_back(param);
  }
  json omitted_json = json::array();
  for (const OmittedCell& cell : omitted()) {
    omitted_json.push_back(
        {{"scenario", cell.scenario}, {"strategy", cell.strategy}, {"reason", cell.reason}});
  }
  return {
      {"schema", "deferlab.cases/1"},
      {"title", "deferlab: what deferred cleanup costs"},
      {"baseline_strategy", "goto_cleanup"},
      // The cases a reviewer reads first, and the scenario charted across its N.
      {"highlights",
       {"loop_defer/64", "fixed_defers/4", "error_path/none", "exception_path/4",
        "capture_size/24"}},
      // Functions of the lab that never return: a block of a hot function ends at
      // their call (ledger.h: throw_failure always throws).
      {"noreturn_symbols", {"_ZN8deferlab5cases13throw_failureEi"}},
      {"charts", {{{"scenario", "loop_defer"}, {"x_label", "N cleanups registered in the loop"}}}},
      {"strategies", strategies},
      {"scenarios", scenarios},
      {"cases", cases},
      {"omitted", omitted_json}};
}

}  // namespace deferlab::cases
