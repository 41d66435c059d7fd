// User text made safe inside the formats hinge writes: XML and HTML (SVG plots, the
// HTML trace of notebooks) and JSON (trace export). One place for each, so a label
// from a script is escaped the same in every picture and table.
#pragma once
#include <string>
#include <string_view>

namespace hinge {

// `text` made safe inside XML or HTML character data and quoted attribute values:
// & < > " ' become entities, control characters other than tab, newline and
// carriage return (invalid in XML 1.0) become spaces, and malformed UTF-8 becomes
// U+FFFD, so any label gives a well-formed file.
std::string xml_escape(std::string_view text);

// A JSON string literal: quotes, backslashes and control characters escaped.
std::string json_quote(std::string_view text);

}  // namespace hinge
