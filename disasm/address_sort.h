// Symbol lists by address. sort_by_address: (address, k) keys sorted by address, ties kept
// in their order, by an LSD radix sort (the symbol indexes sort tens of thousands of keys
// each time a big library is opened for one function; std::sort's comparisons cost several
// times the whole lookup). in_section_containing: the lookup of a list sorted by section
// then address, for every kind of symbol entry.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace deferlab::disasm {

using AddressKey = std::pair<std::uint64_t, std::uint32_t>;

// Requires nothing of `keys`; afterwards they are sorted by .first, and keys with equal
// .first are in the order they had (so keys made in k order end sorted by (address, k)).
inline void sort_by_address(std::vector<AddressKey>& keys) {
  if (keys.size() < 64) {
    std::stable_sort(keys.begin(), keys.end(),
                     [](const AddressKey& a, const AddressKey& b) { return a.first < b.first; });
    return;
  }
  const auto [lo, hi] = std::minmax_element(
      keys.begin(), keys.end(),
      [](const AddressKey& a, const AddressKey& b) { return a.first < b.first; });
  const std::uint64_t base = lo->first;
  const std::uint64_t span = hi->first - base;
  // 11-bit digits: a library's addresses span a few tens of MB, three passes.
  constexpr unsigned kBits = 11;
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  std::vector<AddressKey> other(keys.size());
  std::vector<std::uint32_t> count(kBuckets + 1);
  for (unsigned shift = 0; shift < 64 && (span >> shift) != 0; shift += kBits) {
    std::fill(count.begin(), count.end(), 0);
    for (const AddressKey& k : keys) ++count[((k.first - base) >> shift & (kBuckets - 1)) + 1];
    for (std::size_t b = 1; b <= kBuckets; ++b) count[b] += count[b - 1];
    for (const AddressKey& k : keys) other[count[(k.first - base) >> shift & (kBuckets - 1)]++] = k;
    keys.swap(other);
  }
}

// The last of `sorted`'s entries (anything with .section, .address, .size; sorted by
// section then address) at or below `address` in `section`, when it contains `address`;
// else `sorted.end()`.
template <class Entries>
auto in_section_containing(const Entries& sorted, std::size_t section, std::uint64_t address) {
  const auto it =
      std::upper_bound(sorted.begin(), sorted.end(), std::make_pair(section, address),
                       [](const std::pair<std::size_t, std::uint64_t>& key, const auto& e) {
                         return key < std::pair<std::size_t, std::uint64_t>(e.section, e.address);
                       });
  if (it == sorted.begin()) return sorted.end();
  const auto found = std::prev(it);
  if (found->section != section || address - found->address >= found->size) return sorted.end();
  return found;
}

}  // namespace deferlab::disasm
