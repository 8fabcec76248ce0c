// Functions with known shapes, compiled into tests/disasm's fixture executable and
// object file: the facts the annotation tests check hold for any reasonable compiler.
#include <cstdlib>
#include <new>

extern "C" {

// One malloc and one free per iteration: two calls in a loop.
__attribute__((noinline)) void fixture_alloc_in_loop(int n) {
  for (int i = 0; i < n; ++i) {
    void* p = std::malloc(16);
    asm volatile("" : : "r"(p) : "memory");
    std::free(p);
  }
}

// operator new once, outside any loop.
__attribute__((noinline)) void* fixture_new_once() {
  return ::operator new(24);
}

// No call, no loop.
__attribute__((noinline)) int fixture_leaf(int x) {
  return x * 3 + 1;
}

// Two nested loops (the asm keeps the inner loop from being folded).
__attribute__((noinline)) int fixture_nested_loops(int n) {
  int s = 0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      s += i ^ j;
      asm volatile("" : "+r"(s));
    }
  }
  return s;
}

// One call through a function pointer.
__attribute__((noinline)) int fixture_indirect(int (*f)(int), int x) {
  return f(x) + 1;
}

}  // extern "C"

int main(int argc, char**) {
  fixture_alloc_in_loop(argc);
  ::operator delete(fixture_new_once());
  return fixture_leaf(argc) + fixture_nested_loops(argc) + fixture_indirect(fixture_leaf, argc);
}
