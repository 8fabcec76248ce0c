// capture_size/B: one cleanup whose callable is B bytes, B in {8, 16, 24, 32} of trivially
// copyable captures, plus a shared_ptr capture (24 bytes, not trivially copyable) and a
// std::string capture (40 bytes; the string is short, so it allocates nothing itself).
//
// This is where type erasure gives way: libstdc++'s std::function keeps a callable inline
// only when it is trivially copyable and at most 16 bytes, std::move_only_function when it
// is nothrow-movable and at most 24 bytes; past that each holds it on the heap. The
// templated guards and the pooled chain's 48-byte slot store every size inline.
#include <array>
#include <memory>
#include <string>

#include "cases/case_registry.h"
#include "cases/strategies.h"

namespace deferlab::cases {
namespace hot {

// B bytes of callable: the ledger reference plus B - 8 bytes of trivially copyable data.
template <std::size_t B>
struct Words {
  static_assert(B > 8 && B % 8 == 0);
  std::array<std::uint64_t, (B - 8) / 8> word;
};
struct LedgerOnly {};  // B = 8: the callable captures nothing but the ledger

// The id a cleanup releases, computed from the data it captured (so the capture is used).
inline std::uint32_t id_of(const LedgerOnly&) {
  return 8;
}
template <std::size_t B>
inline std::uint32_t id_of(const Words<B>& data) {
  std::uint64_t folded = 0;
  for (std::uint64_t w : data.word) folded ^= w;
  return static_cast<std::uint32_t>(folded);
}
inline std::uint32_t id_of(const std::shared_ptr<const std::uint32_t>& token) {
  return *token;
}
inline std::uint32_t id_of(const std::string& name) {
  return static_cast<std::uint32_t>(name.size());
}

template <class Data>
constexpr std::size_t kCallableBytes = 8 + sizeof(Data);
template <>
constexpr std::size_t kCallableBytes<LedgerOnly> = 8;

// The cleanup callable: captures the ledger by reference and `data` by value.
template <class Data>
[[gnu::always_inline]] inline auto make_cleanup(Ledger& ledger, const Data& data) {
  if constexpr (std::is_same_v<Data, LedgerOnly>) {
    auto cleanup = [&ledger] { release(ledger, 8); };
    static_assert(sizeof(cleanup) == 8);
    return cleanup;
  } else {
    auto cleanup = [&ledger, data] { release(ledger, id_of(data)); };
    static_assert(sizeof(cleanup) == kCallableBytes<Data>);
    return cleanup;
  }
}

DEFERLAB_SOURCE(capture_size_heap_defer)
template <class Data>
DEFERLAB_NOIPA void capture_size_heap_defer(Ledger& ledger, const Data& data) {
  HeapDeferChain defers;
  acquire(ledger, 0);
  defers.defer(make_cleanup(ledger, data));
}

DEFERLAB_SOURCE(capture_size_pooled_chain)
template <class Data>
DEFERLAB_NOIPA void capture_size_pooled_chain(Ledger& ledger, const Data& data) {
  PooledChain defers;
  acquire(ledger, 0);
  defers.defer(make_cleanup(ledger, data));
}

DEFERLAB_SOURCE(capture_size_scope_guard)
template <class Data>
DEFERLAB_NOIPA void capture_size_scope_guard(Ledger& ledger, const Data& data) {
  acquire(ledger, 0);
  ScopeGuard guard{make_cleanup(ledger, data)};
}

DEFERLAB_SOURCE(capture_size_goto_cleanup)
template <class Data>
DEFERLAB_NOIPA void capture_size_goto_cleanup(Ledger& ledger, const Data& data) {
  acquire(ledger, 0);
  release(ledger, id_of(data));
}

#if DEFERLAB_HAVE_ABSL_CLEANUP
DEFERLAB_SOURCE(capture_size_absl_cleanup)
template <class Data>
DEFERLAB_NOIPA void capture_size_absl_cleanup(Ledger& ledger, const Data& data) {
  acquire(ledger, 0);
  absl::Cleanup guard = make_cleanup(ledger, data);
}
#endif

#if DEFERLAB_HAVE_GSL_FINALLY
DEFERLAB_SOURCE(capture_size_gsl_finally)
template <class Data>
DEFERLAB_NOIPA void capture_size_gsl_finally(Ledger& ledger, const Data& data) {
  acquire(ledger, 0);
  auto guard = gsl::finally(make_cleanup(ledger, data));
}
#endif

#if DEFERLAB_HAVE_BOOST_SCOPE_EXIT
DEFERLAB_SOURCE(capture_size_boost_scope_exit)
template <class Data>
DEFERLAB_NOIPA void capture_size_boost_scope_exit(Ledger& ledger, const Data& data) {
  acquire(ledger, 0);
  const Data copy = data;  // BOOST_SCOPE_EXIT captures by reference or copies a named variable
  BOOST_SCOPE_EXIT_TPL(&ledger, copy) {
    release(ledger, id_of(copy));
  }
  BOOST_SCOPE_EXIT_END
}
#endif

DEFERLAB_SOURCE(capture_size_std_function_guard)
template <class Data>
DEFERLAB_NOIPA void capture_size_std_function_guard(Ledger& ledger, const Data& data) {
  acquire(ledger, 0);
  FunctionGuard guard{make_cleanup(ledger, data)};
}

#if DEFERLAB_HAVE_MOVE_ONLY_FUNCTION
DEFERLAB_SOURCE(capture_size_move_only_function_guard)
template <class Data>
DEFERLAB_NOIPA void capture_size_move_only_function_guard(Ledger& ledger, const Data& data) {
  acquire(ledger, 0);
  MoveOnlyFunctionGuard guard{make_cleanup(ledger, data)};
}
#endif

}  // namespace hot

namespace {

constexpr ScenarioInfo kScenario{
    "capture_size", 50,
    "one cleanup whose callable captures B bytes (8..32 trivially copyable, a shared_ptr, a "
    "std::string): where std::function's inline buffer ends"};

template <std::size_t B>
hot::Words<B> words() {
  hot::Words<B> data{};
  for (std::size_t i = 0; i < data.word.size(); ++i) data.word[i] = i + 1;
  return data;
}

// One hot function template per strategy, instantiated per capture kind.
#define DEFERLAB_CAPTURE_CELLS(Strategy, fn, fidelity, notes)                                      \
  do {                                                                                             \
    const SourceLine source = hot::fn##_source;                                                    \
    add_one<Strategy, &hot::fn<hot::LedgerOnly>>("8", 0, {{"B", 8}, {"capture", "trivial"}},       \
                                                 hot::LedgerOnly{}, source, fidelity, notes);      \
    add_one<Strategy, &hot::fn<hot::Words<16>>>("16", 1, {{"B", 16}, {"capture", "trivial"}},      \
                                                words<16>(), source, fidelity, notes);             \
    add_one<Strategy, &hot::fn<hot::Words<24>>>("24", 2, {{"B", 24}, {"capture", "trivial"}},      \
                                                words<24>(), source, fidelity, notes);             \
    add_one<Strategy, &hot::fn<hot::Words<32>>>("32", 3, {{"B", 32}, {"capture", "trivial"}},      \
                                                words<32>(), source, fidelity, notes);             \
    add_one<Strategy, &hot::fn<std::shared_ptr<const std::uint32_t>>>(                             \
        "shared_ptr", 4, {{"B", 24}, {"capture", "shared_ptr"}}, kToken, source, fidelity, notes); \
    add_one<Strategy, &hot::fn<std::string>>("string", 5,                                          \
                                             {{"B", 40}, {"capture", "std::string (short)"}},      \
                                             std::string(kShortName), source, fidelity, notes);    \
  } while (false)

template <class Strategy, auto Fn, class Data>
void add_one(const char* param, int index, nlohmann::json parameters, Data data, SourceLine source,
             Fidelity fidelity, const char* notes) {
  CaseHeader header{kScenario,
                    StrategyInfo::of<Strategy>(),
                    param,
                    index,
                    std::move(parameters),
                    source,
                    fidelity,
                    notes};
  Outcome expected;
  expected.acquired = 1;
  expected.released = {hot::id_of(data)};
  add_case(make_case<Fn>(std::move(header), std::move(expected), std::move(data)));
}

// Short enough for the small-string buffer: the capture copies bytes, never allocates.
constexpr const char* kShortName = "deferlab";
const std::shared_ptr<const std::uint32_t> kToken = std::make_shared<const std::uint32_t>(7);

constexpr const char* kNote = "the callable holds the ledger reference and a copy of the data";

const bool registered = [] {
  DEFERLAB_CAPTURE_CELLS(HeapDeferStrategy, capture_size_heap_defer, Fidelity::kFaithful,
                         "a std::function in a heap record holds the callable");
  DEFERLAB_CAPTURE_CELLS(PooledChainStrategy, capture_size_pooled_chain, Fidelity::kFaithful,
                         "the callable is stored in the record's 48-byte inline slot");
  DEFERLAB_CAPTURE_CELLS(ScopeGuardStrategy, capture_size_scope_guard, Fidelity::kFaithful, kNote);
  DEFERLAB_CAPTURE_CELLS(GotoCleanupStrategy, capture_size_goto_cleanup, Fidelity::kClosestForm,
                         "closest form: no callable; the cleanup reads the data in place");
#if DEFERLAB_HAVE_ABSL_CLEANUP
  DEFERLAB_CAPTURE_CELLS(AbslCleanupStrategy, capture_size_absl_cleanup, Fidelity::kFaithful,
                         kNote);
#endif
#if DEFERLAB_HAVE_GSL_FINALLY
  DEFERLAB_CAPTURE_CELLS(GslFinallyStrategy, capture_size_gsl_finally, Fidelity::kFaithful, kNote);
#endif
#if DEFERLAB_HAVE_BOOST_SCOPE_EXIT
  DEFERLAB_CAPTURE_CELLS(BoostScopeExitStrategy, capture_size_boost_scope_exit, Fidelity::kFaithful,
                         "BOOST_SCOPE_EXIT copies the named variable into its capture struct");
#endif
  DEFERLAB_CAPTURE_CELLS(StdFunctionGuardStrategy, capture_size_std_function_guard,
                         Fidelity::kFaithful, kNote);
#if DEFERLAB_HAVE_MOVE_ONLY_FUNCTION
  DEFERLAB_CAPTURE_CELLS(MoveOnlyFunctionGuardStrategy, capture_size_move_only_function_guard,
                         Fidelity::kFaithful, kNote);
#endif
  omit_unavailable(kScenario.name);
  return true;
}();

#undef DEFERLAB_CAPTURE_CELLS

}  // namespace
}  // namespace deferlab::cases
