// Compiled at -Os (tests/tools/CMakeLists.txt): GCC keeps the containers' growth paths
// out of line, as calls into libstdc++ (_M_realloc_insert in the binary, _M_append and
// _M_mutate only as PLT stubs).
#include <string>
#include <vector>

__attribute__((noinline)) std::size_t os_vector_growth(int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(i);
  return v.size();
}

__attribute__((noinline)) std::size_t os_string_append(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.append("ab", 2);
  return s.size();
}
