// Internal to disasm_json*.cc: a JSON writer through a raw per-thread buffer, for the
// instruction arrays that make up most of a whole-library listing.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "common/text_escape.h"
#include "disasm/instruction.h"

namespace deferlab::disasm::detail {

// The hex digits of `value`, written backwards ending at `end`; returns the first. By
// hand, as snprintf costs more than the rest of an instruction.
inline char* hex_digits(std::uint64_t value, char* end) {
  static constexpr char kDigits[] = "0123456789abcdef";
  char* p = end;
  do {
    *--p = kDigits[value & 15];
    value >>= 4;
  } while (value != 0);
  return p;
}

// Writes JSON through a plain pointer into a per-thread scratch buffer whose room was made
// beforehand (ensure()), then appends it to the string at finish(): a listing of a big
// library is a few GB of JSON, and the capacity check and call of each `out += piece` cost
// more than the text itself. (Growing the string itself instead would zero-fill it first.)
class RawWriter {
 public:
  explicit RawWriter(std::string& out) : out_(out) {}
  RawWriter(const RawWriter&) = delete;
  RawWriter& operator=(const RawWriter&) = delete;

  // Room for `n` more bytes.
  void ensure(std::size_t n) {
    Scratch& s = s_;
    if (s.capacity - pos_ >= n) return;
    const std::size_t capacity = std::max(2 * s.capacity, pos_ + n);
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (pos_ > 0) std::memcpy(bigger.get(), s.data.get(), pos_);
    s.data = std::move(bigger);
    s.capacity = capacity;
  }
  // Appends what was written to the string; the writer can carry on after it.
  void finish() {
    out_.append(s_.data.get(), pos_);
    pos_ = 0;
  }

  template <std::size_t N>
  void literal(const char (&text)[N]) {
    std::memcpy(at(), text, N - 1);
    pos_ += N - 1;
  }
  void put(char c) {
    *at() = c;
    ++pos_;
  }
  void hex(std::uint64_t value) {  // "0x1a2b" in quotes
    char text[20];
    char* const end = text + sizeof text;
    const char* p = hex_digits(value, end);
    literal("\"0x");
    raw(p, static_cast<std::size_t>(end - p));
    put('"');
  }
  void number(std::int64_t value) {
    char* p = at();
    pos_ += static_cast<std::size_t>(std::to_chars(p, p + 24, value).ptr - p);
  }
  void bytes(const Instruction& insn) {
    static constexpr char kHex[] = "0123456789abcdef";
    char* p = at();
    *p++ = '"';
    for (std::uint8_t i = 0; i < insn.size; ++i) {
      if (i > 0) *p++ = ' ';
      *p++ = kHex[insn.bytes[i] >> 4];
      *p++ = kHex[insn.bytes[i] & 15];
    }
    *p++ = '"';
    pos_ = static_cast<std::size_t>(p - base());
  }
  // A JSON string, escaped as append_json_string() does. Needs 6 bytes of room per byte
  // of text, plus 2.
  void string(std::string_view text) {
    char* p = at();
    *p++ = '"';
    // Most text needs no escaping (mnemonics, operands, names): copied whole once a word-wise
    // look finds nothing to take care of, the tail as one word padded with spaces.
    if (plain(text)) {
      std::memcpy(p, text.data(), text.size());
      p += text.size();
    } else {
      for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const unsigned char u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x80 && c != '"' && c != '\\') {
          *p++ = c;
          continue;
        }
        pos_ = static_cast<std::size_t>(p - base());
        escape(text, i);
        p = at();
      }
    }
    *p++ = '"';
    pos_ = static_cast<std::size_t>(p - base());
  }
  // Bound on what string() writes for `text`.
  static std::size_t room_for(std::string_view text) { return 6 * text.size() + 2; }

 private:
  struct Scratch {
    std::unique_ptr<char[]> data;
    std::size_t capacity = 0;
  };
  // One per thread, kept: --all writes a hundred thousand functions on every core.
  static Scratch& scratch() {
    thread_local Scratch s;
    return s;
  }
  char* base() const { return s_.data.get(); }
  char* at() const { return base() + pos_; }

  // Whether any byte of `word` is not plain printable ASCII for a JSON string: a control
  // character, a byte >= 0x80, '"' or '\\' (each test is exact for "any byte").
  static bool needs_care(std::uint64_t word) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
    const auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHigh; };
    const std::uint64_t below_space = (word - 0x20 * kOnes) & ~word & kHigh;
    return ((word & kHigh) | below_space | has_zero(word ^ ('"' * kOnes)) |
            has_zero(word ^ ('\\' * kOnes))) != 0;
  }

  // Whether no byte of `text` needs care.
  static bool plain(std::string_view text) {
    std::size_t i = 0;
    for (; i + 8 <= text.size(); i += 8) {
      std::uint64_t word;
      std::memcpy(&word, text.data() + i, sizeof word);
      if (needs_care(word)) return false;
    }
    if (i == text.size()) return true;
    std::uint64_t tail = 0x2020202020202020ULL;  // spaces need no care
    std::memcpy(&tail, text.data() + i, text.size() - i);
    return !needs_care(tail);
  }

  void raw(const char* text, std::size_t n) {
    std::memcpy(at(), text, n);
    pos_ += n;
  }
  // The byte at text[i] needs care: UTF-8 is copied whole, anything else escaped. Moves `i`
  // to the sequence's last byte.
  void escape(std::string_view text, std::size_t& i) {
    const char c = text[i];
    const unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      // Names in a binary are bytes: what is not UTF-8 becomes U+FFFD (6 bytes for 1).
      if (const std::size_t length = utf8_sequence_length(text, i); length > 0) {
        raw(text.data() + i, length);
        i += length - 1;
      } else {
        literal("\\ufffd");
      }
      return;
    }
    switch (c) {
      case '"':
        literal("\\\"");
        break;
      case '\\':
        literal("\\\\");
        break;
      case '\n':
        literal("\\n");
        break;
      case '\r':
        literal("\\r");
        break;
      case '\t':
        literal("\\t");
        break;
      default: {
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(u));
        raw(escaped, 6);
      }
    }
  }

  std::string& out_;
  Scratch& s_ = scratch();
  std::size_t pos_ = 0;
};

}  // namespace deferlab::disasm::detail
