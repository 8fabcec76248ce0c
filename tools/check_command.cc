// deferlab check: a CI gate on a hot function's code. Exit 1, with one line per violating
// function naming the call, the loop and the path to the allocator, when it allocates
// (--no-alloc) or allocates inside a loop (--no-alloc-in-loop), directly or through the
// functions it calls (disasm/alloc_reach.h). Calls on cold code, placed by the compiler in
// a .cold part or, with --counts, never executed in the profile, are reported apart and
// fail only with --strict.
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/text_escape.h"
#include "disasm/alloc_reach.h"
#include "disasm/annotate.h"
#include "disasm/disasm_json.h"
#include "disasm/listing.h"
#include "disasm/selection.h"
#include "tools/command.h"
#include "tools/counts_join.h"

namespace deferlab::tools {
namespace {

using namespace deferlab::disasm;

std::string join_path(const std::vector<std::string>& path) {
  std::string text;
  for (const std::string& step : path) {
    if (!text.empty()) text += " \u2192 ";
    text += step;
  }
  return text;
}

// Linkage names for --alloc / --allow arguments. Throws Error (exit 2) for a name that
// matches nothing: a misspelt allowance would otherwise silently pass or fail the gate.
std::set<std::string> resolve_names(const std::vector<std::string>& candidates,
                                    const std::vector<std::string>& patterns,
                                    const std::string& option, const std::string& binary) {
  std::set<std::string> names;
  for (const std::string& p : patterns) {
    const std::vector<std::string> matched = match_names(candidates, p);
    if (matched.empty()) {
      throw Error(option + " '" + p + "' matches no function or PLT stub", binary,
                  "give a linkage name, a demangled name or a glob on it");
    }
    names.insert(matched.begin(), matched.end());
  }
  return names;
}

class CheckCommand final : public Command {
 public:
  explicit CheckCommand(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand(
        "check",
        "Fail (exit 1) when a function can reach an allocator, or can reach one from inside a "
        "loop, through the calls it makes: a gate a project can put in its CI.");
    cmd->add_option("binary", binary_, "The ELF file to read")->required();
    cmd->add_option("--symbol,-s", symbols_,
                    "Function(s) to check: exact name or glob (repeatable)")
        ->required();
    auto* no_alloc = cmd->add_flag("--no-alloc", no_alloc_, "No allocation call anywhere");
    auto* no_alloc_in_loop =
        cmd->add_flag("--no-alloc-in-loop", no_alloc_in_loop_, "No allocation call inside a loop");
    no_alloc->excludes(no_alloc_in_loop);
    cmd->add_option("--alloc", extra_alloc_,
                    "Also count calls to these functions as allocations: linkage name, "
                    "demangled name or glob (repeatable)");
    cmd->add_option("--allow", allow_,
                    "Neither count nor search calls to these functions: linkage name, demangled "
                    "name or glob (repeatable)");
    cmd->add_option("--depth", depth_,
                    "Most calls on a path from the checked function to an allocator (default 4)")
        ->check(CLI::Range(1, 64));
    cmd->add_option("--counts", counts_,
                    "Judge by what ran: callgrind output (--dump-instr=yes) or a "
                    "deferlab.profile/1 document; an allocating call in a loop that never ran is "
                    "cold");
    cmd->add_option("--benchmark", benchmark_,
                    "With --counts PROFILE: the benchmark whose counts to use");
    cmd->add_flag("--strict", strict_, "Cold calls fail too");
    cmd->add_option("--format,-f", format_,
                    "text (default: one line per function) or md (a table for a pull request, "
                    "under 65,000 characters)")
        ->check(CLI::IsMember({"text", "md"}));
    cmd->footer(
        "Examples:\n"
        "  deferlab check build/cases/deferlab_bench -s "
        "'*loop_defer<deferlab::HeapDeferStrategy>*' "
        "--no-alloc-in-loop\n"
        "  deferlab check build/cases/deferlab_bench -s "
        "'*loop_defer<deferlab::PooledChainStrategy>*' "
        "--no-alloc-in-loop --allow 'deferlab::detail::refill_and_take()'\n"
        "Calls are followed through the binary's call graph up to --depth calls; libstdc++'s "
        "growth functions (_M_realloc_insert, _M_create, _M_append...) count as allocators.\n"
        "Exit codes: 0 every function passes, 1 one fails (one line each on stderr), 2 bad input.");
  }

  int execute() override {
    if (!no_alloc_ && !no_alloc_in_loop_) {
      throw Error("nothing to check", "command line", "pass --no-alloc or --no-alloc-in-loop");
    }
    const std::unique_ptr<ObjectFile> file = open_object_file(binary_);
    AllocNames names = AllocNames::defaults();
    std::set<std::string> allowed;
    if (!extra_alloc_.empty() || !allow_.empty()) {
      const std::vector<std::string> candidates = callable_names(*file);
      const std::set<std::string> extra =
          resolve_names(candidates, extra_alloc_, "--alloc", binary_);
      names.alloc.insert(extra.begin(), extra.end());
      allowed = resolve_names(candidates, allow_, "--allow", binary_);
      for (const std::string& a : allowed) names.alloc.erase(a);
    }
    const Decoder decoder(file->arch(), Syntax::kIntel);
    AllocReachability reach(*file, decoder, names, allowed, depth_);

    std::vector<AnnotatedFunction> functions;
    std::vector<ReachSummary> summaries;
    for (const FunctionRange& range : select_by_name(*file, symbols_)) {
      functions.push_back(annotate(*file, decoder, range, names, nullptr));
      summaries.push_back(reach.mark(functions.back()));
    }
    std::vector<std::string> heat_notes(functions.size());
    if (!counts_.empty()) heat_notes = join_counts(functions, binary_, counts_, benchmark_);

    int failures = 0;
    std::string table =
        "| function | verdict | call | path to the allocator | cold calls | not seen into |\n"
        "|---|---|---|---|--:|--:|\n";
    std::size_t rows_cut = 0;
    auto add_row = [&](const AnnotatedFunction& f, const char* verdict,
                       const AnnotatedInstruction* call, std::size_t cold, std::size_t unseen) {
      const std::string row =
          "| " + markdown_code(f.range.demangled) + " | " + verdict + " | " +
          (call ? markdown_code(call->call_target + " at " + hex_address(call->insn.address))
                : "") +
          " | " + (call ? markdown_code(path_of(*call)) : "") + " | " + std::to_string(cold) +
          " | " + std::to_string(unseen) + " |\n";
      // Rows past the budget are counted, not shown: the table stays pasteable.
      if (table.size() + row.size() > kDefaultMarkdownBudget - 200) {
        ++rows_cut;
      } else {
        table += row;
      }
    };
    for (std::size_t k = 0; k < functions.size(); ++k) {
      const AnnotatedFunction& f = functions[k];
      const bool profiled = !heat_notes[k].empty();
      const AnnotatedInstruction* offender = nullptr;
      std::vector<std::string> cold;
      for (const AnnotatedInstruction& a : f.instructions) {
        if (!(a.tags & (kTagAlloc | kTagAllocReachable)) || (!no_alloc_ && a.loop < 0)) continue;
        // The profile lists only instructions that ran: absent from a profiled function is 0.
        const bool never_ran = profiled && (!a.heat || a.heat->executions.value_or(0) == 0);
        const bool is_cold = never_ran || (a.tags & kTagCold);
        if (is_cold && !strict_) {
          cold.push_back(describe(a) + (never_ran ? " (0 executions)" : " (cold code)"));
          continue;
        }
        if (offender == nullptr) offender = &a;
      }
      const bool md = format_ == "md";
      for (const std::string& c : md ? std::vector<std::string>{} : cold) {
        std::printf("cold: %s: %s\n", visible_text(f.range.demangled).c_str(),
                    visible_text(c).c_str());
      }
      const ReachSummary& s = summaries[k];
      std::string unseen;
      if (s.unseen_in_loops > 0) {
        unseen = "; " + std::to_string(s.unseen_in_loops) + " call" +
                 (s.unseen_in_loops == 1 ? "" : "s") + " in loops not seen into (" +
                 s.unseen_examples.front() + (s.unseen_in_loops > 1 ? ", ..." : "") + ")";
      }
      if (offender == nullptr && md) {
        add_row(f, "ok", nullptr, cold.size(), s.unseen_in_loops);
        continue;
      }
      if (offender == nullptr) {
        std::printf("ok: %s: no allocation reachable%s (%zu instructions, %zu loops%s)\n",
                    visible_text(f.range.demangled).c_str(), no_alloc_ ? "" : " inside a loop",
                    f.summary.instructions, f.summary.loops, visible_text(unseen).c_str());
        continue;
      }
      ++failures;
      if (md) add_row(f, "**fails**", offender, cold.size(), s.unseen_in_loops);
      std::string where;
      if (offender->loop >= 0) {
        const Loop& loop = f.loops[static_cast<std::size_t>(offender->loop)];
        const BasicBlock& header = f.blocks[static_cast<std::size_t>(loop.header)];
        where = " inside loop " + std::to_string(loop.id) + " (header " +
                hex_address(f.instructions[header.first].insn.address) + ", depth " +
                std::to_string(loop.depth) + ")";
      }
      std::string ran;
      if (profiled && offender->heat && offender->heat->executions) {
        ran = ", ran " + std::to_string(*offender->heat->executions) + " times";
        if (offender->heat->per_iteration) {
          char per[64];
          std::snprintf(per, sizeof per, " (%g per iteration)", *offender->heat->per_iteration);
          ran += per;
        }
      }
      std::fprintf(stderr,
                   "deferlab: check failed: %s calls %s at %s%s%s: %s; %zu alloc calls, %zu in "
                   "loops, %zu calls reach one%s\n",
                   visible_text(f.range.demangled).c_str(),
                   visible_text(offender->call_target).c_str(),
                   hex_address(offender->insn.address).c_str(), where.c_str(), ran.c_str(),
                   visible_text(path_of(*offender)).c_str(), f.summary.alloc_calls,
                   f.summary.alloc_calls_in_loops, s.reachable_calls, visible_text(unseen).c_str());
    }
    if (format_ == "md") {
      std::printf("%s", table.c_str());
      if (rows_cut > 0) {
        std::printf(
            "\n_%zu more functions not shown, to stay under %zu characters; the text "
            "format lists them all._\n",
            rows_cut, kDefaultMarkdownBudget);
      }
    }
    return failures == 0 ? 0 : 1;
  }

 private:
  static std::string path_of(const AnnotatedInstruction& a) {
    // A direct allocator call is a path of one: the allocator itself.
    return a.alloc_path.empty() ? demangle(a.call_symbol) : join_path(a.alloc_path);
  }
  static std::string describe(const AnnotatedInstruction& a) {
    std::string text = a.call_target.empty() ? a.insn.mnemonic : a.call_target;
    text += " at " + hex_address(a.insn.address);
    if (!a.alloc_path.empty()) text += ": " + join_path(a.alloc_path);
    return text;
  }

  std::string binary_;
  std::vector<std::string> symbols_;
  bool no_alloc_ = false;
  bool no_alloc_in_loop_ = false;
  bool strict_ = false;
  int depth_ = kDefaultReachDepth;
  std::vector<std::string> extra_alloc_;
  std::vector<std::string> allow_;
  std::string counts_;
  std::string benchmark_;
  std::string format_ = "text";
};

}  // namespace

std::unique_ptr<Command> add_check_command(CLI::App& app) {
  return std::make_unique<CheckCommand>(app);
}

}  // namespace deferlab::tools
