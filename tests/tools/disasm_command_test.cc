// Tests tools/disasm_command.cc, diff_command.cc and check_command.cc through the
// deferlab binary: every kind of bad input is exit code 2 with one line naming the file
// (the inputs are built here from the fixture binary, field by field), and the happy
// paths print what a user expects.
#include <elf.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "disasm/object_file.h"
#include "disasm/stream.h"
#include "harness/subprocess.h"
#include "tests/tools/cli_test_support.h"

namespace deferlab::tools::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

fs::path write_bytes(const std::string& name, const std::vector<std::uint8_t>& bytes) {
  const fs::path path = fresh_directory("elf") / name;
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  return path;
}

// A view of the fixture's ELF structures, to describe a mutation by field.
class Elf {
 public:
  explicit Elf(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}

  Elf64_Ehdr& header() { return *reinterpret_cast<Elf64_Ehdr*>(bytes_.data()); }
  Elf64_Shdr& section(std::size_t i) {
    return *reinterpret_cast<Elf64_Shdr*>(bytes_.data() + header().e_shoff +
                                          i * sizeof(Elf64_Shdr));
  }
  std::size_t find_section(const std::string& name) {
    const Elf64_Shdr& names = section(header().e_shstrndx);
    for (std::size_t i = 0; i < header().e_shnum; ++i) {
      const char* n =
          reinterpret_cast<const char*>(bytes_.data() + names.sh_offset + section(i).sh_name);
      if (name == n) return i;
    }
    ADD_FAILURE() << "no section " << name;
    return 0;
  }
  Elf64_Sym& symbol(std::size_t table, std::size_t k) {
    return *reinterpret_cast<Elf64_Sym*>(bytes_.data() + section(table).sh_offset +
                                         k * sizeof(Elf64_Sym));
  }
  std::size_t find_symbol(std::size_t table, const std::string& name) {
    const Elf64_Shdr& strings = section(section(table).sh_link);
    for (std::size_t k = 0; k < section(table).sh_size / sizeof(Elf64_Sym); ++k) {
      const char* n = reinterpret_cast<const char*>(bytes_.data() + strings.sh_offset +
                                                    symbol(table, k).st_name);
      if (name == n) return k;
    }
    ADD_FAILURE() << "no symbol " << name;
    return 0;
  }
  std::vector<std::uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

struct BadInput {
  const char* name;
  std::function<void(Elf&)> mutate;
  const char* message;  // a fragment of the expected error line
};

void expect_bad_input(const fs::path& path, const std::string& fragment,
                      const std::vector<std::string>& extra = {"-s", "fixture_leaf"}) {
  std::vector<std::string> args = {"disasm", path.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliResult r = run_deferlab(args);
  EXPECT_EQ(r.exit_code, 2) << path << "\n" << r.err_text();
  ASSERT_EQ(r.err.size(), 1u) << r.err_text();
  EXPECT_EQ(r.err[0].rfind("deferlab: error: ", 0), 0u) << r.err[0];
  EXPECT_NE(r.err[0].find(fragment), std::string::npos) << r.err[0];
  EXPECT_NE(r.err[0].find(path.string()), std::string::npos) << "names the file: " << r.err[0];
  EXPECT_TRUE(r.out.empty());
}

TEST(DisasmBadInputTest, FilesThatAreNotBinaries) {
  const fs::path dir = fresh_directory("not-binaries");
  expect_bad_input(dir, "is a directory");
  expect_bad_input(dir / "missing", "no such file");
  std::ofstream(dir / "empty").close();
  expect_bad_input(dir / "empty", "empty file");
  std::ofstream(dir / "text") << "int main() { return 0; }\n";
  expect_bad_input(dir / "text", "not an ELF file");
  std::mt19937 random(20261121);
  std::vector<std::uint8_t> noise(4096);
  for (auto& b : noise) b = static_cast<std::uint8_t>(random());
  expect_bad_input(write_bytes("random", noise), "not an ELF file");
}

TEST(DisasmBadInputTest, MalformedElfBuiltFromTheFixture) {
  const std::vector<std::uint8_t> original = read_bytes(FIXTURE_EXECUTABLE);
  const std::vector<BadInput> inputs = {
      {"truncated-header", [](Elf& e) { e.bytes().resize(40); }, "truncated ELF header"},
      {"truncated-file", [](Elf& e) { e.bytes().resize(e.bytes().size() / 2); },
       "lies past the end of the file"},
      {"elf32", [](Elf& e) { e.bytes()[EI_CLASS] = ELFCLASS32; }, "32-bit ELF is not supported"},
      {"big-endian", [](Elf& e) { e.bytes()[EI_DATA] = ELFDATA2MSB; },
       "big-endian ELF is not supported"},
      {"riscv", [](Elf& e) { e.header().e_machine = EM_RISCV; },
       "unsupported machine 243 (RISC-V)"},
      {"shdrs-past-end", [](Elf& e) { e.header().e_shoff = e.bytes().size() - 10; },
       "section header table lies past the end of the file"},
      {"section-count", [](Elf& e) { e.header().e_shnum = 0xfff0; },
       "section header table lies past the end of the file (65520 headers"},
      {"shentsize", [](Elf& e) { e.header().e_shentsize = 32; }, "section header entry size is 32"},
      {"shstrndx", [](Elf& e) { e.header().e_shstrndx = e.header().e_shnum + 3; },
       "section name string table index"},
      {"symtab-offset",
       [](Elf& e) { e.section(e.find_section(".symtab")).sh_offset = e.bytes().size() + 100; },
       "section .symtab lies past the end of the file"},
      {"symtab-size", [](Elf& e) { e.section(e.find_section(".symtab")).sh_size -= 1; },
       "is not a multiple of its entry size"},
      {"symtab-entsize", [](Elf& e) { e.section(e.find_section(".symtab")).sh_entsize = 23; },
       "symbol table .symtab has entry size 23, expected 24"},
      {"symtab-link-zero", [](Elf& e) { e.section(e.find_section(".symtab")).sh_link = 0; },
       "links to section 0, which is not a string table"},
      {"symtab-link-text",
       [](Elf& e) {
         const std::size_t text = e.find_section(".text");
         e.section(e.find_section(".symtab")).sh_link = static_cast<std::uint32_t>(text);
       },
       "which is not a string table"},
      {"symbol-name",
       [](Elf& e) {
         const std::size_t symtab = e.find_section(".symtab");
         const std::size_t k = e.find_symbol(symtab, "fixture_leaf");
         e.symbol(symtab, k).st_name =
             static_cast<std::uint32_t>(e.section(e.section(symtab).sh_link).sh_size + 5);
       },
       "name lies past the end of the string table"},
      {"symbol-size",
       [](Elf& e) {
         const std::size_t symtab = e.find_section(".symtab");
         e.symbol(symtab, e.find_symbol(symtab, "fixture_leaf")).st_size = 0x10000000;
       },
       "symbol fixture_leaf (268435456 bytes at 0x"},
      {"symbol-section",
       [](Elf& e) {
         const std::size_t symtab = e.find_section(".symtab");
         e.symbol(symtab, e.find_symbol(symtab, "fixture_leaf")).st_shndx = 0xfe00;
       },
       "section index 65024 is out of range"},
  };
  for (const BadInput& input : inputs) {
    SCOPED_TRACE(input.name);
    Elf elf(original);
    input.mutate(elf);
    expect_bad_input(write_bytes(input.name, elf.bytes()), input.message);
  }
}

TEST(DisasmBadInputTest, AStrippedBinaryPointsToAddress) {
  const fs::path dir = fresh_directory("stripped");
  const fs::path stripped = dir / "fixture.stripped";
  ASSERT_EQ(run_process({"objcopy", "--strip-all", FIXTURE_EXECUTABLE, stripped.string()}, nullptr,
                        nullptr)
                .code,
            0);
  const CliResult r = run_deferlab({"disasm", stripped.string(), "-s", "fixture_leaf"});
  EXPECT_EQ(r.exit_code, 2);
  ASSERT_EQ(r.err.size(), 1u) << r.err_text();
  EXPECT_NE(r.err[0].find("stripped"), std::string::npos) << r.err[0];
  EXPECT_NE(r.err[0].find("--address"), std::string::npos) << r.err[0];
}

TEST(DisasmBadInputTest, AMisspelledSymbolSuggestsTheClosest) {
  const CliResult r = run_deferlab({"disasm", FIXTURE_EXECUTABLE, "-s", "fixture_lef"});
  EXPECT_EQ(r.exit_code, 2);
  ASSERT_EQ(r.err.size(), 1u) << r.err_text();
  EXPECT_NE(r.err[0].find("no function named 'fixture_lef'"), std::string::npos) << r.err[0];
  EXPECT_NE(r.err[0].find("did you mean 'fixture_leaf'"), std::string::npos) << r.err[0];
}

TEST(DisasmBadInputTest, UsageErrors) {
  const CliResult nothing = run_deferlab({"disasm", FIXTURE_EXECUTABLE});
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_NE(nothing.err_text().find("nothing selected"), std::string::npos);
  const CliResult arch =
      run_deferlab({"disasm", FIXTURE_EXECUTABLE, "-s", "main", "--arch", "aarch64"});
  EXPECT_EQ(arch.exit_code, 2);
  EXPECT_NE(arch.err_text().find("the binary is x86-64, not aarch64"), std::string::npos);
  const CliResult address = run_deferlab({"disasm", FIXTURE_EXECUTABLE, "--address", "0x10zz"});
  EXPECT_EQ(address.exit_code, 2);
  EXPECT_NE(address.err_text().find("not an address"), std::string::npos);
  const CliResult outside = run_deferlab({"disasm", FIXTURE_EXECUTABLE, "--address", "0x10"});
  EXPECT_EQ(outside.exit_code, 2);
  EXPECT_NE(outside.err_text().find("is not in an executable section"), std::string::npos);
}

TEST(DisasmCommandTest, JsonOfOneFunction) {
  const CliResult r = run_deferlab(
      {"disasm", FIXTURE_EXECUTABLE, "-s", "fixture_alloc_in_loop", "-f", "json", "--source"});
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  const nlohmann::json doc = nlohmann::json::parse(r.out_text());
  EXPECT_EQ(doc["schema"], "deferlab.disasm/1");
  ASSERT_EQ(doc["functions"].size(), 1u);
  const nlohmann::json& f = doc["functions"][0];
  EXPECT_GE(f["summary"]["alloc_calls_in_loops"].get<int>(), 1);
  // DWARF line numbers point into fixture.cc, whose text --source includes.
  bool has_line = false;
  for (const nlohmann::json& insn : f["instructions"]) {
    has_line = has_line ||
               (insn.contains("file") && insn["file"].get<std::string>().ends_with("fixture.cc"));
  }
  EXPECT_TRUE(has_line);
  EXPECT_FALSE(f["source_lines"].empty());
}

// A binary whose DWARF names its source relative to the compilation directory still gets
// its source lines from any working directory: the name is joined to DW_AT_comp_dir.
TEST(DisasmCommandTest, SourceNamedRelativeToItsCompilationDirectoryIsFound) {
  // Run from "/", where the relative name would not resolve.
  const CliResult r = run_deferlab(
      {"disasm", RELATIVE_PATHS_FIXTURE, "-s", "fixture_alloc_in_loop", "-f", "json", "--source"},
      fs::path("/"));
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  const nlohmann::json f = nlohmann::json::parse(r.out_text())["functions"].at(0);
  std::string file;
  for (const nlohmann::json& insn : f["instructions"]) {
    if (insn.contains("file")) file = insn["file"].get<std::string>();
  }
  EXPECT_TRUE(fs::path(file).is_absolute()) << file;
  EXPECT_TRUE(fs::exists(file)) << file;
  EXPECT_FALSE(f["source_lines"].empty());
}

TEST(DisasmCommandTest, AllIsOneDocumentPerLineCoveringTheCode) {
  const fs::path out = fresh_directory("all") / "all.ndjson";
  const CliResult r = run_deferlab({"disasm", FIXTURE_EXECUTABLE, "--all", "-o", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  std::ifstream in(out);
  std::size_t lines = 0;
  bool saw_leaf = false;
  for (std::string line; std::getline(in, line); ++lines) {
    const nlohmann::json doc = nlohmann::json::parse(line);
    ASSERT_EQ(doc["functions"].size(), 1u);
    saw_leaf = saw_leaf || doc["functions"][0]["symbol"] == "fixture_leaf";
  }
  EXPECT_GT(lines, 5u);
  EXPECT_TRUE(saw_leaf);
}

// What `disasm --all` writes, to standard output and to a file, is byte for byte what the
// stream makes: the lab binary's listing (26 MB) mixes records of a few hundred bytes,
// which Output buffers, with chunks of 64 KiB and more, which it writes as they come, so
// an order lost between the two would show here.
TEST(DisasmCommandTest, AllWritesExactlyWhatTheStreamMakes) {
  std::string expected;
  {
    const std::unique_ptr<disasm::ObjectFile> file = disasm::open_object_file(LAB_BINARY);
    disasm::StreamOptions options;
    options.lines = false;
    disasm::stream_all_functions(*file, options, [&](std::string_view text) { expected += text; });
  }
  std::size_t long_records = 0;
  for (std::size_t at = 0; at < expected.size();) {
    const std::size_t end = expected.find('\n', at);
    ASSERT_NE(end, std::string::npos);
    long_records += end + 1 - at >= 64 * 1024;
    at = end + 1;
  }
  ASSERT_GT(long_records, 0u) << "no record of 64 KiB: the direct write is not tested";
  const fs::path dir = fresh_directory("all-bytes");
  auto read = [](const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  };
  CliOptions to_stdout;
  to_stdout.shell_tail = "> " + (dir / "stdout.ndjson").string();
  ASSERT_EQ(run_deferlab({"disasm", LAB_BINARY, "--all"}, to_stdout).exit_code, 0);
  EXPECT_TRUE(read(dir / "stdout.ndjson") == expected) << "standard output differs";
  ASSERT_EQ(
      run_deferlab({"disasm", LAB_BINARY, "--all", "-o", (dir / "file.ndjson").string()}).exit_code,
      0);
  EXPECT_TRUE(read(dir / "file.ndjson") == expected) << "-o FILE differs";
}

TEST(DisasmCommandTest, AddressReachesAStrippedBinary) {
  const fs::path dir = fresh_directory("stripped-address");
  const fs::path stripped = dir / "fixture.stripped";
  ASSERT_EQ(run_process({"objcopy", "--strip-all", FIXTURE_EXECUTABLE, stripped.string()}, nullptr,
                        nullptr)
                .code,
            0);
  // The address of fixture_leaf, from the unstripped file.
  const CliResult named =
      run_deferlab({"disasm", FIXTURE_EXECUTABLE, "-s", "fixture_leaf", "-f", "json"});
  ASSERT_EQ(named.exit_code, 0);
  const nlohmann::json doc = nlohmann::json::parse(named.out_text());
  const std::string address = doc["functions"][0]["address"];
  const CliResult r =
      run_deferlab({"disasm", stripped.string(), "--address", address, "-f", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  const nlohmann::json sweep = nlohmann::json::parse(r.out_text());
  // The sweep ends at the function's return: the same instructions as the named one.
  EXPECT_EQ(sweep["functions"][0]["instructions"].size(),
            doc["functions"][0]["instructions"].size());
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// Markdown for a pull request: what GitHub would show, rendered by cmark-gfm.
std::string render_gfm(const std::string& markdown) {
  const fs::path md = fresh_directory("gfm") / "listing.md";
  std::ofstream(md) << markdown;
  std::string html;
  const ExitStatus status = run_process(
      {"cmark-gfm", "--extension", "table", "--unsafe", md.string()},
      [&](std::string_view line) { html.append(line).append("\n"); }, nullptr);
  EXPECT_TRUE(status.succeeded()) << status.describe();
  return html;
}

TEST(DisasmMarkdownTest, TwentyFunctionsWithSourceFitAComment) {
  // The case: many functions with --source printed 79,940 characters. Now a summary
  // table, each listing folded, the longest cut first, under GitHub's 65,536.
  // The void hot functions: template instantiations, "void deferlab::cases::hot::...".
  const std::string glob = "void deferlab::cases::hot::*";
  const CliResult json = run_deferlab({"disasm", LAB_BINARY, "-s", glob, "-f", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err_text();
  const std::size_t functions = nlohmann::json::parse(json.out_text())["functions"].size();
  ASSERT_GE(functions, 20u);
  const CliResult r = run_deferlab({"disasm", LAB_BINARY, "-s", glob, "--source", "-f", "md"});
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  const std::string md = r.out_text();
  EXPECT_LE(md.size(), 65000u);
  EXPECT_EQ(r.out[0],
            "| function | instructions | alloc calls (in loops) | calls reaching one | loops |");
  EXPECT_EQ(count_of(md, "\n| `"), functions);  // one table row per function
  const std::size_t shown = count_of(md, "<details><summary>");
  EXPECT_EQ(count_of(md, "</details>"), shown);
  const std::string& closing = r.out.back();
  EXPECT_EQ(
      closing.rfind("_" + std::to_string(functions - shown) + " of " + std::to_string(functions) +
                        " listings cut to stay under 65000 characters: ",
                    0),
      0u)
      << closing;
  EXPECT_GT(functions - shown, 0u);
  const std::string html = render_gfm(md);
  EXPECT_EQ(count_of(html, "<table>"), 1u);
  EXPECT_EQ(count_of(html, "<details>"), shown);
  EXPECT_EQ(count_of(html, "<pre><code class=\"language-asm\">"), shown);
}

TEST(DisasmMarkdownTest, MaxCharsIsABound) {
  const CliResult r = run_deferlab(
      {"disasm", ALLOC_REACH_FIXTURE, "-s", "*(int)", "-f", "md", "--max-chars", "4096"});
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  EXPECT_LE(r.out_text().size(), 4096u);
  EXPECT_NE(r.out.back().find(" listings cut to stay under 4096 characters: "), std::string::npos)
      << r.out.back();
  // Small enough: everything, and a line saying so.
  const CliResult all =
      run_deferlab({"disasm", ALLOC_REACH_FIXTURE, "-s", "make_node", "-f", "md"});
  ASSERT_EQ(all.exit_code, 0) << all.err_text();
  EXPECT_EQ(all.out.back().rfind("_All 1 listing shown (", 0), 0u) << all.out.back();
}

TEST(DisasmMarkdownTest, SourceWithoutDebugInfoWarnsOnce) {
  const fs::path dir = fresh_directory("nodebug");
  const fs::path bare = dir / "fixture.nodebug";
  ASSERT_EQ(run_process({"objcopy", "--strip-debug", ALLOC_REACH_FIXTURE, bare.string()}, nullptr,
                        nullptr)
                .code,
            0);
  const CliResult r = run_deferlab({"disasm", bare.string(), "-s", "*(int)", "--source"});
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  ASSERT_EQ(r.err.size(), 1u) << r.err_text();
  EXPECT_EQ(r.err[0], "deferlab: warning: --source: " + bare.string() +
                          " has no DWARF line table, so no source lines (build with -g)");
}

TEST(DisasmCommandTest, CallsReachingAnAllocatorAreTagged) {
  const CliResult r =
      run_deferlab({"disasm", ALLOC_REACH_FIXTURE, "-s", "loop_make_node", "-f", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  const nlohmann::json doc = nlohmann::json::parse(r.out_text());
  std::vector<nlohmann::json> reaching;
  for (const nlohmann::json& insn : doc["functions"][0]["instructions"]) {
    if (insn.contains("alloc_path")) reaching.push_back(insn);
  }
  ASSERT_EQ(reaching.size(), 1u);
  EXPECT_EQ(reaching[0]["alloc_path"],
            nlohmann::json::array({"make_node(int)", "operator new(unsigned long)"}));
  const std::vector<std::string> tags = reaching[0]["tags"];
  EXPECT_NE(std::find(tags.begin(), tags.end(), "alloc-reachable"), tags.end());
  EXPECT_NE(std::find(tags.begin(), tags.end(), "in-loop"), tags.end());
}

// The sanitizer build's lab binary is instrumented: its guards and its goto differ by the
// sanitizer checks, so the match is asserted on the default build's binary only.
#if !DEFERLAB_SANITIZED_BUILD
TEST(DiffCommandTest, ScopeGuardAgainstGotoMatchesExactly) {
  const std::string bench = LAB_BINARY;
  const CliResult r =
      run_deferlab({"diff", bench + ":fixed_defers<deferlab::ScopeGuardStrategy, 4u>",
                    bench + ":fixed_defers<deferlab::GotoCleanupStrategy, 4u>", "-f", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  const nlohmann::json d = nlohmann::json::parse(r.out_text());
  EXPECT_EQ(d["schema"], "deferlab.diff/1");
  // The templated guard compiles to the goto's instructions (tests/disasm/annotate_test.cc
  // holds every guard and K to it on both architectures).
  EXPECT_EQ(d["match_percent"].get<double>(), 100.0) << d.dump(1);
  EXPECT_EQ(d["summary_delta"]["alloc_calls"], 0);
  const CliResult text =
      run_deferlab({"diff", bench + ":fixed_defers<deferlab::HeapDeferStrategy, 4u>",
                    bench + ":fixed_defers<deferlab::GotoCleanupStrategy, 4u>"});
  ASSERT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out_text().find("alloc calls -4"), std::string::npos) << text.out_text();
}
#endif

TEST(DiffCommandTest, BadSpecs) {
  const CliResult missing = run_deferlab({"diff", "/nonexistent:f", "/nonexistent:g"});
  EXPECT_EQ(missing.exit_code, 2);
  const CliResult which = run_deferlab({"diff", FIXTURE_EXECUTABLE, FIXTURE_EXECUTABLE});
  EXPECT_EQ(which.exit_code, 2);
  EXPECT_NE(which.err_text().find("BINARY:SYMBOL"), std::string::npos);
}

TEST(DiffCommandTest, AnAmbiguousNameListsEveryCandidateWhole) {
  // One error line on stderr; on stdout every candidate, one per line, uncut, so that any
  // can be pasted back as BINARY:SYMBOL.
  const std::string bench = LAB_BINARY;
  const CliResult r = run_deferlab({"diff", bench + ":*loop_defer*", bench + ":main"});
  EXPECT_EQ(r.exit_code, 2);
  ASSERT_EQ(r.err.size(), 1u) << r.err_text();
  EXPECT_NE(r.err[0].find("candidates are on stdout, one per line"), std::string::npos) << r.err[0];
  const CliResult listed = run_deferlab({"disasm", bench, "-s", "*loop_defer*", "-f", "json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err_text();
  const nlohmann::json doc = nlohmann::json::parse(listed.out_text());
  ASSERT_EQ(r.out.size(), doc["functions"].size()) << r.out_text();
  std::size_t longest = 0;
  for (std::size_t k = 0; k < r.out.size(); ++k) {
    EXPECT_EQ(r.out[k], doc["functions"][k]["demangled"].get<std::string>());
    if (r.out[k].size() > r.out[longest].size()) longest = k;
  }
  const CliResult pasted =
      run_deferlab({"diff", bench + ":" + r.out[longest], bench + ":" + r.out[longest]});
  EXPECT_EQ(pasted.exit_code, 0) << pasted.err_text();
}

TEST(DisasmCommandTest, RawBytesAreWholeOrHidden) {
  const std::string bench = LAB_BINARY;
  const CliResult json = run_deferlab({"disasm", bench, "-s", "main", "-f", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err_text();
  const nlohmann::json doc = nlohmann::json::parse(json.out_text());
  for (const char* format : {"text", "md"}) {
    // A budget no listing reaches: main of the sanitizer build is too long for the default.
    const CliResult shown =
        run_deferlab({"disasm", bench, "-s", "main", "-f", format, "--max-chars", "10000000"});
    const CliResult hidden = run_deferlab(
        {"disasm", bench, "-s", "main", "-f", format, "--no-raw-bytes", "--max-chars", "10000000"});
    ASSERT_EQ(shown.exit_code, 0) << shown.err_text();
    ASSERT_EQ(hidden.exit_code, 0) << hidden.err_text();
    // The listing line of each instruction: the one holding its address and a mnemonic.
    auto line_at = [](const CliResult& r, const std::string& address) -> std::string {
      for (const std::string& line : r.out) {
        if (line.find(" " + address + " ") != std::string::npos) return line;
      }
      return "";
    };
    std::size_t longest = 0;
    for (const nlohmann::json& insn : doc["functions"][0]["instructions"]) {
      // "     0x95fcb     48 b9 67 63 63 20 31 32 2e 32  movabs ...": every byte, or none.
      const std::string address = insn["address"].get<std::string>();
      const std::string bytes = " " + insn["bytes"].get<std::string>() + "  ";
      longest = std::max(longest, bytes.size() - 3);
      EXPECT_NE(line_at(shown, address).find(bytes), std::string::npos)
          << format << ": " << line_at(shown, address) << " lacks" << bytes;
      EXPECT_EQ(line_at(hidden, address).find(bytes), std::string::npos)
          << format << ": " << line_at(hidden, address);
    }
    EXPECT_GT(longest, std::string("00 11 22 33 44 55 66 77").size());  // past the old cut
    EXPECT_EQ(shown.out_text().find(" .. "), std::string::npos) << format;
  }
}

TEST(CheckCommandTest, FailsOnAllocationInALoop) {
  const CliResult r = run_deferlab(
      {"check", FIXTURE_EXECUTABLE, "-s", "fixture_alloc_in_loop", "--no-alloc-in-loop"});
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.err.size(), 1u) << r.err_text();
  EXPECT_NE(r.err[0].find("fixture_alloc_in_loop calls malloc@plt"), std::string::npos) << r.err[0];
  EXPECT_NE(r.err[0].find("inside loop"), std::string::npos) << r.err[0];
}

TEST(CheckCommandTest, FailsOnAnyAllocationWithNoAlloc) {
  // Allocates once, outside loops: passes --no-alloc-in-loop, fails --no-alloc.
  EXPECT_EQ(
      run_deferlab({"check", FIXTURE_EXECUTABLE, "-s", "fixture_new_once", "--no-alloc-in-loop"})
          .exit_code,
      0);
  const CliResult r =
      run_deferlab({"check", FIXTURE_EXECUTABLE, "-s", "fixture_new_once", "--no-alloc"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err_text().find("operator new(unsigned long)"), std::string::npos) << r.err_text();
}

TEST(CheckCommandTest, PassesWithoutAllocation) {
  const CliResult r =
      run_deferlab({"check", FIXTURE_EXECUTABLE, "-s", "fixture_leaf", "--no-alloc"});
  EXPECT_EQ(r.exit_code, 0) << r.err_text();
  EXPECT_NE(r.out_text().find("ok: fixture_leaf"), std::string::npos);
}

TEST(CheckCommandTest, NeedsACondition) {
  const CliResult r = run_deferlab({"check", LAB_BINARY, "-s", "main"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err_text().find("--no-alloc"), std::string::npos);
}

}  // namespace
}  // namespace deferlab::tools::testing
