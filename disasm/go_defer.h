// Which mechanism the Go compiler (1.14 and later) chose for a function's defer
// statements, read from the function's instructions alone:
//
//   heap record   a call to runtime.deferproc: the record comes from the runtime's per-P
//                 pool (allocated when the pool is empty); every defer in a loop
//   stack record  a call to runtime.deferprocStack: the record lives in the frame (1.13+)
//   open-coded    no deferproc* call, but a call to runtime.deferreturn on the exit path:
//                 the deferred calls are inlined at each return, a bit mask says which
//                 ran, and deferreturn serves only a recovered panic (1.14+)
//
// and the calls to runtime.newobject / runtime.mallocgc beside them (closures and
// variables moved to the heap).
//
//   const GoDefers d = classify_go_defers(function);
//   if (d.mechanisms() == "open-coded") ...
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "disasm/annotate.h"
#include "disasm/object_file.h"

namespace deferlab::disasm {

struct GoDefers {
  std::size_t deferproc_calls = 0;        // runtime.deferproc: heap records
  std::size_t deferproc_stack_calls = 0;  // runtime.deferprocStack: stack records
  std::size_t deferreturn_calls = 0;      // runtime.deferreturn
  std::size_t deferproc_calls_in_loops = 0;
  std::size_t heap_allocations = 0;  // runtime.newobject / runtime.mallocgc calls
  std::size_t heap_allocations_in_loops = 0;
  std::vector<std::uint64_t> evidence;  // addresses of those calls, in address order

  bool has_heap_records() const { return deferproc_calls > 0; }
  bool has_stack_records() const { return deferproc_stack_calls > 0; }
  bool is_open_coded() const {
    return deferreturn_calls > 0 && deferproc_calls == 0 && deferproc_stack_calls == 0;
  }
  bool has_defers() const {
    return deferreturn_calls + deferproc_calls + deferproc_stack_calls > 0;
  }

  // "heap record", "stack record", "heap record + stack record", "open-coded", or "none".
  std::string mechanisms() const;
};

GoDefers classify_go_defers(const AnnotatedFunction& function);

// The Go function literals defined inside `function` ("pkg.f.func1", "pkg.f.func1.2"):
// the symbols of `all` that start with its name and ".func". Their defers are part of the
// function's story (the usual fix for a defer in a loop moves it into such a literal).
std::vector<std::string> go_function_literals(const std::string& function,
                                              const std::vector<std::string>& all);

// `names` followed by the function literals of each (go_function_literals) that `binary`
// defines. Throws Error when the binary cannot be read.
std::vector<std::string> with_go_function_literals(const std::string& binary,
                                                   const std::vector<std::string>& names);

// True when `path` is an ELF file holding a Go test program (`go test -c`): it defines
// testing.(*B).Run. False for anything unreadable or not ELF.
bool is_go_test_binary(const std::string& path);

}  // namespace deferlab::disasm
