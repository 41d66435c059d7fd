// The token-level facts of the language that the pre-pass, the parser's messages and
// lowering share: which characters make names and numbers, and where a token ends.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "syntax/source.hpp"

namespace hinge::lang::syntax {

constexpr bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

/// The first position at or after `pos` that is not a space or a tab.
uint32_t skip_blanks(std::string_view text, uint32_t pos);

/// Length of the UTF-8 sequence starting at text[pos] (1 for anything malformed).
uint32_t utf8_length(std::string_view text, uint32_t pos);

/// The span of the token starting at pos (empty at a newline or the end): a name, a
/// number, a string up to its closing quote or the line's end, a two-character
/// comparison, or one code point.
Span token_at(std::string_view text, uint32_t pos);

/// `s` in double quotes with the escapes the language reads (\n \t \" \\), as the
/// syntax printer and a value's repr show a string.
std::string quote_string(std::string_view s);

}  // namespace hinge::lang::syntax
