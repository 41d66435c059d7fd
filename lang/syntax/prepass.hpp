// The pre-pass that runs before the grammar: a same-length copy of the text with
// comments and ignorable newlines blanked, bracket matching, and the nesting limit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "syntax/diagnostics.hpp"

namespace hinge::lang {

// Note [Prepared text]
// The grammar parses a copy of the source of exactly the same length, so every offset
// is valid in both. In the copy, comments and '\r' are spaces; so are newlines inside
// () and [], and newlines after a line whose last token is a binary operator, '=' or
// ','. Newlines left are statement separators (also inside {} blocks). Strings are
// copied unchanged.

/// Most nested brackets, braces, prefix operators, `^` and `else if` in a row that
/// the recursive-descent grammar may see (deeper input would overflow the stack).
inline constexpr uint32_t max_nesting = 200;
/// Most binary operators, calls and indexing in a row (summed over the open brackets):
/// `1 + 1 + ...` lowers to a tree as deep as the chain is long, and evaluating it
/// recurses once per level.
inline constexpr uint32_t max_operators = 10'000;
/// Longest name: every message, header, trace row and echo that shows a name shows
/// it whole, so a name is bounded where it is read.
inline constexpr uint32_t max_name_length = 128;
/// Largest text we parse (spans are 32-bit; nobody writes a bigger script).
inline constexpr size_t max_source_size = size_t{64} << 20;

struct Prepared {
  std::string text;                    // the blanked copy (Note [Prepared text])
  std::optional<Diagnostic> error;     // mismatched bracket or nesting limit; scanning
                                       // stopped at error->span.begin
  std::optional<Diagnostic> unclosed;  // input ended inside a bracket, brace or string
  bool unterminated_string = false;    // `unclosed` is a string (its opening quote)
  bool trailing_operator = false;      // the last token asks for a continuation line
  uint32_t last_token = 0;             // where the last token begins
};

/// Scans text (a whole script, or the inside of a string interpolation).
Prepared prepare(std::string_view text);

}  // namespace hinge::lang
