// Programs for the static hot/cold checks (tests/tools/check_command_test.cc): a loop
// whose allocation sits behind __builtin_expect(c, 0), the same one expected likely, and
// a loop whose failure path allocates and then aborts. Built with
// -fno-reorder-blocks-and-partition so that GCC keeps unlikely code inside the function
// (as clang does) instead of splitting it into a .cold part, which check knows already.
#include <cstdlib>

struct Node {
  int value;
  Node* next;
};

// noipa: no clone, no inlining, no knowledge of the body at the call site.
__attribute__((noipa)) Node* make_node(int v) {
  return new Node{v, nullptr};
}
__attribute__((noipa)) void report(Node* p) {
  delete p;
}

// Told unlikely: GCC lays the allocation out after the loop's return and jumps back.
__attribute__((noinline)) long unlikely_alloc(const int* data, int n) {
  long sum = 0;
  for (int i = 0; i < n; ++i) {
    if (__builtin_expect(data[i] < 0, 0)) {
      Node* p = make_node(data[i]);
      sum += p->value;
      report(p);
    }
    sum += data[i];
  }
  return sum;
}

// Told likely: the same allocation is on the hot path.
__attribute__((noinline)) long likely_alloc(const int* data, int n) {
  long sum = 0;
  for (int i = 0; i < n; ++i) {
    if (__builtin_expect(data[i] < 0, 1)) {
      Node* p = make_node(data[i]);
      sum += p->value;
      report(p);
    }
    sum += data[i];
  }
  return sum;
}

// The failure path allocates (a report), then never returns.
__attribute__((noinline)) long sum_or_abort(const int* data, int n) {
  long sum = 0;
  for (int i = 0; i < n; ++i) {
    if (data[i] < 0) {
      report(make_node(data[i]));
      std::abort();
    }
    sum += data[i];
  }
  return sum;
}

int main(int argc, char** argv) {
  int data[4] = {argc, 2, 3, argc > 2 ? -1 : 4};
  (void)argv;
  return static_cast<int>(unlikely_alloc(data, 4) + likely_alloc(data, 4) +
                          sum_or_abort(data, 4)) == 0;
}
