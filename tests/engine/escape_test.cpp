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
}

TEST_CASE("terminal_line puts text on one line, its white space runs as one space", "[escape]") {
  CHECK(terminal_line("  sum(w *\n\t  x)  ") == "sum(w * x)");
  CHECK(terminal_line("a\r\n\x1b[2Jb") == "a \\x1b[2Jb");
  CHECK(terminal_line("len(\"\xC2\x85\")") == "len(\"\\u0085\")");  // NEL is a C1 control, not a space
  CHECK(terminal_line("") == "");
}
