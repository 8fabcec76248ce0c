// Escaping of text that comes from files and binaries (benchmark names, symbols, operands,
// context strings) for every output format, in one place: a name may hold control bytes,
// newlines, backticks, pipes or '<', and must neither break a table or a code span nor send
// an escape sequence to a terminal.
//
//   out += "| " + markdown_code(name) + " | " + markdown_text(note) + " |\n";
//   std::fputs(visible_text(name).c_str(), stdout);  // ESC shows as \x1b
#pragma once

#include <string>
#include <string_view>

namespace deferlab {

// For terminals and plain text: C0 control bytes and DEL as \n, \r, \t or \xHH; the C1
// controls (U+0080..U+009F, which some terminals obey like ESC [) as \u0080..\u009f. The
// result holds no control character, so it is one line and cannot move the cursor.
// Everything else, other UTF-8 included, is kept.
std::string visible_text(std::string_view text);

// For HTML content and attribute values: < > & " ' escaped; control bytes other than tab,
// newline and carriage return (which HTML reads as white space) shown as \xHH, as in
// visible_text. HTML inside Markdown must use visible_text first: there a blank line ends
// the HTML block.
std::string html_escape(std::string_view text);

// For Markdown inline text and table cells: visible_text, then \ ` * [ ] | escaped with a
// backslash and < > as entities, so nothing in a name is read as markup, HTML or a cell
// boundary. '_' stays (C++ names are full of it, and GitHub never reads an underscore
// inside a word as emphasis).
std::string markdown_text(std::string_view text);

// A Markdown code span holding `text` verbatim (after visible_text): delimited by more
// backticks than the longest run inside it, padded with a space when it starts or ends with
// one. In a table cell | becomes \| (GitHub splits cells on | even inside code spans, and
// shows \| there as |); elsewhere it stays.
std::string markdown_code(std::string_view text, bool table_cell = true);

// The length of the well-formed UTF-8 sequence starting at text[i] (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF; 1 for ASCII), or 0 when the bytes there
// are not one. JSON writers and readers replace such bytes with U+FFFD.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

// The fence for a fenced code block around `content`: ``` or, when the content holds a run
// of three or more backticks, one backtick more than the longest run.
std::string markdown_fence(std::string_view content);

}  // namespace deferlab
