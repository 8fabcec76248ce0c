// demangle(): abi::__cxa_demangle behind a std::string, for every module that names code.
#include <cxxabi.h>  // for abi::__cxa_demangle

#include <cstdlib>
#include <memory>

#include "disasm/object_file.h"

namespace deferlab::disasm {

std::string demangle(const std::string& name) {
  if (name.size() < 2 || name[0] != '_' || name[1] != 'Z') return name;
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> out(
      abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status), &std::free);
  return status == 0 && out ? std::string(out.get()) : name;
}

}  // namespace deferlab::disasm
