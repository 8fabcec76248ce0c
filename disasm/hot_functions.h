// The hot functions of a run, disassembled: the deferlab.disasm/1 document of the named
// symbols of one binary (with source lines), as `deferlab run` writes into disasm.json.
#pragma once

#include <string>
#include <vector>

namespace deferlab::disasm {

// Symbols the binary lacks are left out (an architecture may not build every row).
// Throws Error when the binary cannot be read.
// `noreturn` names functions of this binary that never return (its manifest's
// noreturn_symbols), besides the runtimes' own (AllocNames::defaults).
std::string hot_functions_document(const std::string& binary,
                                   const std::vector<std::string>& mangled_names,
                                   const std::vector<std::string>& noreturn = {});

}  // namespace deferlab::disasm
