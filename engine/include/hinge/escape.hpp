// User text made safe inside the formats hinge writes: XML and HTML (SVG plots, the
// HTML trace of notebooks), JSON (trace export) and one line of a terminal (trace
// rows, headers). One place for each, so a label from a script is escaped the same
// in every picture and table.
#pragma once
#include <string>
#include <string_view>

namespace hinge {

// `text` made safe inside XML or HTML character data and quoted attribute values:
// & < > " ' become entities, control characters other than tab, newline and
// carriage return (invalid in XML 1.0) become spaces, and malformed UTF-8 and the
// noncharacters U+FFFE and U+FFFF become U+FFFD, so any label gives a well-formed
// file.
std::string xml_escape(std::string_view text);

// A JSON string literal: quotes, backslashes and control characters escaped.
std::string json_quote(std::string_view text);

// `text` made safe for a terminal: every control character (newline and tab as
// `\n` and `\t`; ESC, DEL and the C1 range that some terminals also obey as `\x1b`
// or `\u009b`), each bidirectional control (U+202E and its kin, which reorder what
// follows on the line, as `\u202e`) and each byte that is not UTF-8 (overlong forms
// and surrogates included) written as an escape, the rest as it is. A message that
// quotes a path or a script's text then cannot move the cursor, change colours,
// fake a line of its own or show its text in another order.
std::string terminal_escape(std::string_view text);

// terminal_escape of the one character at text[i], appended to `out`; returns its
// length in bytes. For a caller that shows text its own way around it (a source
// line with its tabs expanded and a caret under it).
std::size_t append_terminal_char(std::string& out, std::string_view text, std::size_t i);

// terminal_escape on one line: each run of spaces, tabs, carriage returns and
// newlines first becomes one space (none at either end). For a script's text shown
// back in a trace row or a header.
std::string terminal_line(std::string_view text);

}  // namespace hinge
