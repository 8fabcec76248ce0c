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
#include <utility>
#include <vector>

#include "disasm/disasm_json.h"
#include "disasm/selection.h"

namespace deferlab::disasm {
namespace {

// Unnamed stretches are cut into pieces of at most this many bytes.
constexpr std::uint64_t kUnnamedWindow = 16 * 1024;
// An item's text is handed over in chunks of about this size: a stripped library's code is
// mostly unnamed stretches of many MB, and their whole text must never be held at once.
constexpr std::size_t kDefaultChunkBytes = 256 * 1024;
// Text of all items waiting for the writer: past this, no new item is claimed and a worker
// ahead of the writer waits with its item's text (the head item's never waits, so the
// writer always has something coming). One budget for the whole window rather than one
// per item: a big function's text (a few MB) must not stop its worker while the head is
// still being made, which left one core idle a quarter of the time on libLLVM.
constexpr std::size_t kDefaultTextBudget = 32 * kDefaultChunkBytes;

// Records written and the code they cover.
struct Counts {
  std::size_t functions = 0;
  std::size_t instructions = 0;
  std::uint64_t bytes = 0;

  void add(const Counts& other) {
    functions += other.functions;
    instructions += other.instructions;
    bytes += other.bytes;
  }
};

// Some records' text, in order, and their counts.
struct Segment {
  std::string text;
  Counts counts;
  bool done = false;  // in a slot: its text is complete (a helper may still be making it)
};

// One item in flight: its text so far, in order, and whether it is complete.
struct Slot {
  std::vector<std::string> chunks;
  std::size_t queued_bytes = 0;
  bool done = false;
  Counts counts;  // of the text moved into `chunks`
  // The item's text as segments (a worker's own run of records, or a piece another worker
  // helped with), each moved into `chunks` once every segment before it is done;
  // segments.front() is number `first_segment` of the item.
  std::deque<Segment> segments;
  std::size_t first_segment = 0;
  bool cut = false;  // every piece of the stretch has been made
};

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

// One stream_all_functions call: workers decode items in order, at most `window` ahead of
// the writer (the calling thread), which hands each item's text to the sink as it comes.
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
        window_(options.window != 0 ? options.window : 256 * jobs_),
        prefix_(std::string("{\"schema\":\"deferlab.disasm/1\",\"binary\":") +
                describe_binary(file) + ",\"syntax\":" +
                (options.syntax == Syntax::kAtt ? "\"att\"" : "\"intel\"") + ",\"functions\":["),
        batch_(std::max<std::size_t>(1, std::min<std::size_t>(32, window_ / 2))),
        budget_(options.text_budget != 0 ? options.text_budget : kDefaultTextBudget),
        chunk_bytes_(options.chunk_bytes != 0 ? options.chunk_bytes : kDefaultChunkBytes),
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
      worker_cv_.notify_all();
    }
    for (std::thread& t : workers) t.join();
    if (failure_) std::rethrow_exception(failure_);
    stats.helped = helped_;
    return stats;
  }

 private:
  // The text of one item being decoded by a worker, not yet handed to its slot.
  struct Pending {
    std::size_t index = 0;
    Segment out;
  };

  // One item the writer took, with its text, to be handed to the sink outside the lock.
  struct Taken {
    std::size_t index = 0;
    std::vector<std::string> chunks;  // a vector: Taken moves without copying the text
    bool done = false;
    Counts counts;
  };

  // A piece of an unnamed stretch, decoded and cut by the worker that claimed the stretch,
  // annotated and written by an idle one. A stretch is cut in address order (where a piece
  // ends depends on decoding from the stretch's start), and libLLVM's biggest is 1.7 MB of
  // code: alone, one worker would make it while the others wait for the writer.
  struct PieceTask {
    std::size_t item = 0;
    std::size_t segment = 0;  // the item's segment number for the piece's text
    DecodedPiece piece;
  };

  void fail(std::exception_ptr e) {
    std::lock_guard lock(mutex_);
    if (!failure_) failure_ = std::move(e);
    writer_cv_.notify_all();
    worker_cv_.notify_all();
  }

  // Whether the sleeping writer should be woken (mutex_ held). Waking it for every item
  // cost a futex call and, on a busy core, a context switch per function: a big library
  // is a hundred thousand items. So it sleeps until half the window is done in order,
  // unless a worker waits on it (for room in the window or for its chunks to drain), the
  // head item streams chunks (a long item), or every item has been claimed (the tail).
  bool writer_should_wake() const {
    if (failure_) return true;
    const Slot& head = ring_[written_ % window_];
    if (!head.done) return !head.chunks.empty();
    if (blocked_workers_ > 0 || next_ >= items_.size()) return true;
    if (total_queued_ >= budget_ / 2) return true;
    std::size_t run = 0;
    for (std::size_t k = written_; k < next_ && ring_[k % window_].done; ++k) {
      if (++run >= batch_) return true;
    }
    return false;
  }

  // A worker may claim the next item unless it is a window ahead of the writer or too much
  // text waits already (mutex_ held); the head item is always claimable.
  bool may_claim() const {
    return failure_ || next_ >= items_.size() || next_ == written_ ||
           (next_ < written_ + window_ && total_queued_ < budget_);
  }

  void wake_writer_if_due() {
    if (writer_waiting_ && writer_should_wake()) writer_cv_.notify_one();
  }

  // Work for a waiting worker (mutex_ held): a piece to help with, an item to claim, or
  // the end (every item claimed and no stretch still being cut).
  bool has_work() const {
    return failure_ || !tasks_.empty() || (next_ < items_.size() ? may_claim() : cutting_ == 0);
  }

  // Items are claimed in order, at most `window` ahead of the writer. The writer drains the
  // lowest unwritten item's chunks as they come, so a worker waiting for room (the text
  // budget spent) always waits on one that progresses: the head's worker never waits.
  // Pieces to help with come before new items: they belong to an earlier one.
  void work() {
    try {
      const Decoder decoder(file_.arch(), options_.syntax);
      std::unique_ptr<LineTable> lines = options_.lines ? file_.open_line_table() : nullptr;
      Pending pending;
      std::unique_lock lock(mutex_);
      for (;;) {
        if (!has_work()) wait_idle(lock, [&] { return has_work(); });
        if (failure_) return;
        if (help_once(lock, lines.get())) continue;
        if (next_ >= items_.size()) return;
        pending = Pending{};
        pending.index = next_++;
        const bool unnamed = items_[pending.index].symbol == nullptr;
        if (unnamed) ++cutting_;
        lock.unlock();
        decode_item(decoder, lines.get(), pending);
        lock.lock();
        if (unnamed && --cutting_ == 0 && next_ >= items_.size()) worker_cv_.notify_all();
        // The item's end and the next claim under one lock.
        put_in_slot(lock, pending, true, lines.get());
      }
    } catch (...) {
      fail(std::current_exception());
    }
  }

  // Waits (mutex_ held through `lock`) until `ready`, as a worker with nothing to do:
  // cutters hand it pieces, and the writer wakes for it.
  template <class Ready>
  void wait_idle(std::unique_lock<std::mutex>& lock, Ready ready) {
    ++blocked_workers_;
    ++idle_workers_;
    idle_hint_.store(true, std::memory_order_relaxed);
    wake_writer_if_due();
    worker_cv_.wait(lock, ready);
    --blocked_workers_;
    if (--idle_workers_ == 0) idle_hint_.store(false, std::memory_order_relaxed);
  }

  // Annotates and writes the oldest piece handed out, if any (mutex_ held through `lock`,
  // released meanwhile); whether there was one.
  bool help_once(std::unique_lock<std::mutex>& lock, LineTable* lines) {
    if (tasks_.empty()) return false;
    PieceTask task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    Segment out;
    write_piece(task.piece, lines, out);
    out.done = true;
    lock.lock();
    ++helped_;
    if (failure_) throw std::runtime_error("stream stopped");
    Slot& slot = ring_[task.item % window_];
    slot.segments[task.segment - slot.first_segment] = std::move(out);
    flush_segments(slot);
    return true;
  }

  // One function's record, appended to `out`.
  void append_record(const AnnotatedFunction& f, Segment& out) const {
    out.text += prefix_;
    write_function_json(out.text, f, nullptr);
    out.text += "]}\n";
    out.counts.add({1, f.instructions.size(), f.range.size});
  }

  // One unnamed piece's record, appended to `out`.
  void write_piece(DecodedPiece& piece, LineTable* lines, Segment& out) const {
    append_record(
        annotate_decoded(file_, piece.range, std::move(piece.code), options_.names, lines), out);
  }

  void decode_item(const Decoder& decoder, LineTable* lines, Pending& pending) {
    const CodeSpan& item = items_[pending.index];
    const FunctionRange range = range_of_span(file_, item);
    if (item.symbol != nullptr) {  // one record, handed over whole by work()
      append_record(annotate(file_, decoder, range, options_.names, lines), pending.out);
      return;
    }
    for_each_unnamed_piece(file_, decoder, range, kUnnamedWindow, [&](DecodedPiece&& piece) {
      if (helper_waiting()) {
        std::unique_lock lock(mutex_);
        // Checked again under the lock: a helper may have found other work meanwhile.
        if (idle_workers_ > tasks_.size()) {
          put_in_slot(lock, pending, false, lines);  // what comes before the piece, in order
          Slot& slot = ring_[pending.index % window_];
          slot.segments.emplace_back();
          tasks_.push_back(
              {pending.index, slot.first_segment + slot.segments.size() - 1, std::move(piece)});
          worker_cv_.notify_all();
          return true;
        }
      }
      std::string& text = pending.out.text;
      if (text.capacity() == 0) {
        // Room for what is left of the stretch up to a chunk, at about 64 bytes of JSON per
        // byte of code: pieces appended to a growing string were copied again at every
        // doubling.
        const std::uint64_t left = range.address + range.size - piece.range.address;
        text.reserve(
            static_cast<std::size_t>(std::min<std::uint64_t>(64 * left + 1024, chunk_bytes_ * 2)));
      }
      write_piece(piece, lines, pending.out);
      if (text.size() >= chunk_bytes_) {
        std::unique_lock lock(mutex_);
        put_in_slot(lock, pending, false, lines);
      }
      return true;
    });
  }

  // Whether a worker waits with nothing to do (read without the lock: a hint, checked
  // again with it; most pieces are made while every worker is busy).
  bool helper_waiting() const { return idle_hint_.load(std::memory_order_relaxed); }

  // Hands the text so far to the item's slot (mutex_ held through `lock`); a part of an
  // unfinished item waits while too much of its text is queued, helping with pieces of
  // earlier items meanwhile.
  void put_in_slot(std::unique_lock<std::mutex>& lock, Pending& pending, bool done,
                   LineTable* lines) {
    auto has_room = [&] {
      return failure_ || done || pending.index == written_ || total_queued_ < budget_;
    };
    while (!has_room()) {
      if (help_once(lock, lines)) continue;
      wait_idle(lock, [&] { return has_room() || !tasks_.empty(); });
    }
    if (failure_) throw std::runtime_error("stream stopped");
    // A segment of its own, moved on into the chunks at once unless it comes after a piece
    // another worker is still making.
    Slot& slot = ring_[pending.index % window_];
    Segment& own = slot.segments.emplace_back(std::exchange(pending.out, {}));
    own.done = true;
    slot.cut = done;
    flush_segments(slot);
  }

  // Moves the slot's finished segments, in order, into its chunks; the item is done once
  // it is cut and no segment waits (mutex_ held).
  void flush_segments(Slot& slot) {
    while (!slot.segments.empty() && slot.segments.front().done) {
      Segment& s = slot.segments.front();
      if (!s.text.empty()) {
        slot.queued_bytes += s.text.size();
        total_queued_ += s.text.size();
        slot.chunks.push_back(std::move(s.text));
      }
      slot.counts.add(s.counts);
      slot.segments.pop_front();
      ++slot.first_segment;
    }
    slot.done = slot.cut && slot.segments.empty();
    wake_writer_if_due();
  }

  // Takes, under the lock, every finished item from the head on and the head's chunks so
  // far; the slots are free again for workers once taken.
  void take_ready(std::vector<Taken>& taken) {
    for (std::size_t k = written_; k < items_.size(); ++k) {
      Slot& slot = ring_[k % window_];
      if (slot.chunks.empty() && !slot.done) break;
      Taken& t = taken.emplace_back();
      t.index = k;
      t.chunks.swap(slot.chunks);
      total_queued_ -= slot.queued_bytes;
      slot.queued_bytes = 0;
      if (!slot.done) break;  // the head, unfinished: its chunks so far
      t.done = true;
      t.counts = slot.counts;
      slot = Slot{};
      written_ = k + 1;
    }
  }

  void write_all(StreamStats& stats) {
    std::vector<Taken> taken;
    while (written_ < items_.size()) {
      {
        std::unique_lock lock(mutex_);
        writer_waiting_ = true;
        writer_cv_.wait(lock, [&] { return writer_should_wake(); });
        writer_waiting_ = false;
        if (failure_) return;
        take_ready(taken);
        if (blocked_workers_ > 0) worker_cv_.notify_all();
      }
      // The sink may throw (a full disk, a closed pipe): stop the workers and join them
      // before the exception leaves, never with joinable threads.
      try {
        for (const Taken& t : taken) {
          for (const std::string& chunk : t.chunks) sink_(chunk);
          if (!t.done) continue;
          stats.functions += t.counts.functions;
          stats.instructions += t.counts.instructions;
          stats.bytes += t.counts.bytes;
          release_behind(t.index);
          if (progress_) progress_(stats, total_bytes_);
        }
      } catch (...) {
        fail(std::current_exception());
        return;
      }
      taken.clear();
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
  const std::size_t batch_;   // finished items the writer waits for before it wakes
  const std::size_t budget_;  // bytes of text waiting for the writer before workers wait
  const std::size_t chunk_bytes_;
  std::mutex mutex_;
  std::condition_variable writer_cv_;  // the writer waits here, alone
  std::condition_variable worker_cv_;  // workers wait here for room
  bool writer_waiting_ = false;
  std::size_t blocked_workers_ = 0;
  std::size_t idle_workers_ = 0;        // waiting for work (a subset of blocked_workers_)
  std::atomic<bool> idle_hint_{false};  // idle_workers_ > 0, for a look without the lock
  std::size_t cutting_ = 0;             // workers cutting an unnamed stretch into pieces
  std::deque<PieceTask> tasks_;         // pieces for idle workers, oldest first
  std::size_t helped_ = 0;
  std::size_t total_queued_ = 0;  // bytes in every slot's chunks
  std::size_t next_ = 0;          // next item to claim
  std::size_t written_ = 0;       // items handed to the sink
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
