// libFuzzer target: the ELF reader and the annotator (disasm/elf_file.cc, selection.cc,
// annotate.cc, listing.cc, disasm_json.cc) on any bytes, x86-64 and AArch64 alike. The
// input goes into a memfd and is opened by its /proc path, so the reader takes the same
// path (open, fstat, mmap, libelf) as `deferlab disasm FILE`.
//
// deferlab::Error is the expected answer to bad input; anything else escaping, a crash, a
// leak, or undefined behaviour is a bug (the targets build with ASan and UBSan).
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/error.h"
#include "common/json_reader.h"
#include "disasm/annotate.h"
#include "disasm/decoder.h"
#include "disasm/disasm_json.h"
#include "disasm/listing.h"
#include "disasm/object_file.h"
#include "disasm/selection.h"

namespace {

using namespace deferlab::disasm;

// Annotating every function of a large input would make one input take seconds; the
// first functions and stretches reach every code path the rest would.
constexpr std::size_t kMaxItems = 48;
constexpr std::uint64_t kUnnamedPieceBytes = 4096;

int input_file() {
  static const int fd = [] {
    const int f = ::memfd_create("deferlab-fuzz-elf", 0);
    if (f < 0) std::abort();
    return f;
  }();
  return fd;
}

void exercise(const std::string& path) {
  const std::unique_ptr<ObjectFile> file = open_object_file(path);
  (void)file->kind();
  (void)file->build_id();
  const Decoder decoder(file->arch(), Syntax::kIntel);
  const std::unique_ptr<LineTable> lines = file->open_line_table();
  const AllocNames names = AllocNames::defaults();

  std::vector<AnnotatedFunction> done;
  std::size_t items = 0;
  for (const CodeItem& item : all_code(*file)) {
    if (++items > kMaxItems) break;
    if (item.unnamed) {
      for (DecodedPiece& piece :
           split_unnamed_decoded(*file, decoder, item.range, kUnnamedPieceBytes)) {
        done.push_back(
            annotate_decoded(*file, piece.range, std::move(piece.code), names, lines.get()));
      }
    } else {
      done.push_back(annotate(*file, decoder, item.range, names, lines.get()));
      // What `deferlab disasm --address` does with the same start.
      (void)select_by_address(*file, decoder, AddressRange{item.range.address, std::nullopt});
    }
  }
  for (const AnnotatedFunction& f : done) {
    (void)render_function_text(f, {});
    (void)render_function_markdown(f, {});
  }
  // The JSON written must read back: what `deferlab diff` does with a saved document.
  std::string out;
  write_disasm_document(out, describe_binary(*file), Syntax::kIntel, done, nullptr);
  const nlohmann::json document = deferlab::json::parse(out, "fuzz output");
  const deferlab::json::Source source{"fuzz output", ""};
  const std::vector<AnnotatedFunction> back =
      read_disasm_document(deferlab::json::Node(document, source));
  if (back.size() != done.size()) std::abort();  // the writer and reader disagree
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = input_file();
  if (::ftruncate(fd, 0) != 0) std::abort();
  for (std::size_t done = 0; done < size;) {
    const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
  try {
    exercise("/proc/self/fd/" + std::to_string(fd));
  } catch (const deferlab::Error&) {
    // Bad input, reported as such: the expected outcome for most mutants.
  }
  return 0;
}
