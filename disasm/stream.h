// Every function of a binary as NDJSON (one deferlab.disasm/1 document per line), decoded
// on every core, written in address order with bounded memory, whatever the size of the
// binary: at most `window` items are in flight, an item's text reaches the writer in chunks
// as it is made (an unnamed stretch can be tens of MB of code), and the code the writer has
// passed is released (ObjectFile::release_code).
//
//   stream_all_functions(*file, options, [&](std::string_view line) { fwrite(...); });
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "disasm/annotate.h"
#include "disasm/decoder.h"

namespace deferlab::disasm {

struct StreamOptions {
  Syntax syntax = Syntax::kIntel;
  AllocNames names = AllocNames::defaults();
  bool lines = true;       // source lines from DWARF, when present
  unsigned jobs = 0;       // 0: one per core this process may use (its affinity mask)
  std::size_t window = 0;  // items in flight; 0: 256 per job
  // Bytes of finished text that may wait for the writer before workers wait; 0: 8 MiB.
  // The head item's worker never waits, so any budget (even 1) makes progress.
  std::size_t text_budget = 0;
  // An item's text goes to the writer in chunks of about this many bytes; 0: 256 KiB.
  std::size_t chunk_bytes = 0;
};

struct StreamStats {
  std::size_t functions = 0;  // records written
  std::size_t instructions = 0;
  std::uint64_t bytes = 0;  // code bytes covered
  // Pieces of unnamed stretches annotated by another worker than the one that cut them.
  std::size_t helped = 0;
};

// Called from the calling thread after each item is written, with the totals so far and
// the code bytes of the whole listing (a caller shows progress; it must not throw).
using StreamProgress = std::function<void(const StreamStats& so_far, std::uint64_t total_bytes)>;

// Calls `sink` with each line (newline included), in address order, from the calling
// thread. An exception from a worker or from `sink` stops the stream: every worker is
// joined, then the first exception is rethrown here.
StreamStats stream_all_functions(const ObjectFile& file, const StreamOptions& options,
                                 const std::function<void(std::string_view)>& sink,
                                 const StreamProgress& progress = {});

}  // namespace deferlab::disasm
