// JSON text shared by the disasm and diff documents: addresses, escaped strings, and the
// binary's description (disasm_json.h).
#include <cstdio>

#include "common/text_escape.h"
#include "disasm/disasm_json.h"

namespace deferlab::disasm {

std::string hex_address(std::uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  // Most text needs no escape: append runs in one go.
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const unsigned char u = static_cast<unsigned char>(c);
    if (c != '"' && c != '\\' && u >= 0x20 && u < 0x80) continue;
    if (u >= 0x80) {
      // Names in a binary are bytes: what is not UTF-8 becomes U+FFFD, so that the
      // document stays JSON.
      if (const std::size_t length = utf8_sequence_length(text, i); length > 0) {
        i += length - 1;
        continue;
      }
      out.append(text.data() + run, i - run);
      run = i + 1;
      out += "\\ufffd";
      continue;
    }
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        }
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

std::string describe_binary(const ObjectFile& file) {
  std::string out = "{\"path\":";
  append_json_string(out, file.path());
  out += ",\"arch\":";
  append_json_string(out, arch_info(file.arch()).name);
  out += ",\"kind\":";
  append_json_string(out, file.kind());
  out += ",\"build_id\":";
  if (file.build_id().empty()) {
    out += "null";
  } else {
    append_json_string(out, file.build_id());
  }
  out += ",\"has_symbol_table\":";
  out += file.has_symbol_table() ? "true" : "false";
  out += '}';
  return out;
}

}  // namespace deferlab::disasm
