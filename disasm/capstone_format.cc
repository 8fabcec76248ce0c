// Capstone's text formatting, faster (capstone_format.h).
#include "disasm/capstone_format.h"

#include <capstone/capstone.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace deferlab::disasm {
namespace {

// Room for what Capstone formats in one call: a few numbers and register names.
constexpr std::size_t kRoom = 256;

// Appends `value` in base 10 or 16 (lowercase) at out[n...]; false when it does not fit.
// The base a constant: a division by a variable costs tens of cycles a digit.
template <unsigned kBase>
bool put_unsigned(char* out, std::size_t& n, unsigned long long value) {
  char digits[24];
  std::size_t k = 0;
  do {
    const auto d = static_cast<unsigned>(value % kBase);
    digits[k++] = static_cast<char>(d < 10 ? '0' + d : 'a' + (d - 10));
    value /= kBase;
  } while (value != 0);
  if (n + k > kRoom) return false;
  while (k > 0) out[n++] = digits[--k];
  return true;
}

}  // namespace

int capstone_vsnprintf(char* out, std::size_t size, const char* format, va_list args) {
  char text[kRoom];
  std::size_t n = 0;
  va_list ap;
  va_copy(ap, args);  // `args` stays whole for the C library, should this give up
  bool plain = true;
  for (const char* p = format; plain && *p != '\0'; ++p) {
    if (*p != '%') {
      if (n == kRoom)
        plain = false;
      else
        text[n++] = *p;
      continue;
    }
    ++p;
    int longs = 0;
    while (*p == 'l' && longs < 2) {
      ++longs;
      ++p;
    }
    switch (*p) {
      case '%':
        if (longs != 0 || n == kRoom)
          plain = false;
        else
          text[n++] = '%';
        break;
      case 'c':
        if (longs != 0 || n == kRoom)
          plain = false;
        else
          text[n++] = static_cast<char>(static_cast<unsigned char>(va_arg(ap, int)));
        break;
      case 's': {
        const char* s = longs == 0 ? va_arg(ap, const char*) : nullptr;
        const std::size_t length = s != nullptr ? std::strlen(s) : 0;
        if (s == nullptr || n + length > kRoom) {
          plain = false;  // "%ls", NULL ("(null)"), or too long
        } else {
          std::memcpy(text + n, s, length);
          n += length;
        }
        break;
      }
      case 'u':
      case 'x': {
        const unsigned long long value = longs == 0   ? va_arg(ap, unsigned)
                                         : longs == 1 ? va_arg(ap, unsigned long)
                                                      : va_arg(ap, unsigned long long);
        plain = *p == 'x' ? put_unsigned<16>(text, n, value) : put_unsigned<10>(text, n, value);
        break;
      }
      case 'd':
      case 'i': {
        const long long value = longs == 0   ? va_arg(ap, int)
                                : longs == 1 ? va_arg(ap, long)
                                             : va_arg(ap, long long);
        // The magnitude as unsigned: -LLONG_MIN does not fit a long long.
        const unsigned long long magnitude = value < 0
                                                 ? 0ull - static_cast<unsigned long long>(value)
                                                 : static_cast<unsigned long long>(value);
        if (value < 0) {
          if (n == kRoom) {
            plain = false;
            break;
          }
          text[n++] = '-';
        }
        plain = put_unsigned<10>(text, n, magnitude);
        break;
      }
      default:  // flags, width, precision, h, z, X, o, f, p, '\0' after '%': not ours
        plain = false;
        break;
    }
  }
  va_end(ap);
  if (!plain || n >= size) return std::vsnprintf(out, size, format, args);
  std::memcpy(out, text, n);
  out[n] = '\0';
  return static_cast<int>(n);
}

void use_fast_capstone_format() {
  static std::once_flag once;
  std::call_once(once, [] {
    static cs_opt_mem mem{std::malloc, std::calloc, std::realloc, std::free, capstone_vsnprintf};
    cs_option(0, CS_OPT_MEM, reinterpret_cast<std::size_t>(&mem));
  });
}

}  // namespace deferlab::disasm
