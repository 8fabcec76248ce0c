// The case registry (case_registry.h): cases, their benchmarks and the manifest.
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

namespace {

nlohmann::json case_json(const Case& c) {
  const CaseHeader& h = c.header;
  const Symbol symbol = symbol_of(c.hot_function);
  return {{"id", c.benchmark_name()},
          {"benchmark", c.benchmark_name()},
          {"scenario", std::string(h.scenario.name)},
          {"strategy", std::string(h.strategy.name)},
          {"param", h.param},
          {"parameters", h.parameters},
          {"hot_symbol", {{"mangled", symbol.mangled}, {"demangled", symbol.demangled}}},
          {"source", {{"file", h.source.file}, {"line", h.source.line}}},
          {"fidelity", fidelity_name(h.fidelity)},
          {"notes", h.notes},
          {"expected",
           {{"released", c.expected.released.size()},
            {"acquired", c.expected.acquired},
            {"committed", c.expected.committed},
            {"throws", c.expected.threw}}}};
}

// A scenario's entry, its parameters in their declared order.
nlohmann::json scenario_json(const ScenarioInfo& scenario) {
  std::vector<std::pair<int, std::string>> ordered;
  for (const Case* c : all_cases()) {
    if (c->header.scenario.name != scenario.name) continue;
    auto entry = std::make_pair(c->header.param_index, c->header.param);
    if (std::find(ordered.begin(), ordered.end(), entry) == ordered.end()) ordered.push_back(entry);
  }
  std::sort(ordered.begin(), ordered.end());
  nlohmann::json params = nlohmann::json::array();
  for (const auto& [index, param] : ordered) params.push_back(param);
  return {{"name", std::string(scenario.name)},
          {"rank", scenario.rank},
          {"summary", std::string(scenario.summary)},
          {"params", params}};
}

// The first case of each strategy and of each scenario, in table order.
std::pair<std::vector<const Case*>, std::vector<const Case*>> firsts() {
  std::vector<const Case*> strategies;
  std::vector<const Case*> scenarios;
  for (const Case* c : all_cases()) {
    auto same_strategy = [&](const Case* o) {
      return o->header.strategy.name == c->header.strategy.name;
    };
    auto same_scenario = [&](const Case* o) {
      return o->header.scenario.name == c->header.scenario.name;
    };
    if (std::none_of(strategies.begin(), strategies.end(), same_strategy)) strategies.push_back(c);
    if (std::none_of(scenarios.begin(), scenarios.end(), same_scenario)) scenarios.push_back(c);
  }
  return {strategies, scenarios};
}

}  // namespace

nlohmann::json manifest() {
  using nlohmann::json;
  const auto [strategy_cases, scenario_cases] = firsts();
  json strategies = json::array();
  std::string baseline;  // the strategy every ratio is taken against: it says so itself
  for (const Case* c : strategy_cases) {
    const StrategyInfo& s = c->header.strategy;
    if (s.baseline) baseline = std::string(s.name);
    strategies.push_back({{"name", std::string(s.name)},
                          {"rank", s.rank},
                          {"summary", std::string(s.summary)},
                          {"header", std::string(s.header)}});
  }
  // Each scenario, the case a reviewer reads first, and how it is charted, if it is.
  json scenarios = json::array();
  json highlights = json::array();
  json charts = json::array();
  for (const Case* c : scenario_cases) {
    const ScenarioInfo& s = c->header.scenario;
    scenarios.push_back(scenario_json(s));
    if (!s.highlight.empty())
      highlights.push_back(std::string(s.name) + "/" + std::string(s.highlight));
    if (!s.chart_x_label.empty())
      charts.push_back(
          {{"scenario", std::string(s.name)}, {"x_label", std::string(s.chart_x_label)}});
  }
  json cases = json::array();
  for (const Case* c : all_cases()) cases.push_back(case_json(*c));
  json omitted_json = json::array();
  for (const OmittedCell& cell : omitted()) {
    omitted_json.push_back(
        {{"scenario", cell.scenario}, {"strategy", cell.strategy}, {"reason", cell.reason}});
  }
  // Functions of the lab that never return: a block of a hot function ends at their call
  // (ledger.h: throw_failure always throws).
  json noreturn = json::array();
  if (const Symbol thrower = symbol_of(reinterpret_cast<const void*>(&throw_failure));
      !thrower.mangled.empty()) {
    noreturn.push_back(thrower.mangled);
  }
  return {{"schema", "deferlab.cases/1"},
          {"title", "deferlab: what deferred cleanup costs"},
          {"baseline_strategy", baseline},
          {"highlights", highlights},
          {"noreturn_symbols", noreturn},
          {"charts", charts},
          {"strategies", strategies},
          {"scenarios", scenarios},
          {"cases", cases},
          {"omitted", omitted_json}};
}

}  // namespace deferlab::cases
