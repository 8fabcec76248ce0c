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

DEFERLAB_SOURCE(capture_size)
template <class S, class Data>
DEFERLAB_NOIPA void capture_size(Ledger& ledger, const Data& data) {
  if constexpr (S::kKind == StrategyKind::kChain) {
    typename S::Chain defers;
    acquire(ledger, 0);
    defers.defer(make_cleanup(ledger, data));
  } else if constexpr (S::kKind == StrategyKind::kGuard) {
    acquire(ledger, 0);
    S::with_guard([&]() DEFERLAB_INLINE_LAMBDA { return make_cleanup(ledger, data); },
                  [](auto&) DEFERLAB_INLINE_LAMBDA {});
  } else {
    acquire(ledger, 0);
    release(ledger, id_of(data));
  }
}

}  // namespace hot

namespace {

constexpr ScenarioInfo kScenario{
    "capture_size", 50,
    "one cleanup whose callable captures B bytes (8..32 trivially copyable, a shared_ptr, a "
    "std::string): where std::function's inline buffer ends",
    "24"};

template <std::size_t B>
hot::Words<B> words() {
  hot::Words<B> data{};
  for (std::size_t i = 0; i < data.word.size(); ++i) data.word[i] = i + 1;
  return data;
}

template <class S, class Data>
void add_one(const char* param, int index, nlohmann::json parameters, Data data) {
  Fidelity fidelity = Fidelity::kFaithful;
  std::string notes = "the callable holds the ledger reference and a copy of the data";
  if constexpr (S::kKind == StrategyKind::kManual) {
    fidelity = Fidelity::kClosestForm;
    notes = "closest form: no callable; the cleanup reads the data in place";
  } else if constexpr (SaysWhereTheCallableLives<S>) {
    notes = S::kCallableStorage;
  }
  CaseHeader header{kScenario, StrategyInfo::of<S>(), param,
                    index,     std::move(parameters), hot::capture_size_source,
                    fidelity,  std::move(notes)};
  Outcome expected;
  expected.acquired = 1;
  expected.released = {hot::id_of(data)};
  add_case(make_case<&hot::capture_size<S, Data>>(std::move(header), std::move(expected),
                                                  std::move(data)));
}

// Short enough for the small-string buffer: the capture copies bytes, never allocates.
constexpr const char* kShortName = "deferlab";
const std::shared_ptr<const std::uint32_t> kToken = std::make_shared<const std::uint32_t>(7);

const bool registered = [] {
  for_each_strategy(kScenario, []<class S>() {
    add_one<S>("8", 0, {{"B", 8}, {"capture", "trivial"}}, hot::LedgerOnly{});
    add_one<S>("16", 1, {{"B", 16}, {"capture", "trivial"}}, words<16>());
    add_one<S>("24", 2, {{"B", 24}, {"capture", "trivial"}}, words<24>());
    add_one<S>("32", 3, {{"B", 32}, {"capture", "trivial"}}, words<32>());
    add_one<S>("shared_ptr", 4, {{"B", 24}, {"capture", "shared_ptr"}}, kToken);
    add_one<S>("string", 5, {{"B", 40}, {"capture", "std::string (short)"}},
               std::string(kShortName));
  });
  return true;
}();

}  // namespace
}  // namespace deferlab::cases
