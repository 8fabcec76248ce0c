// Capstone's text formatting, faster: Capstone 4 prints every number of an operand (and,
// in AT&T syntax, every register) through vsnprintf(), whose general machinery cost more
// than a tenth of the decoder's time on a whole library. Capstone lets its vsnprintf be
// replaced (CS_OPT_MEM); this one writes the few plain forms Capstone uses ("0x%lx",
// "#%u", "%%%s", "%c", ...) itself and hands everything else to the C library's.
//
//   use_fast_capstone_format();  // once, before the first cs_open (Decoder does it)
#pragma once

#include <cstdarg>
#include <cstddef>

namespace deferlab::disasm {

// vsnprintf()'s contract, byte for byte: the text of `format` with `args` (at most `size`
// bytes written, the last a terminating NUL) and its full length. Plain conversions (%s,
// %c, %d, %i, %u, %x with l or ll and no flags, width or precision) and %% are written
// here; a format with anything else, or text that does not fit `size`, goes to the C
// library's vsnprintf().
int capstone_vsnprintf(char* out, std::size_t size, const char* format, va_list args);

// Makes Capstone format through capstone_vsnprintf(), with the C library's allocator; for
// the whole process (Capstone keeps it in globals), once. Thread-safe.
void use_fast_capstone_format();

}  // namespace deferlab::disasm
