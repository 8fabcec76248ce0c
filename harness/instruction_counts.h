// How many times each instruction of a binary ran, from a profile, for the heat column of
// `deferlab disasm --counts FILE`. FILE is either any callgrind output written with
// --dump-instr=yes (executions summed over its parts and call contexts) or a
// deferlab.profile/1 document (executions per iteration of each benchmark's hot
// functions).
//
//   const auto sets = read_instruction_counts("profile.json", "build/my_bench");
//   const InstructionCounts* c = counts_for_range(sets, f.address, f.address + f.size, "", name);
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace deferlab::harness {

struct InstructionHeat {
  std::optional<std::uint64_t> executions;  // in the whole callgrind file
  std::optional<double> per_iteration;      // per iteration of a benchmark's timed loop
};

struct InstructionCounts {
  std::string source;                                   // the file they come from
  std::string benchmark;                                // empty for callgrind output
  std::map<std::uint64_t, InstructionHeat> by_address;  // addresses as in the ELF file
};

// The counts `path` holds for the ELF object `binary` (matched by canonical path, else by
// file name when only one object has it): one set for callgrind output, one per benchmark
// for a deferlab.profile/1 document. Throws Error when the file is neither, is malformed,
// or has no counts for the binary.
std::vector<InstructionCounts> read_instruction_counts(const std::filesystem::path& path,
                                                       const std::filesystem::path& binary);

// The set with counts for addresses in [begin, end): the one for `benchmark` when it is
// named, else the only set that has any. Null when none has. Throws Error naming `what`
// when several benchmarks have counts there and none is named.
const InstructionCounts* counts_for_range(const std::vector<InstructionCounts>& sets,
                                          std::uint64_t begin, std::uint64_t end,
                                          const std::string& benchmark, const std::string& what);

}  // namespace deferlab::harness
