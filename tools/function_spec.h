// Reading "which function" arguments for diff: BINARY:SYMBOL (the symbol may itself hold
// colons, "a.out:ns::f"), or a deferlab.disasm/1 JSON file, optionally FILE.json:SYMBOL.
#pragma once

#include <string>

#include "disasm/annotate.h"

namespace deferlab::tools {

struct LoadedFunction {
  disasm::AnnotatedFunction function;
  std::string source;  // the binary or JSON file it came from
  disasm::Arch arch = disasm::Arch::kX86_64;
};

// Throws Error when the spec names no file, no function, or more than one function.
LoadedFunction load_function(const std::string& spec, const disasm::AllocNames& names);

}  // namespace deferlab::tools
