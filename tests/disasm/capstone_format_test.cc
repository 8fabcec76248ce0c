// capstone_vsnprintf() against the C library's vsnprintf(), on the formats Capstone 4
// prints operands with (collected by logging its calls over libstdc++ in both syntaxes and
// the AArch64 libc) and on the edges: extreme values, long strings, every buffer size
// around the text's length, and forms it must hand back (flags, width, precision).
#include "disasm/capstone_format.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <vector>

namespace deferlab::disasm {
namespace {

struct Result {
  int returned = 0;
  std::string written;  // the buffer up to its first NUL, or "<untouched>"
  bool operator==(const Result&) const = default;
};

// Formats with `fast` (capstone_vsnprintf) or the C library into a buffer of `size`.
Result format_with(bool fast, std::size_t size, const char* format, ...) {
  std::vector<char> buffer(size + 1, '\x7f');
  va_list args;
  va_start(args, format);
  Result r;
  r.returned = fast ? capstone_vsnprintf(buffer.data(), size, format, args)
                    : std::vsnprintf(buffer.data(), size, format, args);
  va_end(args);
  r.written =
      size == 0 ? (buffer[0] == '\x7f' ? "<untouched>" : "<written>") : std::string(buffer.data());
  return r;
}

// Both ways, at every size from 0 to past the text's length, with the same arguments.
#define EXPECT_SAME_TEXT(format, ...)                                                     \
  do {                                                                                    \
    const int length = std::snprintf(nullptr, 0, format __VA_OPT__(, ) __VA_ARGS__);      \
    for (std::size_t size = 0; size <= static_cast<std::size_t>(length) + 2; ++size) {    \
      EXPECT_EQ(format_with(true, size, format __VA_OPT__(, ) __VA_ARGS__),               \
                format_with(false, size, format __VA_OPT__(, ) __VA_ARGS__))              \
          << format << " size " << size;                                                  \
    }                                                                                     \
    EXPECT_EQ(format_with(true, 512, format __VA_OPT__(, ) __VA_ARGS__).returned, length) \
        << format;                                                                        \
  } while (false)

void PrintTo(const Result& r, std::ostream* os) {
  *os << r.returned << " \"" << r.written << '"';
}

TEST(CapstoneFormatTest, UnsignedForms) {
  for (unsigned long v : {0ul, 1ul, 9ul, 10ul, 15ul, 16ul, 255ul, 0x7fffffffful, ULONG_MAX}) {
    EXPECT_SAME_TEXT("0x%lx", v);
    EXPECT_SAME_TEXT("$0x%lx", v);
    EXPECT_SAME_TEXT("-0x%lx", v);
    EXPECT_SAME_TEXT("#0x%lx", v);
    EXPECT_SAME_TEXT("%lu", v);
    EXPECT_SAME_TEXT("$-%lu", v);
    EXPECT_SAME_TEXT("#-%lu", v);
    EXPECT_SAME_TEXT("%llx", static_cast<unsigned long long>(v));
    EXPECT_SAME_TEXT("%llu", static_cast<unsigned long long>(v));
  }
  for (unsigned v : {0u, 7u, 10u, 0xffu, 0x8000u, UINT_MAX}) {
    EXPECT_SAME_TEXT("#%u", v);
    EXPECT_SAME_TEXT("0x%x", v);
    EXPECT_SAME_TEXT("#0x%x", v);
    EXPECT_SAME_TEXT("*%u", v);
    EXPECT_SAME_TEXT(", %u", v);
    EXPECT_SAME_TEXT(" #%u", v);
    EXPECT_SAME_TEXT("c%u", v);
  }
}

TEST(CapstoneFormatTest, SignedForms) {
  for (int v : {0, 1, -1, 9, -10, INT_MAX, INT_MIN}) {
    EXPECT_SAME_TEXT("%d", v);
    EXPECT_SAME_TEXT("#%i", v);
  }
  for (long v : {0l, -1l, 123456789012l, LONG_MAX, LONG_MIN}) {
    EXPECT_SAME_TEXT("%ld", v);
    EXPECT_SAME_TEXT("[%li]", v);
  }
  for (long long v : {0ll, -5ll, LLONG_MAX, LLONG_MIN}) EXPECT_SAME_TEXT("%lld", v);
}

TEST(CapstoneFormatTest, StringsCharactersAndPercent) {
  EXPECT_SAME_TEXT("%%%s", "rax");
  EXPECT_SAME_TEXT("%s\t%s, %s", "bfi", "w0", "w1");
  EXPECT_SAME_TEXT("%s%s", "", "");
  EXPECT_SAME_TEXT(".%c", 'b');
  EXPECT_SAME_TEXT("%cxt%c", 'u', 'w');
  EXPECT_SAME_TEXT(".%u%c", 16u, 'b');
  EXPECT_SAME_TEXT("%c", 0);  // a NUL character: counted, and the text ends there
  EXPECT_SAME_TEXT("%c", 200);
  EXPECT_SAME_TEXT("lock|%s", "");
  EXPECT_SAME_TEXT("100%%");
  const std::string long_text(300, 'r');  // more than the fast path holds
  EXPECT_SAME_TEXT("%s", long_text.c_str());
  EXPECT_SAME_TEXT("%s, 0x%lx", long_text.c_str() + 100, 0xffffffffffffffff);
}

TEST(CapstoneFormatTest, OtherFormsAreTheCLibrarys) {
  EXPECT_SAME_TEXT("#%#016llx", 0x1234ull);
  EXPECT_SAME_TEXT("#%#llx", 0xfedcba9876543210ull);
  EXPECT_SAME_TEXT("#%.8f", 1.5);
  EXPECT_SAME_TEXT("%02x", 7u);
  EXPECT_SAME_TEXT("%X", 0xabcu);
  EXPECT_SAME_TEXT("%hu", 70000);
  EXPECT_SAME_TEXT("%zu", static_cast<std::size_t>(42));
  EXPECT_SAME_TEXT("%-5d|", 3);
}

}  // namespace
}  // namespace deferlab::disasm
