// deferlab check: a CI gate on a hot function's code. Exit 1, with one line per violating
// function naming the instruction (and the loop), when it allocates (--no-alloc) or
// allocates inside a loop (--no-alloc-in-loop).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "disasm/annotate.h"
#include "disasm/disasm_json.h"
#include "disasm/selection.h"
#include "harness/error.h"
#include "harness/text_escape.h"
#include "tools/command.h"

namespace deferlab::tools {
namespace {

using namespace deferlab::disasm;

class CheckCommand final : public Command {
 public:
  explicit CheckCommand(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand(
        "check",
        "Fail (exit 1) when a function calls an allocator, or calls one inside a loop: a gate "
        "a project can put in its CI.");
    cmd->add_option("binary", binary_, "The ELF file to read")->required();
    cmd->add_option("--symbol,-s", symbols_,
                    "Function(s) to check: exact name or glob (repeatable)")
        ->required();
    auto* no_alloc = cmd->add_flag("--no-alloc", no_alloc_, "No allocation call anywhere");
    auto* no_alloc_in_loop =
        cmd->add_flag("--no-alloc-in-loop", no_alloc_in_loop_, "No allocation call inside a loop");
    no_alloc->excludes(no_alloc_in_loop);
    cmd->add_option("--alloc", extra_alloc_, "Also count calls to this linkage name (repeatable)");
    cmd->footer(
        "Example:\n"
        "  deferlab check build/cases/deferlab_bench -s '*loop_defer_pooled_chain*' "
        "--no-alloc-in-loop\n"
        "Exit codes: 0 every function passes, 1 one fails (one line each on stderr), 2 bad input.");
  }

  int execute() override {
    if (!no_alloc_ && !no_alloc_in_loop_) {
      throw Error("nothing to check", "command line", "pass --no-alloc or --no-alloc-in-loop");
    }
    const std::unique_ptr<ObjectFile> file = open_object_file(binary_);
    AllocNames names = AllocNames::defaults();
    names.alloc.insert(extra_alloc_.begin(), extra_alloc_.end());
    const Decoder decoder(file->arch(), Syntax::kIntel);
    int failures = 0;
    for (const FunctionRange& range : select_by_name(*file, symbols_)) {
      const AnnotatedFunction f = annotate(*file, decoder, range, names, nullptr);
      const AnnotatedInstruction* offender = nullptr;
      for (const AnnotatedInstruction& a : f.instructions) {
        if ((a.tags & kTagAlloc) && (no_alloc_ || a.loop >= 0)) {
          offender = &a;
          break;
        }
      }
      if (offender == nullptr) {
        std::printf("ok: %s: no allocation call%s (%zu instructions, %zu loops)\n",
                    f.range.demangled.c_str(), no_alloc_ ? "" : " inside a loop",
                    f.summary.instructions, f.summary.loops);
        continue;
      }
      ++failures;
      std::string where;
      if (offender->loop >= 0) {
        const Loop& loop = f.loops[static_cast<std::size_t>(offender->loop)];
        const BasicBlock& header = f.blocks[static_cast<std::size_t>(loop.header)];
        where = " inside loop " + std::to_string(loop.id) + " (header " +
                hex_address(f.instructions[header.first].insn.address) + ", depth " +
                std::to_string(loop.depth) + ")";
      }
      std::fprintf(
          stderr, "deferlab: check failed: %s calls %s at %s%s; %zu alloc calls, %zu in loops\n",
          visible_text(f.range.demangled).c_str(), visible_text(offender->call_target).c_str(),
          hex_address(offender->insn.address).c_str(), where.c_str(), f.summary.alloc_calls,
          f.summary.alloc_calls_in_loops);
    }
    return failures == 0 ? 0 : 1;
  }

 private:
  std::string binary_;
  std::vector<std::string> symbols_;
  bool no_alloc_ = false;
  bool no_alloc_in_loop_ = false;
  std::vector<std::string> extra_alloc_;
};

}  // namespace

std::unique_ptr<Command> add_check_command(CLI::App& app) {
  return std::make_unique<CheckCommand>(app);
}

}  // namespace deferlab::tools
