// Streams every function of a binary as NDJSON, in order (disasm/stream.h).
#include "disasm/stream.h"

#include <sched.h>

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

// One stream_all_functions call: workers decode items in order, at most `window` ahead of
// the writer (the calling thread), which hands each item's text to the sink as it comes.
// The cores this process may run on: its affinity mask (taskset, a container's cpuset),
// not every core of the machine as std::thread::hardware_concurrency() counts them. More
// workers than cores only take turns.
unsigned usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) {
    return static_cast<unsigned>(CPU_COUNT(&set));
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

class Streamer {
 public:
  Streamer(const ObjectFile& file, const StreamOptions& options,
           const std::function<void(std::string_view)>& sink, const StreamProgress& progress)
      : file_(file),
        options_(options),
        sink_(sink),
        progress_(progress),
        // Only addresses up front: each worker names (demangles) its own items, so the names
        // of a big library are demangled on every core and never all held at once.
        items_(all_code_spans(file)),
        jobs_(options.jobs != 0 ? options.jobs : usable_cores()),
        window_(options.window != 0 ? options.window : 16 * jobs_),
        prefix_(std::string("{\"schema\":\"deferlab.disasm/1\",\"binary\":") +
                describe_binary(file) + ",\"syntax\":" +
                (options.syntax == Syntax::kAtt ? "\"att\"" : "\"intel\"") + ",\"functions\":["),
        ring_(window_),
        unreleased_(items_.empty() ? 0 : items_.front().address) {
    for (const CodeSpan& item : items_) total_bytes_ += item.size;
  }

  StreamStats run() {
    std::vector<std::thread> workers;
    try {
      for (unsigned j = 0; j < jobs_; ++j) workers.emplace_back([this] { work(); });
    } catch (...) {  // no thread left to start: stop the ones that did
      fail(std::current_exception());
    }
    StreamStats stats;
    if (!workers.empty()) write_all(stats);
    {
      std::lock_guard lock(mutex_);
      if (!failure_ && written_ < items_.size())
        failure_ = std::make_exception_ptr(std::runtime_error("stream stopped"));
      changed_.notify_all();
    }
    for (std::thread& t : workers) t.join();
    if (failure_) std::rethrow_exception(failure_);
    return stats;
  }

 private:
  // The text of one item being decoded by a worker, not yet handed to its slot.
  struct Pending {
    std::size_t index = 0;
    std::string text;
    std::size_t functions = 0;
    std::size_t instructions = 0;
    std::uint64_t bytes = 0;
  };

  void fail(std::exception_ptr e) {
    std::lock_guard lock(mutex_);
    if (!failure_) failure_ = std::move(e);
    changed_.notify_all();
  }

  // Items are claimed in order, at most `window` ahead of the writer. The writer drains the
  // lowest unwritten item's chunks as they come, so a worker waiting for room (its item
  // ahead of the writer with kMaxQueuedBytes queued) always waits on one that progresses.
  void work() {
    try {
      const Decoder decoder(file_.arch(), options_.syntax);
      std::unique_ptr<LineTable> lines = options_.lines ? file_.open_line_table() : nullptr;
      for (;;) {
        Pending pending;
        {
          std::unique_lock lock(mutex_);
          changed_.wait(lock, [&] {
            return failure_ || next_ >= items_.size() || next_ < written_ + window_;
          });
          if (failure_ || next_ >= items_.size()) return;
          pending.index = next_++;
        }
        decode_item(decoder, lines.get(), pending);
        hand_over(pending, true);
      }
    } catch (...) {
      fail(std::current_exception());
    }
  }

  void decode_item(const Decoder& decoder, LineTable* lines, Pending& pending) {
    auto emit = [&](const AnnotatedFunction& f) {
      pending.text += prefix_;
      write_function_json(pending.text, f, nullptr);
      pending.text += "]}\n";
      ++pending.functions;
      pending.instructions += f.instructions.size();
      pending.bytes += f.range.size;
      if (pending.text.size() >= kChunkBytes) hand_over(pending, false);
    };
    const CodeSpan& item = items_[pending.index];
    const FunctionRange range = range_of_span(file_, item);
    if (item.symbol == nullptr) {
      for_each_unnamed_piece(file_, decoder, range, kUnnamedWindow, [&](DecodedPiece&& piece) {
        emit(annotate_decoded(file_, piece.range, std::move(piece.code), options_.names, lines));
        return true;
      });
    } else {
      emit(annotate(file_, decoder, range, options_.names, lines));
    }
  }

  // Hands the text so far to the item's slot; waits while too much of it is queued.
  void hand_over(Pending& pending, bool done) {
    std::unique_lock lock(mutex_);
    Slot& slot = ring_[pending.index % window_];
    changed_.wait(lock, [&] {
      return failure_ || done || pending.index == written_ || slot.queued_bytes < kMaxQueuedBytes;
    });
    if (failure_) throw std::runtime_error("stream stopped");
    if (!pending.text.empty()) {
      slot.queued_bytes += pending.text.size();
      slot.chunks.push_back(std::move(pending.text));
      pending.text.clear();
    }
    slot.functions += pending.functions;
    slot.instructions += pending.instructions;
    slot.bytes += pending.bytes;
    pending.functions = pending.instructions = 0;
    pending.bytes = 0;
    slot.done = done;
    changed_.notify_all();
  }

  void write_all(StreamStats& stats) {
    std::deque<std::string> ready;
    for (std::size_t k = 0; k < items_.size();) {
      bool item_done = false;
      {
        std::unique_lock lock(mutex_);
        Slot& slot = ring_[k % window_];
        changed_.wait(lock, [&] { return failure_ || !slot.chunks.empty() || slot.done; });
        if (failure_) return;
        ready.swap(slot.chunks);
        slot.queued_bytes = 0;
        if (slot.done) {
          item_done = true;
          stats.functions += slot.functions;
          stats.instructions += slot.instructions;
          stats.bytes += slot.bytes;
          slot = Slot{};
          written_ = k + 1;
        }
        changed_.notify_all();
      }
      // The sink may throw (a full disk, a closed pipe): stop the workers and join them
      // before the exception leaves, never with joinable threads.
      try {
        for (const std::string& chunk : ready) sink_(chunk);
      } catch (...) {
        fail(std::current_exception());
        return;
      }
      ready.clear();
      if (item_done) {
        release_behind(k);
        ++k;
        if (progress_) progress_(stats, total_bytes_);
      }
    }
  }

  // Code behind the writer is read by no one: every item before the one being written is
  // done. Its pages are released as the writer passes them (up to the next item's start,
  // whose page a worker may be reading).
  void release_behind(std::size_t k) {
    const CodeSpan& done = items_[k];
    const bool next_in_section = k + 1 < items_.size() && items_[k + 1].section == done.section;
    const std::uint64_t until = next_in_section ? items_[k + 1].address : done.address + done.size;
    if (until > unreleased_) {
      for (const Section& s : file_.sections()) {
        if (s.index == done.section) file_.release_code(s, unreleased_, until - unreleased_);
      }
    }
    if (k + 1 < items_.size()) unreleased_ = next_in_section ? until : items_[k + 1].address;
  }

  const ObjectFile& file_;
  const StreamOptions& options_;
  const std::function<void(std::string_view)>& sink_;
  const StreamProgress& progress_;
  std::uint64_t total_bytes_ = 0;  // of every item
  const std::vector<CodeSpan> items_;
  const unsigned jobs_;
  const std::size_t window_;
  const std::string prefix_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t next_ = 0;     // next item to claim
  std::size_t written_ = 0;  // items handed to the sink
  std::vector<Slot> ring_;
  std::exception_ptr failure_;
  std::uint64_t unreleased_;
};

}  // namespace

StreamStats stream_all_functions(const ObjectFile& file, const StreamOptions& options,
                                 const std::function<void(std::string_view)>& sink,
                                 const StreamProgress& progress) {
  return Streamer(file, options, sink, progress).run();
}

}  // namespace deferlab::disasm
