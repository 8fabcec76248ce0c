// `deferlab disasm --counts FILE`: joins instruction counts from a profile (callgrind
// output or a deferlab.profile/1 document) to annotated functions, for the heat column.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "disasm/annotate.h"

namespace deferlab::tools {

// Sets Heat on every instruction of `functions` that `counts` has; returns, per function,
// what its heat column counts ("" when the file has no counts for it). Throws Error when
// the file cannot be read or several benchmarks ran a function and `benchmark` is empty.
std::vector<std::string> join_counts(std::vector<disasm::AnnotatedFunction>& functions,
                                     const std::filesystem::path& binary,
                                     const std::filesystem::path& counts,
                                     const std::string& benchmark);

}  // namespace deferlab::tools
