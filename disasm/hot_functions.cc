// Disassembles and annotates the named hot functions of a run (disasm/hot_functions.h).
#include "disasm/hot_functions.h"

#include <set>

#include "disasm/annotate.h"
#include "disasm/disasm_json.h"
#include "disasm/selection.h"

namespace deferlab::disasm {

std::string hot_functions_document(const std::string& binary,
                                   const std::vector<std::string>& mangled_names,
                                   const std::vector<std::string>& noreturn) {
  AllocNames names = AllocNames::defaults();
  names.noreturn.insert(noreturn.begin(), noreturn.end());
  const std::unique_ptr<ObjectFile> file = open_object_file(binary);
  const Decoder decoder(file->arch(), Syntax::kIntel);
  std::unique_ptr<LineTable> lines = file->open_line_table();
  const std::set<std::string> wanted(mangled_names.begin(), mangled_names.end());
  std::vector<AnnotatedFunction> functions;
  std::set<std::string> done;
  for (const Symbol& symbol : file->functions()) {
    if (!wanted.contains(symbol.name) || !done.insert(symbol.name).second) continue;
    functions.push_back(annotate(*file, decoder, range_of(*file, symbol), names, lines.get()));
  }
  SourceCache sources;
  std::string out;
  write_disasm_document(out, describe_binary(*file), Syntax::kIntel, functions, &sources);
  return out;
}

}  // namespace deferlab::disasm
