// Tests common/text_escape.cc: hostile names (control bytes, newlines, backticks, pipes,
// markup) come out of every escaper as one line of inert text.
#include "common/text_escape.h"

#include <gtest/gtest.h>

namespace deferlab {
namespace {

TEST(VisibleTextTest, ControlBytesAreShownNotSent) {
  EXPECT_EQ(visible_text("a\x1b[31mb\nc\td\re"), "a\\x1b[31mb\\nc\\td\\re");
  EXPECT_EQ(visible_text(std::string("\0\x7f", 2)), "\\x00\\x7f");
  // C1 controls (U+009B is a one-byte CSI to some terminals) as \u escapes.
  EXPECT_EQ(visible_text("x\xc2\x9b"
                         "2J"),
            "x\\u009b2J");
  // Everything else stays, other UTF-8 included.
  EXPECT_EQ(visible_text("f<int>(\xc3\xa9) | `x`"), "f<int>(\xc3\xa9) | `x`");
}

TEST(HtmlEscapeTest, EscapesMarkup) {
  EXPECT_EQ(html_escape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
  // White space stays; other control bytes are shown, so no page carries an ESC sequence.
  EXPECT_EQ(html_escape("a\tb\nc\x1b[2J\x7f"), "a\tb\nc\\x1b[2J\\x7f");
}

TEST(MarkdownTextTest, NothingIsReadAsMarkup) {
  EXPECT_EQ(markdown_text("a|b`c*d_e[f](g)<h>\\"), "a\\|b\\`c\\*d_e\\[f\\](g)&lt;h&gt;\\\\");
  EXPECT_EQ(markdown_text("line\nbreak"), "line\\\\nbreak");
}

TEST(MarkdownCodeTest, SpansHoldAnyName) {
  EXPECT_EQ(markdown_code("f<int>"), "`f<int>`");
  // A backtick inside: a longer delimiter; at an end: padded.
  EXPECT_EQ(markdown_code("a`b"), "``a`b``");
  EXPECT_EQ(markdown_code("`a"), "`` `a ``");
  EXPECT_EQ(markdown_code("a``"), "``` a`` ```");
  // In a table cell, | is escaped (GitHub splits cells on it even in code spans).
  EXPECT_EQ(markdown_code("a|b"), "`a\\|b`");
  EXPECT_EQ(markdown_code("a|b", false), "`a|b`");
  // One line, always.
  EXPECT_EQ(markdown_code("a\nb"), "`a\\nb`");
  EXPECT_EQ(markdown_code(""), "` `");
}

TEST(MarkdownFenceTest, NoContentClosesTheFence) {
  EXPECT_EQ(markdown_fence("mov eax, 1\n"), "```");
  EXPECT_EQ(markdown_fence("x ``` y"), "````");
  EXPECT_EQ(markdown_fence("`````"), "``````");
}

TEST(Utf8Test, SequenceLengths) {
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\xc3\xa9", 0), 2u);
  EXPECT_EQ(utf8_sequence_length("\xe2\x82\xac", 0), 3u);
  EXPECT_EQ(utf8_sequence_length("\xf0\x9f\x98\x80", 0), 4u);
  EXPECT_EQ(utf8_sequence_length("\xc0\x80", 0), 0u);          // overlong
  EXPECT_EQ(utf8_sequence_length("\xed\xa0\x80", 0), 0u);      // surrogate
  EXPECT_EQ(utf8_sequence_length("\xf4\x90\x80\x80", 0), 0u);  // above U+10FFFF
  EXPECT_EQ(utf8_sequence_length("\xe2\x82", 0), 0u);          // cut short
  EXPECT_EQ(utf8_sequence_length("\x80", 0), 0u);              // a lone continuation
}

}  // namespace
}  // namespace deferlab
