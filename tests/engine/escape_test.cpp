// hinge/escape.hpp: any user text, escaped, is safe in XML/HTML, JSON and a terminal.
#include <catch2/catch.hpp>

#include "hinge/escape.hpp"

using hinge::json_quote;
using hinge::terminal_escape;
using hinge::terminal_line;
using hinge::xml_escape;

TEST_CASE("xml_escape makes any text safe", "[escape]") {
  CHECK(xml_escape("a & <b> \"c\" 'd'") == "a &amp; &lt;b&gt; &quot;c&quot; &apos;d&apos;");
  CHECK(xml_escape("x\x01y\tz\n") == "x y\tz\n");                 // tab and newline are valid XML
  CHECK(xml_escape("caf\xC3\xA9") == "caf\xC3\xA9");              // valid UTF-8 kept
  CHECK(xml_escape("bad \xFF byte") == "bad \xEF\xBF\xBD byte");  // U+FFFD
  CHECK(xml_escape("cut \xC3") == "cut \xEF\xBF\xBD");
  // U+FFFE and U+FFFF are no XML characters; U+FFFD and U+10FFFF are.
  CHECK(xml_escape("a\xEF\xBF\xBE"
                   "b\xEF\xBF\xBF"
                   "c") ==
        "a\xEF\xBF\xBD"
        "b\xEF\xBF\xBD"
        "c");
  CHECK(xml_escape("\xEF\xBF\xBD\xF4\x8F\xBF\xBF") == "\xEF\xBF\xBD\xF4\x8F\xBF\xBF");
}

TEST_CASE("json_quote makes a JSON string literal of any text", "[escape]") {
  CHECK(json_quote("plain") == "\"plain\"");
  CHECK(json_quote("a \"b\" \\ c") == "\"a \\\"b\\\" \\\\ c\"");
  CHECK(json_quote("line\nnext\ttab") == "\"line\\nnext\\ttab\"");
  CHECK(json_quote("\x1b[31m\x01") == "\"\\u001b[31m\\u0001\"");
}

TEST_CASE("terminal_escape writes every control character and stray byte as an escape", "[escape]") {
  CHECK(terminal_escape("a\x1b[31mb\x7f") == "a\\x1b[31mb\\x7f");
  CHECK(terminal_escape("two\nlines\tand\rreturn") == "two\\nlines\\tand\\x0dreturn");
  CHECK(terminal_escape("\xC2\x9B"
                        "31m") == "\\u009b31m");                             // C1: CSI in one character
  CHECK(terminal_escape("\xC2\xA0 caf\xC3\xA9") == "\xC2\xA0 caf\xC3\xA9");  // U+00A0 and the rest kept
  CHECK(terminal_escape("bad \xFF, cut \xC3") == "bad \\xff, cut \\xc3");
  CHECK(terminal_escape("'q' \\ \"s\"") == "'q' \\ \"s\"");  // quotes and backslash as they are
  // Well-formed in shape, yet no UTF-8: an overlong NUL, a surrogate, above U+10FFFF.
  CHECK(terminal_escape("\xC0\x80|\xED\xA0\x80|\xF4\x90\x80\x80") ==
        "\\xc0\\x80|\\xed\\xa0\\x80|\\xf4\\x90\\x80\\x80");
  // Bidirectional controls reorder the rest of the line: each one escaped, the
  // letters around them kept.
  CHECK(terminal_escape("a\xE2\x80\xAE"
                        "b\xE2\x81\xA6"
                        "c\xE2\x80\x8F\xD8\x9C") == "a\\u202eb\\u2066c\\u200f\\u061c");
  CHECK(terminal_escape("\xE2\x80\x94 \xE2\x80\xAF") ==
        "\xE2\x80\x94 \xE2\x80\xAF");  // a dash and U+202F kept
}

TEST_CASE("terminal_line puts text on one line, its white space runs as one space", "[escape]") {
  CHECK(terminal_line("  sum(w *\n\t  x)  ") == "sum(w * x)");
  CHECK(terminal_line("a\r\n\x1b[2Jb") == "a \\x1b[2Jb");
  CHECK(terminal_line("len(\"\xC2\x85\")") == "len(\"\\u0085\")");  // NEL is a C1 control, not a space
  CHECK(terminal_line("") == "");
}
