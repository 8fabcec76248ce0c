// The hot functions of a run, disassembled: the deferlab.disasm/1 document of the named
// symbols of one binary (with source lines), as `deferlab run` writes into disasm.json.
#pragma once

#include <string>
#include <vector>

namespace deferlab::disasm {

// Symbols the binary lacks are left out (an architecture may not build every row).
// Throws Error when the binary cannot be read.
std::string hot_functions_document(const std::string& binary,
                                   const std::vector<std::string>& mangled_names);

}  // namespace deferlab::disasm
