// The deferlab.disasm/1 JSON of annotated functions, written straight into a string: the
// --all stream of a 50 MB .text goes through here, so no DOM is built on the way.
//
//   std::string out;
//   write_disasm_document(out, describe_binary(*file), syntax, functions, nullptr);
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "common/json_reader.h"
#include "disasm/annotate.h"
#include "disasm/decoder.h"
#include "disasm/source_cache.h"

namespace deferlab::disasm {

// {"path", "arch", "kind", "build_id", "has_symbol_table"} as a JSON object text.
std::string describe_binary(const ObjectFile& file);

// Appends one function object. With `sources`, adds the text of every source line the
// function's instructions come from ("source_lines").
void write_function_json(std::string& out, const AnnotatedFunction& f, SourceCache* sources);

// Appends a whole document: {"schema": "deferlab.disasm/1", "binary", "syntax", "functions"}.
void write_disasm_document(std::string& out, const std::string& binary_json, Syntax syntax,
                           std::span<const AnnotatedFunction> functions, SourceCache* sources);

// Appends a Summary as a JSON object (the "summary" of a function).
void append_summary_json(std::string& out, const Summary& summary);

// Appends `text` as a JSON string literal.
void append_json_string(std::string& out, std::string_view text);

// Reads functions back from a deferlab.disasm/1 document (for diffing saved results).
// Every field is checked: Error naming the file and the JSON path when the document is
// not one, a field has another type, or a value is out of bounds (counts up to 2^40, loop
// depths up to 1024, at most 16 bytes an instruction). Blocks and loops are not read back.
std::vector<AnnotatedFunction> read_disasm_document(const json::Node& document);

// The architecture name the document's "binary" gives ("x86-64" when it gives none).
std::string read_disasm_arch(const json::Node& document);

std::string hex_address(std::uint64_t value);

}  // namespace deferlab::disasm
