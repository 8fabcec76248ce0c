#include "disasm/stream.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "disasm/disasm_json.h"
#include "disasm/selection.h"

namespace deferlab::disasm {
namespace {

// Unnamed stretches are cut into pieces of at most this many bytes.
constexpr std::uint64_t kUnnamedWindow = 16 * 1024;

struct Result {
  std::string text;
  std::size_t functions = 0;
  std::size_t instructions = 0;
  std::uint64_t bytes = 0;
};

}  // namespace

StreamStats stream_all_functions(const ObjectFile& file, const StreamOptions& options,
                                 const std::function<void(std::string_view)>& sink) {
  const std::vector<CodeItem> items = all_code(file);
  // Demangled names are filled on first use; fill them all before the workers share them.
  for (const Symbol& f : file.functions()) (void)f.demangled();
  const unsigned jobs =
      options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  const std::size_t window = options.window != 0 ? options.window : 16 * jobs;
  const std::string binary = describe_binary(file);
  const std::string prefix =
      std::string("{\"schema\":\"deferlab.disasm/1\",\"binary\":") + binary +
      ",\"syntax\":" + (options.syntax == Syntax::kAtt ? "\"att\"" : "\"intel\"") +
      ",\"functions\":[";

  std::mutex mutex;
  std::condition_variable changed;
  std::size_t next = 0;     // next item to claim
  std::size_t written = 0;  // items handed to the sink
  std::vector<std::optional<Result>> ring(window);
  std::exception_ptr failure;

  auto work = [&] {
    try {
      const Decoder decoder(file.arch(), options.syntax);
      std::unique_ptr<LineTable> lines = options.lines ? file.open_line_table() : nullptr;
      for (;;) {
        std::size_t index = 0;
        {
          std::unique_lock lock(mutex);
          changed.wait(lock,
                       [&] { return failure || next >= items.size() || next < written + window; });
          if (failure || next >= items.size()) return;
          index = next++;
        }
        Result result;
        const CodeItem& item = items[index];
        auto emit = [&](const AnnotatedFunction& f) {
          result.text += prefix;
          write_function_json(result.text, f, nullptr);
          result.text += "]}\n";
          ++result.functions;
          result.instructions += f.instructions.size();
          result.bytes += f.range.size;
        };
        if (item.unnamed) {
          for (DecodedPiece& piece :
               split_unnamed_decoded(file, decoder, item.range, kUnnamedWindow)) {
            emit(annotate_decoded(file, piece.range, std::move(piece.code), options.names,
                                  lines.get()));
          }
        } else {
          emit(annotate(file, decoder, item.range, options.names, lines.get()));
        }
        std::lock_guard lock(mutex);
        ring[index % window] = std::move(result);
        changed.notify_all();
      }
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!failure) failure = std::current_exception();
      changed.notify_all();
    }
  };

  std::vector<std::thread> workers;
  try {
    for (unsigned j = 0; j < jobs; ++j) workers.emplace_back(work);
  } catch (...) {  // no thread left to start: stop the ones that did
    std::lock_guard lock(mutex);
    failure = std::current_exception();
    changed.notify_all();
  }
  StreamStats stats;
  for (std::size_t k = 0; k < items.size() && !workers.empty(); ++k) {
    Result result;
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return failure || ring[k % window].has_value(); });
      if (failure) break;
      result = std::move(*ring[k % window]);
      ring[k % window].reset();
      written = k + 1;
      changed.notify_all();
    }
    // The sink may throw (a full disk, a closed pipe): stop the workers and join them
    // before the exception leaves, never with joinable threads.
    try {
      sink(result.text);
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!failure) failure = std::current_exception();
      changed.notify_all();
      break;
    }
    stats.functions += result.functions;
    stats.instructions += result.instructions;
    stats.bytes += result.bytes;
  }
  {
    std::lock_guard lock(mutex);
    if (!failure && written < items.size())
      failure = std::make_exception_ptr(std::runtime_error("stream stopped"));
    changed.notify_all();
  }
  for (std::thread& t : workers) t.join();
  if (failure) std::rethrow_exception(failure);
  return stats;
}

}  // namespace deferlab::disasm
