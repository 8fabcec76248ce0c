// libFuzzer target: deferlab.disasm/1 documents as `deferlab diff` reads them
// (disasm/disasm_json.cc), or a run's disasm.json ({"architectures": {arch: document}}),
// then what diff does with the functions: align consecutive pairs and render the diff as
// text, Markdown and deferlab.diff/1 JSON, and list each function.
//
// deferlab::Error is the expected answer to bad input; anything else escaping, a crash, a
// leak, or undefined behaviour is a bug (the targets build with ASan and UBSan).
#include <cstdint>
#include <string>

#include "common/error.h"
#include "common/json_reader.h"
#include "disasm/diff.h"
#include "disasm/diff_render.h"
#include "disasm/disasm_json.h"
#include "disasm/listing.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using namespace deferlab::disasm;

// Keeps one input's diff under a few milliseconds; the size bound itself is exercised
// by inputs over it (an Error).
constexpr std::size_t kMaxDiffInstructions = 2000;

void exercise_document(const deferlab::json::Node& document) {
  const std::string arch = read_disasm_arch(document);
  const std::vector<AnnotatedFunction> functions = read_disasm_document(document);
  for (const AnnotatedFunction& f : functions) {
    (void)render_function_text(f, {});
    (void)render_function_markdown(f, {});
    std::string out;
    write_function_json(out, f, nullptr);
  }
  for (std::size_t i = 0; i + 1 < functions.size() && i < 8; ++i) {
    DiffOptions options;
    options.max_instructions = kMaxDiffInstructions;
    options.ignore_registers = i % 2 == 1;
    const std::set<std::string> registers =
        register_names(arch == "aarch64" ? Arch::kAArch64 : Arch::kX86_64);
    options.registers = &registers;
    try {
      const FunctionDiff d = diff_functions(functions[i], functions[i + 1], options);
      const DiffSide a{&functions[i], "a.json", arch};
      const DiffSide b{&functions[i + 1], "b.json", arch};
      (void)render_diff_text(a, b, d);
      (void)render_diff_markdown(a, b, d);
      (void)render_diff_json(a, b, d, options);
    } catch (const deferlab::Error&) {
      // Over the size bound.
    }
  }
}

}  // namespace

DEFERLAB_FUZZ_JSON_MUTATOR

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string_view> parts = deferlab::fuzz::split_documents(data, size);
  try {
    const nlohmann::json document = deferlab::json::parse(parts[0], "disasm.json");
    const deferlab::json::Source source{"disasm.json", ""};
    const deferlab::json::Node root(document, source);
    if (const std::optional<deferlab::json::Node> set = root.find("architectures")) {
      for (const auto& [arch, d] : set->members()) exercise_document(d);
    } else {
      exercise_document(root);
    }
  } catch (const deferlab::Error&) {
    // Bad input, reported as such.
  }
  return 0;
}
