// Joins profile counts to disassembly (see profile_heat.h).
#include "reports/profile_heat.h"

#include <charconv>

#include "reports/profile_figures.h"

namespace deferlab::reports {
namespace {

const ProfiledFunction* find_function(const ProfileFigures& figures, const std::string& symbol) {
  for (const ProfiledFunction& f : figures.hot_functions) {
    if (f.symbol == symbol) return &f;
  }
  return nullptr;
}

std::uint64_t parse_address(const nlohmann::json& value) {
  if (!value.is_string()) return 0;
  const std::string text = value.get<std::string>();
  std::uint64_t result = 0;
  const char* begin = text.data() + (text.rfind("0x", 0) == 0 ? 2 : 0);
  std::from_chars(begin, text.data() + text.size(), result, 16);
  return result;
}

double executions_at(const ProfiledFunction& f, std::uint64_t address) {
  const auto it = f.executions.find(address);
  return it == f.executions.end() ? 0.0 : it->second;
}

// A count as JSON: an integer when it is whole, as profile.json writes them.
nlohmann::json count(double v) {
  if (v == static_cast<double>(static_cast<std::int64_t>(v))) return static_cast<std::int64_t>(v);
  return v;
}

}  // namespace

std::pair<disasm::AnnotatedFunction, std::string> with_heat(const disasm::AnnotatedFunction& f,
                                                            const StrategyRow& row) {
  if (!row.profile) return {f, ""};
  const ProfiledFunction* counts = find_function(*row.profile, f.range.name);
  if (counts == nullptr) return {f, ""};
  disasm::AnnotatedFunction heated = f;
  for (disasm::AnnotatedInstruction& a : heated.instructions) {
    a.heat = disasm::Heat{std::nullopt, executions_at(*counts, a.insn.address)};
  }
  return {std::move(heated), "executions per iteration of " + row.benchmark + " (profile)"};
}

void add_profiles_to_disasm(nlohmann::json& document, const ProfileData& profile) {
  for (nlohmann::json& function : document["functions"]) {
    const std::string symbol = function.value("symbol", "");
    nlohmann::json profiles = nlohmann::json::array();
    for (const auto& [benchmark, figures] : profile.benchmarks) {
      const ProfiledFunction* counts = find_function(figures, symbol);
      if (counts == nullptr) continue;
      nlohmann::json executions = nlohmann::json::array();
      for (const nlohmann::json& insn : function["instructions"]) {
        executions.push_back(count(executions_at(*counts, parse_address(insn["address"]))));
      }
      nlohmann::json loops = nlohmann::json::array();
      for (const nlohmann::json& loop : function["loops"]) {
        loops.push_back(
            {{"id", loop["id"]},
             {"header_address", loop["header_address"]},
             {"header_executions_per_iteration",
              count(executions_at(*counts, parse_address(loop["header_address"])))}});
      }
      profiles.push_back({{"benchmark", benchmark},
                          {"instructions_per_iteration", count(counts->instructions)},
                          {"share", counts->share},
                          {"executions_per_iteration", std::move(executions)},
                          {"loops", std::move(loops)}});
    }
    if (!profiles.empty()) function["profiles"] = std::move(profiles);
  }
}

}  // namespace deferlab::reports
