// Classifies a Go function's defer mechanism from its calls (disasm/go_defer.h).
#include "disasm/go_defer.h"

#include "common/error.h"

namespace deferlab::disasm {

std::string GoDefers::mechanisms() const {
  if (is_open_coded()) return "open-coded";
  std::string out;
  if (has_heap_records()) out = "heap record";
  if (has_stack_records()) out += std::string(out.empty() ? "" : " + ") + "stack record";
  return out.empty() ? "none" : out;
}

GoDefers classify_go_defers(const AnnotatedFunction& function) {
  GoDefers d;
  for (const AnnotatedInstruction& a : function.instructions) {
    if ((a.tags & kTagCall) == 0) continue;
    const std::string& callee = a.call_symbol;
    const bool in_loop = a.loop_depth > 0;
    if (callee == "runtime.deferproc") {
      ++d.deferproc_calls;
      d.deferproc_calls_in_loops += in_loop;
    } else if (callee == "runtime.deferprocStack") {
      ++d.deferproc_stack_calls;
    } else if (callee == "runtime.deferreturn") {
      ++d.deferreturn_calls;
    } else if (callee == "runtime.newobject" || callee == "runtime.mallocgc") {
      ++d.heap_allocations;
      d.heap_allocations_in_loops += in_loop;
    } else {
      continue;
    }
    d.evidence.push_back(a.insn.address);
  }
  return d;
}

std::vector<std::string> go_function_literals(const std::string& function,
                                              const std::vector<std::string>& all) {
  const std::string prefix = function + ".func";
  std::vector<std::string> literals;
  for (const std::string& name : all) {
    if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0) {
      literals.push_back(name);
    }
  }
  return literals;
}

std::vector<std::string> with_go_function_literals(const std::string& binary,
                                                   const std::vector<std::string>& names) {
  const std::unique_ptr<ObjectFile> file = open_object_file(binary);
  std::vector<std::string> all;
  for (const Symbol& s : file->functions()) all.push_back(s.name);
  std::vector<std::string> out = names;
  for (const std::string& name : names) {
    for (std::string& literal : go_function_literals(name, all)) out.push_back(std::move(literal));
  }
  return out;
}

bool is_go_test_binary(const std::string& path) {
  try {
    const std::unique_ptr<ObjectFile> file = open_object_file(path);
    for (const Symbol& s : file->functions()) {
      if (s.name == "testing.(*B).Run") return true;
    }
  } catch (const Error&) {
  }
  return false;
}

}  // namespace deferlab::disasm
