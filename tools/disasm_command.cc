// deferlab disasm: annotated assembly of chosen functions of any ELF binary, as text,
// Markdown or deferlab.disasm/1 JSON; with --all, every function as NDJSON.
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/text_escape.h"
#include "disasm/alloc_reach.h"
#include "disasm/annotate.h"
#include "disasm/disasm_json.h"
#include "disasm/listing.h"
#include "disasm/selection.h"
#include "disasm/stream.h"
#include "reports/renderer.h"
#include "tools/command.h"
#include "tools/console.h"
#include "tools/counts_join.h"
#include "tools/output.h"

namespace deferlab::tools {
namespace {

using namespace deferlab::disasm;

class DisasmCommand final : public Command {
 public:
  explicit DisasmCommand(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand(
        "disasm",
        "Disassemble functions of an ELF binary (x86-64 or AArch64: executables, PIE, shared "
        "libraries, .o files, Go and Rust binaries) with call targets named, branch targets as "
        "labels, alloc/free/indirect calls tagged, loops found, and source lines from DWARF.");
    cmd->add_option("binary", binary_, "The ELF file to read")->required();
    cmd->add_option("--symbol,-s", symbols_,
                    "A function by exact name (mangled or demangled), a name without its "
                    "parameters, or a glob on the demangled name ('*loop_defer*'); repeatable");
    cmd->add_option("--address,-a", address_,
                    "START[:END] in hex or decimal: the function at START, or exactly that "
                    "range (the way into a stripped binary)");
    cmd->add_flag("--all", all_, "Every function and every unnamed stretch of code, as NDJSON");
    cmd->add_option("--arch", arch_,
                    "Expected architecture: auto (from the ELF header), x86-64, "
                    "aarch64")
        ->check(CLI::IsMember({"auto", "x86-64", "aarch64"}));
    cmd->add_flag("--source", source_,
                  "Interleave source lines and give each instruction its file:line (DWARF "
                  "line table, files read from disk when present); without it the line "
                  "table is not read");
    cmd->add_option("--format,-f", format_,
                    "text (default), md (for code reviews), json (deferlab.disasm/1), html, "
                    "ndjson (one function per line; the only format with --all)")
        ->check(CLI::IsMember({"text", "md", "json", "html", "ndjson"}));
    cmd->add_flag("--no-raw-bytes", no_raw_bytes_,
                  "text, md and html: leave out the column of instruction bytes (shown in full "
                  "by default)");
    cmd->add_option("--syntax", syntax_, "x86-64 syntax: intel (default) or att")
        ->check(CLI::IsMember({"intel", "att"}));
    cmd->add_option("--alloc", extra_alloc_,
                    "Also tag calls to this linkage name as allocations (repeatable)");
    cmd->add_option("--free", extra_free_,
                    "Also tag calls to this linkage name as frees (repeatable)");
    cmd->add_option("--max-chars", max_chars_,
                    "-f md: stay under this many characters (default 65000; GitHub's comment "
                    "limit is 65536), cutting the longest listings first")
        ->check(CLI::Range(std::size_t{4096}, std::size_t{100000000}));
    cmd->add_option("--jobs,-j", jobs_,
                    "Threads for --all (default: one per core this process may use, as taskset or "
                    "a cpuset limits it)")
        ->check(CLI::Range(1, 256));
    cmd->add_option("--out,-o", out_, kOutHelp);
    cmd->add_option("--counts", counts_,
                    "Add a heat column: executions of each instruction from FILE, callgrind "
                    "output (--dump-instr=yes) or a deferlab.profile/1 document (per iteration)");
    cmd->add_option("--benchmark", benchmark_,
                    "With --counts PROFILE: the benchmark whose counts to show, when several "
                    "ran the function");
    cmd->footer(
        "Examples:\n"
        "  deferlab disasm build/cases/deferlab_bench -s "
        "'*loop_defer<deferlab::HeapDeferStrategy>*' --source\n"
        "  deferlab disasm /usr/lib/x86_64-linux-gnu/libstdc++.so.6 -s _Znwm -f json\n"
        "  deferlab disasm stripped.bin --address 0x401000\n"
        "  deferlab disasm libfoo.so --all -o all.ndjson\n"
        "Alloc tags cover the C malloc family, every C++ operator new/delete, Rust's\n"
        "__rust_alloc family and Go's runtime.newobject/mallocgc/deferproc/growslice.");
  }

  int execute() override {
    if (!all_ && symbols_.empty() && !address_) {
      throw Error("nothing selected", binary_,
                  "pass --symbol NAME, --address START[:END] or --all");
    }
    if (all_ && (!symbols_.empty() || address_)) {
      throw Error("--all selects everything; drop --symbol / --address", "command line");
    }
    const std::string format = format_.value_or(all_ ? "ndjson" : "text");
    if (all_ && !counts_.empty()) throw Error("--counts needs --symbol or --address", "--all");
    if (all_ && format != "ndjson") {
      throw Error("--all writes NDJSON only (one function per line)", "--format " + format);
    }
    const std::unique_ptr<ObjectFile> file = open_object_file(binary_);
    if (arch_ != "auto" && arch_ != arch_info(file->arch()).name) {
      throw Error("the binary is " + std::string(arch_info(file->arch()).name) + ", not " + arch_,
                  binary_, "drop --arch or pass --arch auto");
    }
    const Syntax syntax = syntax_ == "att" ? Syntax::kAtt : Syntax::kIntel;
    AllocNames names = AllocNames::defaults();
    names.alloc.insert(extra_alloc_.begin(), extra_alloc_.end());
    names.free.insert(extra_free_.begin(), extra_free_.end());

    Output output(out_);
    if (all_) {
      StreamOptions options;
      options.syntax = syntax;
      options.names = names;
      options.jobs = jobs_.value_or(0);
      options.lines = source_;  // file:line per instruction only when asked for
      const auto started = std::chrono::steady_clock::now();
      // A bar on a terminal only, redrawn at most ten times a second (a big library is a
      // hundred thousand items): logs and pipes keep their one summary line, and the stream
      // gets no hook to call.
      std::optional<Progress> progress;
      StreamProgress show;
      auto shown = started;
      if (is_terminal(stderr)) {
        progress.emplace("disasm");
        show = [&](const StreamStats& so_far, std::uint64_t total) {
          const auto now = std::chrono::steady_clock::now();
          if (now - shown < std::chrono::milliseconds(100)) return;
          shown = now;
          progress->update(static_cast<std::size_t>(so_far.bytes >> 10),
                           static_cast<std::size_t>(total >> 10), "KiB of code");
        };
      }
      const StreamStats stats = stream_all_functions(
          *file, options, [&](std::string_view line) { output.write(line); }, show);
      if (progress) progress->finish();
      output.commit();
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(stderr,
                   "deferlab: %zu functions, %zu instructions, %llu bytes of code in %.2f s\n",
                   stats.functions, stats.instructions,
                   static_cast<unsigned long long>(stats.bytes), seconds);
      return 0;
    }

    const Decoder decoder(file->arch(), syntax);
    std::vector<FunctionRange> ranges;
    if (!symbols_.empty()) ranges = select_by_name(*file, symbols_);
    if (address_) {
      for (FunctionRange& r : select_by_address(*file, decoder, parse_address_range(*address_))) {
        ranges.push_back(std::move(r));
      }
    }
    // The line table only with --source: a lookup in a big binary with DWARF would spend
    // more on opening it than on the function.
    std::unique_ptr<LineTable> lines = source_ ? file->open_line_table() : nullptr;
    if (source_ && lines == nullptr) {
      std::fprintf(stderr,
                   "deferlab: warning: --source: %s has no DWARF line table, so no source lines "
                   "(build with -g)\n",
                   visible_text(binary_).c_str());
    }
    SourceCache sources;
    std::vector<AnnotatedFunction> functions;
    // Calls that reach an allocator through their callees get tagged alloc-reachable.
    AllocReachability reach(*file, decoder, names, {}, kDefaultReachDepth);
    for (const FunctionRange& range : ranges) {
      functions.push_back(annotate(*file, decoder, range, names, lines.get()));
      reach.mark(functions.back());
    }
    std::vector<std::string> heat_notes(functions.size());
    if (!counts_.empty()) heat_notes = join_counts(functions, binary_, counts_, benchmark_);

    std::string text;
    if (format == "ndjson") {
      for (const AnnotatedFunction& f : functions) {
        write_disasm_document(text, describe_binary(*file), syntax, {&f, 1},
                              source_ ? &sources : nullptr);
        text += '\n';
      }
    } else {
      const reports::ListingDocument listing{describe_binary(*file),
                                             syntax,
                                             &functions,
                                             heat_notes,
                                             source_ ? &sources : nullptr,
                                             "deferlab disasm " + binary_ + " -s NAME",
                                             !no_raw_bytes_};
      text = reports::make_renderer(format, {false, max_chars_})->render(listing);
    }
    output.write(text);
    output.commit();
    return 0;
  }

 private:
  std::string binary_;
  std::vector<std::string> symbols_;
  std::optional<std::string> address_;
  bool all_ = false;
  std::string arch_ = "auto";
  bool source_ = false;
  bool no_raw_bytes_ = false;
  std::optional<std::string> format_;
  std::string syntax_ = "intel";
  std::vector<std::string> extra_alloc_;
  std::vector<std::string> extra_free_;
  std::optional<unsigned> jobs_;
  std::size_t max_chars_ = kDefaultMarkdownBudget;
  std::string out_;
  std::string counts_;
  std::string benchmark_;
};

}  // namespace

std::unique_ptr<Command> add_disasm_command(CLI::App& app) {
  return std::make_unique<DisasmCommand>(app);
}

}  // namespace deferlab::tools
