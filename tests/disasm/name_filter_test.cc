// Tests disasm/name_filter.cc (which mangled names a typed name could match, decided
// without demangling) and ObjectFile::functions_named as disasm/elf_symbols.cc answers it
// (names compared in place): both must agree with demangling and scanning everything.
#include "disasm/name_filter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "disasm/object_file.h"

namespace deferlab::disasm {
namespace {

using Words = std::vector<std::string>;

TEST(NameFilterTest, RequiresTheSourceIdentifiersOfAName) {
  EXPECT_EQ(NameFilter("llvm::AADepGraph::print()", false).required(),
            (Words{"llvm", "AADepGraph", "print"}));
  // Builtin types, std, allocator and operator are the demangler's words, not the name's.
  EXPECT_EQ(
      NameFilter("std::vector<int, std::allocator<int> >::push_back(int const&)", false).required(),
      (Words{"vector", "push_back"}));
  EXPECT_EQ(NameFilter("operator new(unsigned long)", false).required(), Words{});
  EXPECT_EQ(NameFilter("f<4u>", false).required(), Words{"f"});  // numbers may be made up
}

TEST(NameFilterTest, AGlobRequiresOnlyPiecesThatCannotBeMadeUp) {
  EXPECT_EQ(NameFilter("*loop_defer*", true).required(), Words{"loop_defer"});
  EXPECT_EQ(NameFilter("*signe*", true).required(), Words{});  // a piece of "unsigned"
  EXPECT_EQ(NameFilter("*<4u>*", true).required(), Words{});
  EXPECT_EQ(NameFilter("*ul*", true).required(), Words{});       // a literal's suffix
  EXPECT_EQ(NameFilter("f[ab]*x_y", true).required(), Words{});  // a bracket: no filter
}

TEST(NameFilterTest, OnlyMangledNamesLackingAnIdentifierAreRuledOut) {
  const NameFilter filter("llvm::AADepGraph::print()", false);
  EXPECT_TRUE(filter.may_match("_ZN4llvm10AADepGraph5printEv"));
  EXPECT_FALSE(filter.may_match("_ZN4llvm10AADepGraph4dumpEv"));
  EXPECT_TRUE(filter.may_match("print"));  // not mangled: it demangles to itself
}

// What the filter promises, on every function of real binaries: the name a function
// demangles to, its name without parameters, and globs cut from it never rule it out.
void expect_never_rules_out_a_match(const std::string& path) {
  const std::unique_ptr<ObjectFile> file = open_object_file(path);
  std::size_t checked = 0;
  for (const Symbol& f : file->functions()) {
    if (f.name.rfind("_Z", 0) != 0) continue;
    const std::string& d = f.demangled();
    ASSERT_TRUE(NameFilter(d, false).may_match(f.name)) << f.name << " as " << d;
    ASSERT_TRUE(NameFilter(base_name(d), false).may_match(f.name)) << f.name;
    ASSERT_TRUE(NameFilter("*" + d.substr(d.size() / 3), true).may_match(f.name)) << f.name;
    ASSERT_TRUE(NameFilter(d.substr(0, d.size() / 2) + "*", true).may_match(f.name)) << f.name;
    ++checked;
  }
  EXPECT_GT(checked, 10u) << path;
}

TEST(NameFilterTest, NeverRulesOutAMatchInTheLab) {
  expect_never_rules_out_a_match(LAB_BINARY);  // templates, lambdas, std:: everywhere
}

TEST(NameFilterTest, NeverRulesOutAMatchInLibstdcxx) {
  expect_never_rules_out_a_match("/usr/lib/x86_64-linux-gnu/libstdc++.so.6");
}

// functions_named() compares names in place; the default scans functions(). Same answer,
// same order, same sizes, for names that are there (every 7th, and every sizeless one) and
// for names that are not.
void expect_lookup_agrees_with_scan(const std::string& path) {
  const std::unique_ptr<ObjectFile> file = open_object_file(path);
  const std::vector<Symbol>& all = file->functions();
  std::vector<std::string> names = {"no_such_function", "_Z", ""};
  for (std::size_t k = 0; k < all.size(); k += 7) names.push_back(all[k].name);
  for (const std::string& name : names) {
    std::vector<const Symbol*> scanned;
    for (const Symbol& f : all) {
      if (f.name == name) scanned.push_back(&f);
    }
    const std::vector<Symbol> found = file->functions_named(name);
    ASSERT_EQ(found.size(), scanned.size()) << name;
    for (std::size_t i = 0; i < found.size(); ++i) {
      EXPECT_EQ(found[i].address, scanned[i]->address) << name;
      EXPECT_EQ(found[i].size, scanned[i]->size) << name;
      EXPECT_EQ(found[i].section, scanned[i]->section) << name;
      EXPECT_EQ(found[i].dynamic, scanned[i]->dynamic) << name;
    }
  }
}

TEST(FunctionsNamedTest, AgreesWithTheIndexOnTheFixture) {
  expect_lookup_agrees_with_scan(FIXTURE_EXECUTABLE);
}

TEST(FunctionsNamedTest, AgreesWithTheIndexOnARelocatableObject) {
  expect_lookup_agrees_with_scan(FIXTURE_OBJECT);
}

TEST(FunctionsNamedTest, AgreesWithTheIndexOnLibstdcxx) {
  expect_lookup_agrees_with_scan("/usr/lib/x86_64-linux-gnu/libstdc++.so.6");
}

}  // namespace
}  // namespace deferlab::disasm
