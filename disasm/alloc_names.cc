// The names annotation knows: allocators, frees and functions that do not return, per
// language runtime, matched by linkage name (Rust v0 paths by their last identifier).
#include <cctype>

#include "disasm/annotate.h"
#include "disasm/names.h"

namespace deferlab::disasm {

// Whether a linkage name is in `names`, directly or as the last identifier of a Rust v0
// mangled path ("_RNvCs..._7___rustc12___rust_alloc" ends in "12" "_" "__rust_alloc").
bool names_contain(const std::set<std::string>& names, const std::string& symbol) {
  if (symbol.empty()) return false;
  if (names.contains(symbol)) return true;
  if (symbol.rfind("_R", 0) != 0) return false;
  for (const std::string& name : names) {
    const std::string length = std::to_string(name.size());
    for (const std::string& tail : {length + "_" + name, length + name}) {
      if (symbol.size() > tail.size() &&
          symbol.compare(symbol.size() - tail.size(), tail.size(), tail) == 0 &&
          !std::isdigit(static_cast<unsigned char>(symbol[symbol.size() - tail.size() - 1]))) {
        return true;
      }
    }
  }
  return false;
}

AllocNames AllocNames::defaults() {
  AllocNames n;
  n.alloc = {// C
             "malloc", "calloc", "realloc", "reallocarray", "aligned_alloc", "posix_memalign",
             "memalign", "valloc", "pvalloc", "strdup", "strndup",
             // C++ operator new, every form (64-bit size_t: m)
             "_Znwm", "_Znam", "_ZnwmRKSt9nothrow_t", "_ZnamRKSt9nothrow_t", "_ZnwmSt11align_val_t",
             "_ZnamSt11align_val_t", "_ZnwmSt11align_val_tRKSt9nothrow_t",
             "_ZnamSt11align_val_tRKSt9nothrow_t",
             // Rust
             "__rust_alloc", "__rust_alloc_zeroed", "__rust_realloc", "__rdl_alloc",
             "__rdl_alloc_zeroed", "__rdl_realloc",
             // Go
             "runtime.newobject", "runtime.mallocgc", "runtime.deferproc", "runtime.growslice",
             "runtime.makeslice", "runtime.makemap", "runtime.newproc"};
  // What the C, C++, Go and Rust runtimes never return from; a binary adds its own
  // (deferlab run takes the manifest's noreturn_symbols).
  n.noreturn = {"__cxa_throw",
                "__cxa_rethrow",
                "_Unwind_Resume",
                "__stack_chk_fail",
                "abort",
                "exit",
                "_exit",
                "_ZSt9terminatev",
                "__cxa_bad_cast",
                "__cxa_bad_typeid",
                "_ZSt17__throw_bad_allocv",
                "_ZSt25__throw_bad_function_callv",
                "runtime.gopanic",
                "runtime.throw",
                "core::panicking::panic"};
  n.free = {"free", "cfree",
            // C++ operator delete, every form
            "_ZdlPv", "_ZdaPv", "_ZdlPvm", "_ZdaPvm", "_ZdlPvSt11align_val_t",
            "_ZdaPvSt11align_val_t", "_ZdlPvmSt11align_val_t", "_ZdaPvmSt11align_val_t",
            "_ZdlPvRKSt9nothrow_t", "_ZdaPvRKSt9nothrow_t", "_ZdlPvSt11align_val_tRKSt9nothrow_t",
            "_ZdaPvSt11align_val_tRKSt9nothrow_t",
            // Rust
            "__rust_dealloc", "__rdl_dealloc"};
  return n;
}

std::vector<std::string> tag_names(std::uint32_t tags) {
  std::vector<std::string> names;
  for (std::uint32_t bit = 0; bit < kTagCount; ++bit) {
    if (tags & (1u << bit)) names.emplace_back(kTagNames[bit]);
  }
  return names;
}

}  // namespace deferlab::disasm
