// Tests disasm/ on binaries no one here wrote: the system's libstdc++ (dynamic symbols
// only), the AArch64 libc, and a Go and a Rust program compiled by the test itself when
// their toolchains are installed (tools/lab test installs Go; Rust where rustc exists).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "disasm/annotate.h"
#include "disasm/selection.h"
#include "harness/subprocess.h"
#include "tests/skip.h"

namespace deferlab::disasm {
namespace {

namespace fs = std::filesystem;

bool on_path(const std::string& tool) {
  return std::system(("command -v " + tool + " > /dev/null 2>&1").c_str()) == 0;
}

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("deferlab-foreign-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

AnnotatedFunction annotate_one(const std::string& path, const std::string& name) {
  const std::unique_ptr<ObjectFile> file = open_object_file(path);
  const Decoder decoder(file->arch(), Syntax::kIntel);
  std::vector<FunctionRange> ranges = select_by_name(*file, {name});
  std::erase_if(ranges, [](const FunctionRange& r) { return is_clone(r.demangled); });
  EXPECT_EQ(ranges.size(), 1u) << name;
  return annotate(*file, decoder, ranges.at(0), AllocNames::defaults(), nullptr);
}

TEST(ForeignBinariesTest, OperatorNewInLibstdcxxFromDynamicSymbols) {
  const std::string lib = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
  if (!fs::exists(lib)) DEFERLAB_SKIP() << lib << " is not installed (Debian: libstdc++6)";
  const std::unique_ptr<ObjectFile> file = open_object_file(lib);
  EXPECT_FALSE(file->has_symbol_table());  // Debian strips .symtab
  EXPECT_EQ(file->kind(), "shared-library");
  EXPECT_FALSE(file->build_id().empty());
  const AnnotatedFunction f = annotate_one(lib, "_Znwm");
  EXPECT_EQ(f.range.demangled, "operator new(unsigned long)");
  bool calls_malloc_plt = false;
  for (const AnnotatedInstruction& a : f.instructions) {
    calls_malloc_plt = calls_malloc_plt || (a.call_target == "malloc@plt" && (a.tags & kTagAlloc));
  }
  EXPECT_TRUE(calls_malloc_plt);
}

TEST(ForeignBinariesTest, MallocInTheAArch64Libc) {
  const std::string lib = "/usr/aarch64-linux-gnu/lib/libc.so.6";
  if (!fs::exists(lib)) {
    DEFERLAB_SKIP() << lib << " is not installed (Debian: libc6-arm64-cross)";
  }
  const std::unique_ptr<ObjectFile> file = open_object_file(lib);
  EXPECT_EQ(file->arch(), Arch::kAArch64);
  const AnnotatedFunction f = annotate_one(lib, "malloc");
  EXPECT_GT(f.summary.instructions, 50u);
  EXPECT_GT(f.summary.calls, 0u);
}

TEST(ForeignBinariesTest, GoAllocationInALoop) {
  if (!on_path("go")) DEFERLAB_SKIP() << "no Go toolchain (Debian: golang-go)";
  const fs::path dir = scratch("go");
  std::ofstream(dir / "main.go") << R"(package main

import "fmt"

type node struct {
	next *node
	v    int
}

//go:noinline
func build(n int) *node {
	var head *node
	for i := 0; i < n; i++ {
		head = &node{head, i}
	}
	return head
}

func main() { fmt.Println(build(3).v) }
)";
  const fs::path binary = dir / "gobin";
  const ExitStatus built =
      run_process({"env", "HOME=" + dir.string(), "GOCACHE=" + (dir / "cache").string(),
                   "GOPATH=" + (dir / "gopath").string(), "GO111MODULE=off", "GOFLAGS=", "go",
                   "build", "-o", binary.string(), (dir / "main.go").string()},
                  nullptr, nullptr);
  ASSERT_TRUE(built.succeeded()) << "go build " << built.describe();
  const AnnotatedFunction f = annotate_one(binary.string(), "main.build");
  bool newobject_in_loop = false;
  for (const AnnotatedInstruction& a : f.instructions) {
    newobject_in_loop = newobject_in_loop || (a.call_symbol == "runtime.newobject" && a.loop >= 0);
  }
  EXPECT_TRUE(newobject_in_loop);
  EXPECT_GE(f.summary.alloc_calls_in_loops, 1u);
}

TEST(ForeignBinariesTest, RustAllocation) {
  if (!on_path("rustc")) DEFERLAB_SKIP() << "no Rust compiler (Debian: rustc)";
  const fs::path dir = scratch("rust");
  std::ofstream(dir / "a.rs") << R"(#[inline(never)]
#[no_mangle]
pub fn alloc_box(n: u64) -> Box<u64> { Box::new(n) }
fn main() { let b = alloc_box(std::hint::black_box(3)); println!("{}", b); }
)";
  const fs::path binary = dir / "rustbin";
  const ExitStatus built = run_process(
      {"rustc", "-O", "-o", binary.string(), (dir / "a.rs").string()}, nullptr, nullptr);
  ASSERT_TRUE(built.succeeded()) << "rustc " << built.describe();
  const AnnotatedFunction f = annotate_one(binary.string(), "alloc_box");
  EXPECT_EQ(f.summary.alloc_calls, 1u);
}

}  // namespace
}  // namespace deferlab::disasm
