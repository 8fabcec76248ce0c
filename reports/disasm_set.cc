// Building disasm.json (disasm_set.h).
#include "reports/disasm_set.h"

#include <utility>

namespace deferlab::reports {

nlohmann::json disasm_set_document(std::map<std::string, nlohmann::json> by_arch) {
  nlohmann::json architectures = nlohmann::json::object();
  for (auto& [arch, document] : by_arch) architectures[arch] = std::move(document);
  return {{"schema", "deferlab.disasm-set/1"}, {"architectures", std::move(architectures)}};
}

}  // namespace deferlab::reports
