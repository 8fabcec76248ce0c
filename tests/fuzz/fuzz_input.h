// What the libFuzzer targets of tests/fuzz share: an input made of several documents (a
// compare input is a BASE and a HEAD bench.json, then a cases.json and a disasm.json), and
// the structure-aware mutator of JSON inputs (json_mutator.cc).
//
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//     const std::vector<std::string_view> parts = split_documents(data, size);
//     ...
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace deferlab::fuzz {

// The line between documents of one input. The seed script (make_seeds.py) writes it too.
inline constexpr std::string_view kSeparator = "\n--8<-- deferlab-fuzz --8<--\n";

// The documents of an input, in order (one when it has no separator).
std::vector<std::string_view> split_documents(const std::uint8_t* data, std::size_t size);

// Rewrites the input in place, at most max_size bytes, and returns its new size: half the
// time one JSON document of it gets a structural mutation (a value replaced by an edge case
// of its type, another type, a bare NaN or Infinity as Google Benchmark writes them, a
// member removed or borrowed from elsewhere in the document, an element repeated, a value
// nested deeper), the other half libFuzzer's own byte mutations.
std::size_t mutate_json_input(std::uint8_t* data, std::size_t size, std::size_t max_size,
                              unsigned seed);

}  // namespace deferlab::fuzz

// Every JSON target defines libFuzzer's custom mutator through this.
#define DEFERLAB_FUZZ_JSON_MUTATOR                                                        \
  extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, \
                                            unsigned int seed) {                         \
    return ::deferlab::fuzz::mutate_json_input(data, size, max_size, seed);              \
  }
