// The one place that parses the expression inside a string's `{...}`: the same limits
// as a whole program (pre-pass), the grammar's expression rule, and the same messages.
#pragma once

#include <cstdint>
#include <string_view>

#include "syntax/ast.hpp"

namespace hinge::lang {

/// Parses text[first, last) as one expression: the inside of the interpolation whose
/// '{' is at text[open] (`last` is its ':' or '}'). `text` is the prepared program
/// text, so the tree's offsets are offsets into it. Throws Error for a bad expression.
ast::Expression parse_interpolation(std::string_view text, uint32_t open, uint32_t first, uint32_t last);

}  // namespace hinge::lang
