// deferlab.disasm-set/1, a run's disasm.json: one deferlab.disasm/1 document per
// architecture (docs/schemas/deferlab.disasm-set-1.schema.json), built in one place.
//
//   nlohmann::json set = disasm_set_document({{"x86-64", host}, {"aarch64", arm}});
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace deferlab::reports {

// {"schema": "deferlab.disasm-set/1", "architectures": {arch: document, ...}}.
nlohmann::json disasm_set_document(std::map<std::string, nlohmann::json> by_arch);

}  // namespace deferlab::reports
