// XML/HTML, JSON and terminal escaping of user text (hinge/escape.hpp).
#include "hinge/escape.hpp"

#include <cstddef>

#include <fmt/format.h>

namespace hinge {

namespace {

// The length of the valid UTF-8 sequence starting at s[i], or 0 if it is malformed.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  if (n == 2 && c < 0xC2) return 0;                          // overlong
  if (n == 3 && c == 0xE0 && byte(i + 1) < 0xA0) return 0;   // overlong
  if (n == 3 && c == 0xED && byte(i + 1) >= 0xA0) return 0;  // surrogate
  if (n == 4 && (c > 0xF4 || (c == 0xF0 && byte(i + 1) < 0x90) || (c == 0xF4 && byte(i + 1) >= 0x90)))
    return 0;
  return n;
}

// Appends the character at text[i] to `out` as a terminal may show it, and returns
// its length: a control character (C0, DEL, C1) or a byte that is not UTF-8 as an
// escape (`\n`, `\t`, `\x1b`, `\u009b`), anything else as it is.
std::size_t append_for_terminal(std::string& out, std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  const std::size_t n = utf8_length(text, i);
  if (c == '\n' || c == '\t') {
    out += c == '\n' ? "\\n" : "\\t";
    return 1;
  }
  if (n == 0 || c < 0x20 || c == 0x7F) {
    out += fmt::format("\\x{:02x}", c);
    return 1;
  }
  if (n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {  // U+0080 to U+009F
    out += fmt::format("\\u{:04x}", static_cast<unsigned char>(text[i + 1]));
    return 2;
  }
  out.append(text.substr(i, n));
  return n;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    std::size_t n = utf8_length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for a malformed byte
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Tab, newline and carriage return are valid XML and keep a <pre> block's lines.
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
          out += ' ';
        else
          out += c;
    }
    ++i;
  }
  return out;
}

std::string json_quote(std::string_view in) {
  std::string out = "\"";
  for (unsigned char c : in) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20)
          out += fmt::format("\\u{:04x}", c);
        else
          out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string terminal_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) i += append_for_terminal(out, text, i);
  return out;
}

std::string terminal_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;  // a run of white space waits to be written as one space
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      ++i;
      continue;
    }
    if (space) out += ' ';
    space = false;
    i += append_for_terminal(out, text, i);
  }
  return out;
}

}  // namespace hinge
