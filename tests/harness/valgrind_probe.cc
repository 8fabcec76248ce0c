// Runs one lab case once, for the test that compares the hook's count with valgrind's
// "total heap usage". `valgrind_probe none ID` looks the case up but does not run it, so
// the two invocations differ by the case's call alone.
//
// Output (stdout, written without stdio so that printing allocates nothing):
//   hook_allocs=N
#include <unistd.h>

#include <cstring>
#include <string>

#include "cases/case_registry.h"
#include "harness/alloc_hook.h"

namespace {

void write_line(const std::string& line) {
  const std::string text = line + "\n";
  [[maybe_unused]] const ssize_t n = ::write(1, text.data(), text.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    write_line("usage: valgrind_probe run|none CASE_ID");
    return 2;
  }
  const bool run = std::strcmp(argv[1], "run") == 0;
  const deferlab::cases::Case* found = nullptr;
  for (const deferlab::cases::Case* c : deferlab::cases::all_cases()) {
    if (c->benchmark_name() == argv[2]) found = c;
  }
  if (found == nullptr) {
    write_line("no such case");
    return 2;
  }
  static deferlab::cases::Ledger ledger;
  const deferlab::alloc::Counts before = deferlab::alloc::thread_counts();
  if (run) found->call(ledger);
  const deferlab::alloc::Counts after = deferlab::alloc::thread_counts();
  write_line("hook_allocs=" + std::to_string((after - before).allocs));
  return 0;
}
