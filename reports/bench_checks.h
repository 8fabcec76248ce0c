// The checks each value of a Google Benchmark entry goes through (docs/figures.md), shared
// by the parser's files. Internal to reports/. Each check returns the reason a value is
// unusable, or "" when it is fine.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace deferlab::reports::detail {

// Fields of a Google Benchmark run that are not user counters.
const std::set<std::string>& standard_fields();

// Nanoseconds per unit of a time_unit; 0 for a unit Google Benchmark does not write.
double ns_per_unit(const std::string& unit);

// The exact per-iteration heap counters of HeapCounters: counts, so 0 <= value <= 2^40.
bool is_exact_counter(const std::string& key);

// "null (NaN or infinite)", "a string", ...: what a value is, for a message.
std::string describe_type(const nlohmann::json& value);

// A number in [low, high] (whole when `integral`); `path` names it in the reason.
std::string check_number(const nlohmann::json& value, const std::string& path, double low,
                         double high, bool integral);

// A time: finite and > 0 nanoseconds once multiplied by ns_per_unit (written to *ns).
std::string check_time(const nlohmann::json& run, const char* key, const std::string& where,
                       double ns_per_unit, double* ns);

}  // namespace deferlab::reports::detail
