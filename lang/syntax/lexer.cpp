// Token boundaries for messages (lexer.hpp).
#include "syntax/lexer.hpp"

#include <algorithm>

namespace hinge::lang::syntax {

uint32_t skip_blanks(std::string_view text, uint32_t pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
  return pos;
}

uint32_t utf8_length(std::string_view text, uint32_t pos) {
  auto b = static_cast<unsigned char>(text[pos]);
  uint32_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
  if (pos + n > text.size()) return 1;
  for (uint32_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(text[pos + k]) & 0xC0) != 0x80) return 1;
  return n;
}

Span token_at(std::string_view text, uint32_t pos) {
  uint32_t end = pos;
  if (pos >= text.size() || text[pos] == '\n') return {pos, pos};
  char c = text[pos];
  if (is_ident_start(c)) {
    while (end < text.size() && is_ident_char(text[end])) ++end;
  } else if (is_digit(c) || (c == '.' && pos + 1 < text.size() && is_digit(text[pos + 1]))) {
    while (end < text.size() && (is_ident_char(text[end]) || text[end] == '.')) ++end;
  } else if (c == '"') {
    end = pos + 1;
    while (end < text.size() && text[end] != '"' && text[end] != '\n') end += text[end] == '\\' ? 2 : 1;
    end = std::min<uint32_t>(end, static_cast<uint32_t>(text.size()));
    if (end < text.size() && text[end] == '"') ++end;
  } else if (pos + 1 < text.size() && text[pos + 1] == '=' &&
             std::string_view("=!<>").find(c) != std::string_view::npos) {
    end = pos + 2;
  } else {
    end = pos + utf8_length(text, pos);
  }
  return {pos, end};
}

std::string quote_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

}  // namespace hinge::lang::syntax
