// Reads valgrind's callgrind output ("Callgrind Format Specification", version 1, in
// valgrind's docs) into self costs per instruction and call arcs, one part (dump) at a time.
// The file is untrusted input: every number is range-checked, every compressed name must
// be defined before use, and anything the format does not allow is an Error naming the
// file and line, never a crash or a silent guess.
//
//   CallgrindNames names;
//   std::ifstream in(path);
//   parse_callgrind(in, path, names, [&](CallgrindPart&& part) {
//     for (const CostLine& line : part.lines) ... names.functions[line.function] ...
//   });
//
// What is kept: the events, and per part its trigger ("desc: Trigger:"), the self cost of
// each (object, function, instruction address) and each call arc with its call count.
// Source files and lines, inclusive call costs and jump arcs are read, checked and dropped.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

namespace deferlab::harness {

// A function as callgrind names it: its name (mangled with --demangle=no, with any
// recursion suffix "'2" removed) in one ELF object ("" when callgrind did not know it).
struct CallgrindFunction {
  std::uint32_t object = 0;  // index into CallgrindNames::objects
  std::string name;
};

// The names seen so far. They outlive parts: a combined dump (--combine-dumps=yes) defines
// a compressed name once and refers to it from later parts.
struct CallgrindNames {
  std::vector<std::string> events;   // from "events:"; the same in every part
  bool has_addresses = false;        // "positions:" includes instr
  std::vector<std::string> objects;  // ELF object paths
  std::vector<CallgrindFunction> functions;
};

// Self cost of one instruction (or of one source line when the file has no instr
// positions; then address is 0).
struct CostLine {
  std::uint32_t function = 0;  // index into CallgrindNames::functions
  std::uint64_t address = 0;   // relative to the object's load address, as in the ELF file
  std::size_t costs = 0;       // offset of this line's costs in CallgrindPart::costs
};

// `count` calls from the instruction at `address` of `caller` to `callee`. A count of 0
// is a call that was still active when the part began.
struct CallArc {
  std::uint32_t caller = 0;
  std::uint32_t callee = 0;
  std::uint64_t address = 0;
  std::uint64_t count = 0;
};

struct CallgrindPart {
  int number = 0;       // "part:" (1, 2, ...), or the part's order in the file
  std::string trigger;  // "--dump-after=...", "Program termination", ...
  std::vector<CostLine> lines;
  std::vector<std::uint64_t> costs;  // events.size() values per line
  std::vector<CallArc> calls;
  std::vector<std::uint64_t> totals;  // self cost of the part, per event

  std::uint64_t cost(const CostLine& line, std::size_t event) const {
    return costs[line.costs + event];
  }
};

using CallgrindPartHandler = std::function<void(CallgrindPart&& part)>;

// Reads `in` to its end, calling `on_part` for each part as soon as it is complete.
// Throws Error("...", "<source>:<line>") on anything malformed.
void parse_callgrind(std::istream& in, const std::string& source, CallgrindNames& names,
                     const CallgrindPartHandler& on_part);

// The index of `name` in names.events, or names.events.size() when absent.
std::size_t event_index(const CallgrindNames& names, const std::string& name);

}  // namespace deferlab::harness
