// The callgrind format reader (see callgrind_parser.h). Relative subpositions follow what
// callgrind writes (valgrind's callgrind/dump.c): "+N", "-N" and "*" are relative to the
// last regular cost line; the position lines of calls= and jump= do not move that base.
#include "harness/callgrind_parser.h"

#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include "common/error.h"
#include "harness/callgrind_names.h"

namespace deferlab::harness {
namespace {

using callgrind_detail::BadLine;
using callgrind_detail::NameTables;
using callgrind_detail::parse_number;
using callgrind_detail::tokens_of;
using callgrind_detail::trim;

// Longer lines are not callgrind output (its longest are demangled C++ names).
constexpr std::size_t kMaxLineBytes = 1 << 20;

enum class Column { kInstr, kBb, kLine };

class Parser {
 public:
  Parser(const std::string& source, CallgrindNames& names, const CallgrindPartHandler& on_part)
      : source_(source), names_(names), on_part_(on_part), tables_(names) {}

  void feed(std::string_view line) {
    try {
      feed_line(line);
    } catch (const BadLine& bad) {
      fail(bad.what);
    }
  }

  void finish() {
    if (pending_position_ != Pending::kNone) fail("the file ends after calls= or jump=");
    if (names_.events.empty()) fail("no events: line, so this is not callgrind output");
    if (declared_) emit();
  }

  // Called instead of feed() for a line that is too long to be callgrind output.
  [[noreturn]] void too_long() {
    ++line_number_;
    fail("a line longer than 1 MiB");
  }

 private:
  using Kind = NameTables::Kind;

  enum class Pending { kNone, kCall, kJump };

  // One line: a header, a specification, a cost line or the position line of a call.
  void feed_line(std::string_view line) {
    ++line_number_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (pending_position_ != Pending::kNone) return position_line(line);
    if (trim(line).empty() || line.front() == '#') return;
    const char c = line.front();
    if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '*') return cost_line(line);
    std::size_t key_end = 0;
    while (key_end < line.size() && ((line[key_end] >= 'a' && line[key_end] <= 'z') ||
                                     (line[key_end] >= 'A' && line[key_end] <= 'Z'))) {
      ++key_end;
    }
    if (key_end == 0 || key_end == line.size()) fail("not a callgrind line");
    const std::string_view key = line.substr(0, key_end);
    if (line[key_end] == '=') return specification(key, line.substr(key_end + 1));
    if (line[key_end] == ':') return header(key, trim(line.substr(key_end + 1)));
    fail("not a callgrind line");
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(what, source_ + ":" + std::to_string(line_number_),
                "pass a file written by valgrind --tool=callgrind");
  }

  // Header lines ("key: value").
  void header(std::string_view key, std::string_view value) {
    if (key == "version") {
      if (value != "1") fail("unsupported callgrind format version '" + std::string(value) + "'");
    } else if (key == "part") {
      if (declared_) emit();
      const std::optional<std::uint64_t> n = parse_number(value);
      if (!n || *n > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
        fail("bad part number");
      }
      part_.number = static_cast<int>(*n);
      declared_ = true;
    } else if (key == "positions") {
      positions(value);
    } else if (key == "events") {
      events(value);
    } else if (key == "desc") {
      constexpr std::string_view kTrigger = "Trigger:";
      if (value.substr(0, kTrigger.size()) == kTrigger) {
        part_.trigger = std::string(trim(value.substr(kTrigger.size())));
        declared_ = true;
      }
    }
    // creator, pid, cmd, thread, summary, totals, event and unknown keys carry nothing
    // the profile uses; the specification says unknown descriptions are ignored.
  }

  void positions(std::string_view value) {
    std::vector<Column> columns;
    for (const std::string_view t : tokens_of(value)) {
      if (t == "instr") {
        columns.push_back(Column::kInstr);
      } else if (t == "bb") {
        columns.push_back(Column::kBb);
      } else if (t == "line") {
        columns.push_back(Column::kLine);
      } else {
        fail("unknown position kind '" + std::string(t) + "'");
      }
    }
    if (columns.empty()) fail("positions: names no position kind");
    columns_ = std::move(columns);
    last_.assign(columns_.size(), 0);
    names_.has_addresses = columns_.front() == Column::kInstr;
  }

  void events(std::string_view value) {
    std::vector<std::string> events;
    for (const std::string_view t : tokens_of(value)) events.emplace_back(t);
    if (events.empty()) fail("events: names no event");
    if (!names_.events.empty() && names_.events != events) {
      fail("a part counts other events than the first part");
    }
    names_.events = std::move(events);
    declared_ = true;
  }

  // Position specifications ("key=value") and the calls= / jump= lines.
  void specification(std::string_view key, std::string_view value) {
    if (key == "ob") {
      object_ = tables_.object_index(tables_.compressed(value, Kind::kObject));
    } else if (key == "cob") {
      called_object_ = tables_.object_index(tables_.compressed(value, Kind::kObject));
    } else if (key == "fn") {
      function_ = tables_.function_index(object_, tables_.compressed(value, Kind::kFunction));
    } else if (key == "cfn") {
      called_function_name_ = tables_.compressed(value, Kind::kFunction);
    } else if (key == "jfn" || key == "frfn") {
      tables_.compressed(value, Kind::kFunction);  // defines ids later lines may use
    } else if (key == "fl" || key == "fi" || key == "fe" || key == "cfi" || key == "cfl" ||
               key == "jfi") {
      tables_.compressed(value, Kind::kFile);
    } else if (key == "calls") {
      calls(value);
    } else if (key == "jump" || key == "jcnd") {
      jump(key, value);
    } else if (key == "rec") {
      if (!parse_number(trim(value))) fail("bad rec= number");
    } else {
      fail("unknown specification '" + std::string(key) + "='");
    }
  }

  void calls(std::string_view value) {
    const std::vector<std::string_view> t = tokens_of(value);
    if (t.empty()) fail("calls= without a count");
    const std::optional<std::uint64_t> count = parse_number(t[0]);
    if (!count) fail("bad call count '" + std::string(t[0]) + "'");
    if (!called_function_name_) fail("calls= without a cfn= before it");
    subpositions({t.begin() + 1, t.end()}, "calls= target");
    pending_call_ = CallArc{function(), 0, 0, *count};
    pending_call_.callee =
        tables_.function_index(called_object_.value_or(object_), *called_function_name_);
    pending_position_ = Pending::kCall;
  }

  void jump(std::string_view key, std::string_view value) {
    const std::vector<std::string_view> t = tokens_of(value);
    if (t.empty()) fail(std::string(key) + "= without a count");
    std::string_view counts = t[0];
    if (key == "jcnd") {
      const std::size_t slash = counts.find('/');
      if (slash == std::string_view::npos || !parse_number(counts.substr(0, slash)) ||
          !parse_number(counts.substr(slash + 1))) {
        fail("bad jcnd= counts");
      }
    } else if (!parse_number(counts)) {
      fail("bad jump= count");
    }
    subpositions({t.begin() + 1, t.end()}, std::string(key) + "= target");
    pending_position_ = Pending::kJump;
  }

  std::uint32_t function() const {
    if (!function_) fail("a cost line before any fn=");
    return *function_;
  }

  // Reads the subposition tokens of a position list; returns the absolute values.
  std::vector<std::uint64_t> subpositions(std::span<const std::string_view> t,
                                          const std::string& what) {
    if (columns_.empty()) {  // no positions: line means "positions: line"
      columns_ = {Column::kLine};
      last_.assign(1, 0);
    }
    if (t.size() < columns_.size()) fail(what + " has fewer positions than positions: names");
    std::vector<std::uint64_t> out(columns_.size());
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      const std::string_view s = t[i];
      std::optional<std::uint64_t> value;
      if (s == "*") {
        value = last_[i];
      } else if (s[0] == '+' || s[0] == '-') {
        const std::optional<std::uint64_t> diff = parse_number(s.substr(1));
        std::uint64_t result = 0;
        if (diff && s[0] == '+' && !__builtin_add_overflow(last_[i], *diff, &result))
          value = result;
        if (diff && s[0] == '-' && *diff <= last_[i]) value = last_[i] - *diff;
      } else {
        value = parse_number(s);
      }
      if (!value) fail("bad position '" + std::string(s) + "' in " + what);
      out[i] = *value;
    }
    return out;
  }

  void position_line(std::string_view line) {
    const Pending pending = std::exchange(pending_position_, Pending::kNone);
    const std::vector<std::string_view> t = tokens_of(line);
    const std::vector<std::uint64_t> where =
        subpositions(t, pending == Pending::kCall ? "the line after calls=" : "a jump line");
    const std::size_t cost_count = t.size() - columns_.size();
    if (pending == Pending::kJump) {
      if (cost_count != 0) fail("costs on the line after jump=");
      return;
    }
    read_costs({t.begin() + columns_.size(), t.end()}, nullptr);
    pending_call_.address = address_of(where);
    part_.calls.push_back(pending_call_);
    called_object_.reset();
    called_function_name_.reset();
  }

  void cost_line(std::string_view line) {
    if (names_.events.empty()) fail("a cost line before the events: line");
    const std::vector<std::string_view> t = tokens_of(line);
    const std::vector<std::uint64_t> where = subpositions(t, "a cost line");
    CostLine cost{function(), address_of(where), part_.costs.size()};
    part_.costs.resize(part_.costs.size() + names_.events.size(), 0);
    read_costs({t.begin() + columns_.size(), t.end()}, &part_.costs[cost.costs]);
    part_.lines.push_back(cost);
    last_ = where;
    declared_ = true;
  }

  // Checks the cost numbers and, when `into` is set, stores them and adds them up.
  void read_costs(std::span<const std::string_view> t, std::uint64_t* into) {
    if (t.size() > names_.events.size()) fail("more costs than events");
    if (part_.totals.size() != names_.events.size()) part_.totals.assign(names_.events.size(), 0);
    for (std::size_t i = 0; i < t.size(); ++i) {
      const std::optional<std::uint64_t> value = parse_number(t[i]);
      if (!value) fail("bad cost '" + std::string(t[i]) + "'");
      if (into == nullptr) continue;
      into[i] = *value;
      if (__builtin_add_overflow(part_.totals[i], *value, &part_.totals[i])) {
        fail("a part's total cost overflows 64 bits");
      }
    }
  }

  std::uint64_t address_of(const std::vector<std::uint64_t>& where) const {
    return columns_.front() == Column::kInstr ? where.front() : 0;
  }

  void emit() {
    if (part_.number == 0) part_.number = emitted_ + 1;
    if (part_.totals.size() != names_.events.size()) part_.totals.assign(names_.events.size(), 0);
    ++emitted_;
    CallgrindPart done = std::exchange(part_, CallgrindPart{});
    declared_ = false;
    // Callgrind starts every dump from scratch: absolute positions, names restated.
    last_.assign(columns_.size(), 0);
    object_ = 0;
    function_.reset();
    on_part_(std::move(done));
  }

  const std::string& source_;
  CallgrindNames& names_;
  const CallgrindPartHandler& on_part_;
  std::size_t line_number_ = 0;
  int emitted_ = 0;

  CallgrindPart part_;
  bool declared_ = false;
  std::vector<Column> columns_;
  std::vector<std::uint64_t> last_;

  NameTables tables_;

  std::uint32_t object_ = 0;
  std::optional<std::uint32_t> function_;
  std::optional<std::uint32_t> called_object_;
  std::optional<std::string> called_function_name_;
  Pending pending_position_ = Pending::kNone;
  CallArc pending_call_;
};

}  // namespace

void parse_callgrind(std::istream& in, const std::string& source, CallgrindNames& names,
                     const CallgrindPartHandler& on_part) {
  Parser parser(source, names, on_part);
  // Lines are split here rather than with std::getline so that one huge line cannot make
  // us hold the whole file.
  std::string line;
  std::vector<char> buffer(1 << 16);
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
    const std::size_t got = static_cast<std::size_t>(in.gcount());
    for (std::size_t i = 0; i < got; ++i) {
      if (buffer[i] == '\n') {
        parser.feed(line);
        line.clear();
      } else {
        if (line.size() >= kMaxLineBytes) parser.too_long();
        line += buffer[i];
      }
    }
  }
  if (in.bad()) throw Error("cannot read the file", source);
  if (!line.empty()) parser.feed(line);
  parser.finish();
}

std::size_t event_index(const CallgrindNames& names, const std::string& name) {
  for (std::size_t i = 0; i < names.events.size(); ++i) {
    if (names.events[i] == name) return i;
  }
  return names.events.size();
}

}  // namespace deferlab::harness
