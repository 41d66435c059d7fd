// XML/HTML, JSON and terminal escaping of user text (hinge/escape.hpp).
#include "hinge/escape.hpp"

#include <cstddef>
#include <cstdint>

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

// The code point of the valid n-byte UTF-8 sequence at s[i].
char32_t code_point(std::string_view s, std::size_t i, std::size_t n) {
  auto byte = [&](std::size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k])); };
  if (n == 1) return byte(0);
  char32_t cp = byte(0) & (0xFFu >> (n + 1));
  for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (byte(k) & 0x3F);
  return cp;
}

// The bidirectional controls, which reorder what follows them on a line (a name
// that reads as code it is not: "Trojan Source"): marks, embeddings, overrides and
// isolates.
bool is_bidi_control(char32_t cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

std::size_t append_terminal_char(std::string& out, std::string_view text, std::size_t i) {
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
  if (const char32_t cp = code_point(text, i, n); (cp >= 0x80 && cp <= 0x9F) || is_bidi_control(cp)) {
    out += fmt::format("\\u{:04x}", static_cast<uint32_t>(cp));
    return n;
  }
  out.append(text.substr(i, n));
  return n;
}

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
      // U+FFFE and U+FFFF are no XML characters: a label holding one made the file
      // one that no XML reader takes.
      const char32_t cp = code_point(text, i, n);
      if (cp == 0xFFFE || cp == 0xFFFF)
        out += "\xEF\xBF\xBD";
      else
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
  for (std::size_t i = 0; i < text.size();) i += append_terminal_char(out, text, i);
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
    i += append_terminal_char(out, text, i);
  }
  return out;
}

}  // namespace hinge
