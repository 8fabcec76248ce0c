#include "disasm/stream.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "disasm/disasm_json.h"
#include "disasm/selection.h"

namespace deferlab::disasm {
namespace {

// Unnamed stretches are cut into pieces of at most this many bytes.
constexpr std::uint64_t kUnnamedWindow = 16 * 1024;
// An item's text is handed over in chunks of about this size: a stripped library's code is
// mostly unnamed stretches of many MB, and their whole text must never be held at once.
constexpr std::size_t kChunkBytes = 256 * 1024;
// A worker ahead of the writer waits once this much of its item's text is queued.
constexpr std::size_t kMaxQueuedBytes = 8 * kChunkBytes;

// One item in flight: its text so far, in order, and whether it is complete.
struct Slot {
  std::deque<std::string> chunks;
  std::size_t queued_bytes = 0;
  bool done = false;
  std::size_t functions = 0;
  std::size_t instructions = 0;
  std::uint64_t bytes = 0;
};

}  // namespace

StreamStats stream_all_functions(const ObjectFile& file, const StreamOptions& options,
                                 const std::function<void(std::string_view)>& sink) {
  // Only addresses up front: each worker names (demangles) its own items, so the names of
  // a big library are demangled on every core and never all held at once.
  const std::vector<CodeSpan> items = all_code_spans(file);
  const unsigned jobs =
      options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  const std::size_t window = options.window != 0 ? options.window : 16 * jobs;
  const std::string binary = describe_binary(file);
  const std::string prefix =
      std::string("{\"schema\":\"deferlab.disasm/1\",\"binary\":") + binary +
      ",\"syntax\":" + (options.syntax == Syntax::kAtt ? "\"att\"" : "\"intel\"") +
      ",\"functions\":[";

  // Items are claimed in order, at most `window` ahead of the writer. The writer drains the
  // lowest unwritten item's chunks as they come, so a worker waiting for room (its item
  // ahead of the writer with kMaxQueuedBytes queued) always waits on one that progresses.
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t next = 0;     // next item to claim
  std::size_t written = 0;  // items handed to the sink
  std::vector<Slot> ring(window);
  std::exception_ptr failure;

  auto work = [&] {
    try {
      const Decoder decoder(file.arch(), options.syntax);
      std::unique_ptr<LineTable> lines = options.lines ? file.open_line_table() : nullptr;
      std::string text;
      for (;;) {
        std::size_t index = 0;
        {
          std::unique_lock lock(mutex);
          changed.wait(lock,
                       [&] { return failure || next >= items.size() || next < written + window; });
          if (failure || next >= items.size()) return;
          index = next++;
        }
        Slot& slot = ring[index % window];
        std::size_t functions = 0;
        std::size_t instructions = 0;
        std::uint64_t bytes = 0;
        // Hands the text so far to the writer; waits while too much of it is queued.
        auto hand_over = [&](bool done) {
          std::unique_lock lock(mutex);
          changed.wait(lock, [&] {
            return failure || done || index == written || slot.queued_bytes < kMaxQueuedBytes;
          });
          if (failure) throw std::runtime_error("stream stopped");
          if (!text.empty()) {
            slot.queued_bytes += text.size();
            slot.chunks.push_back(std::move(text));
            text.clear();
          }
          slot.functions += functions;
          slot.instructions += instructions;
          slot.bytes += bytes;
          functions = instructions = 0;
          bytes = 0;
          slot.done = done;
          changed.notify_all();
        };
        auto emit = [&](const AnnotatedFunction& f) {
          text += prefix;
          write_function_json(text, f, nullptr);
          text += "]}\n";
          ++functions;
          instructions += f.instructions.size();
          bytes += f.range.size;
          if (text.size() >= kChunkBytes) hand_over(false);
        };
        const CodeSpan& item = items[index];
        const FunctionRange range = range_of_span(file, item);
        if (item.symbol == nullptr) {
          for_each_unnamed_piece(file, decoder, range, kUnnamedWindow, [&](DecodedPiece&& piece) {
            emit(annotate_decoded(file, piece.range, std::move(piece.code), options.names,
                                  lines.get()));
            return true;
          });
        } else {
          emit(annotate(file, decoder, range, options.names, lines.get()));
        }
        hand_over(true);
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
  std::deque<std::string> ready;
  // Code behind the writer is read by no one: every item before the one being written is
  // done. Its pages are released as the writer passes them (up to the next item's start,
  // whose page a worker may be reading).
  std::uint64_t unreleased = items.empty() ? 0 : items.front().address;
  auto release_behind = [&](std::size_t k) {
    const CodeSpan& done = items[k];
    const bool next_in_section = k + 1 < items.size() && items[k + 1].section == done.section;
    const std::uint64_t until = next_in_section ? items[k + 1].address : done.address + done.size;
    if (until > unreleased) {
      for (const Section& s : file.sections()) {
        if (s.index == done.section) file.release_code(s, unreleased, until - unreleased);
      }
    }
    if (k + 1 < items.size()) unreleased = next_in_section ? until : items[k + 1].address;
  };
  for (std::size_t k = 0; k < items.size() && !workers.empty();) {
    bool item_done = false;
    {
      std::unique_lock lock(mutex);
      Slot& slot = ring[k % window];
      changed.wait(lock, [&] { return failure || !slot.chunks.empty() || slot.done; });
      if (failure) break;
      ready.swap(slot.chunks);
      slot.queued_bytes = 0;
      if (slot.done) {
        item_done = true;
        stats.functions += slot.functions;
        stats.instructions += slot.instructions;
        stats.bytes += slot.bytes;
        slot = Slot{};
        written = k + 1;
      }
      changed.notify_all();
    }
    // The sink may throw (a full disk, a closed pipe): stop the workers and join them
    // before the exception leaves, never with joinable threads.
    try {
      for (const std::string& chunk : ready) sink(chunk);
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!failure) failure = std::current_exception();
      changed.notify_all();
      break;
    }
    ready.clear();
    if (item_done) {
      release_behind(k);
      ++k;
    }
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
