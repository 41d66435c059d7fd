// hinge/escape.hpp: any user text, escaped, is safe in XML/HTML and JSON.
#include <catch2/catch.hpp>

#include "hinge/escape.hpp"

using hinge::json_quote;
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
