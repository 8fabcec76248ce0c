// heap_defer: one heap record per deferred action, linked into a chain, run LIFO at scope
// exit, each record deleted after its action ran.
//
// This is how Go ran `defer` before 1.13 (runtime.deferproc allocated a _defer record per
// statement; a defer in a loop allocated on every iteration). The action is held in a
// std::function, so a callable that does not fit its inline buffer (16 bytes in libstdc++,
// and only for trivially copyable callables) costs a second allocation.
//
//   deferlab::HeapDeferChain defers;
//   for (int i = 0; i < n; ++i) defers.defer([&log, i] { log.push_back(i); });
//   // leaving the scope runs the actions for n-1, ..., 0 and deletes the n records
//
// Expected evidence: 1 allocation per action (+1 for a large capture) and a call to
// operator new inside the hot loop.
#pragma once

#include <functional>
#include <string_view>
#include <utility>

#include "cases/strategy.h"

namespace deferlab {

class HeapDeferChain {
 public:
  HeapDeferChain() = default;
  HeapDeferChain(const HeapDeferChain&) = delete;
  HeapDeferChain& operator=(const HeapDeferChain&) = delete;
  ~HeapDeferChain() { run_all(); }

  // Registers `action` to run when the chain is destroyed or run_all() is called. If the
  // record cannot be allocated, throws std::bad_alloc and `action` is neither kept nor run.
  template <class F>
  void defer(F&& action) {
    head_ = new Record{std::function<void()>(std::forward<F>(action)), head_};
  }

  // Runs every pending action, newest first, and deletes the records.
  void run_all() noexcept {
    while (Record* record = head_) {
      head_ = record->next;
      record->action();
      delete record;
    }
  }

  // Drops every pending action without running it (the commit of a commit/rollback).
  void cancel_all() noexcept {
    while (Record* record = head_) {
      head_ = record->next;
      delete record;
    }
  }

 private:
  struct Record {
    std::function<void()> action;
    Record* next;
  };
  Record* head_ = nullptr;
};

struct HeapDeferStrategy {
  static constexpr std::string_view kName = "heap_defer";
  static constexpr int kRank = 10;
  static constexpr std::string_view kSummary =
      "a record new-ed per action holding a std::function, chained, run LIFO at scope exit";
  static constexpr std::string_view kHeader = "cases/strategies/heap_defer.h";
  static constexpr bool kAvailable = true;
  static constexpr StrategyKind kKind = StrategyKind::kChain;
  using Chain = HeapDeferChain;
  static constexpr std::string_view kDismissal =
      "cancel_all() deletes the records without running them";
  static constexpr std::string_view kCallableStorage =
      "a std::function in a heap record holds the callable";
};

}  // namespace deferlab
