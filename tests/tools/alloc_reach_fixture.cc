// Programs for the allocation reachability checks (tests/tools/check_command_test.cc):
// loops that allocate one call away, the reserve-then-push fix, and an allocation GCC
// removes. Each function is noinline so the checked code is its own.
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

std::size_t os_vector_growth(int n);
std::size_t os_string_append(int n);

struct Node {
  int value;
  Node* next;
};

// noipa: no clone, no inlining, no knowledge of the body at the call site.
__attribute__((noipa)) Node* make_node(int v) { return new Node{v, nullptr}; }

// A loop that allocates through make_node: the path is make_node(int) -> operator new.
__attribute__((noinline)) long loop_make_node(int n) {
  long sum = 0;
  for (int i = 0; i < n; ++i) {
    Node* p = make_node(i);
    sum += p->value;
    delete p;
  }
  return sum;
}

// The standard fix: one allocation (the reserve), the growth path in the loop never runs.
__attribute__((noinline)) std::size_t reserve_then_push(int n) {
  std::vector<int> v;
  v.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v.push_back(i);
  return v.size() + static_cast<std::size_t>(v[0]);
}

// GCC removes a new/delete pair it can see both ends of: nothing to find.
__attribute__((noinline)) int unique_elided(int n) {
  int sum = 0;
  for (int i = 0; i < n; ++i) {
    auto p = std::make_unique<int>(i);
    sum += *p;
  }
  return sum;
}

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 8;
  long r = loop_make_node(n) + static_cast<long>(reserve_then_push(n)) + unique_elided(n) +
           static_cast<long>(os_vector_growth(n) + os_string_append(n));
  return r == 0 ? 1 : 0;
}
