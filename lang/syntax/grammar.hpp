// Plain-function entry points into the X3 grammar (defined in parser.cpp, the only
// translation unit that instantiates X3 parsers). Used by parse.cpp (programs) and
// interpolation.cpp (the expression inside a string's braces).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "syntax/ast.hpp"

namespace hinge::lang::grammar {

/// Where and why the grammar stopped. `which` is the name of the expected rule:
/// "an expression", "')' to close '('", or a full message starting with '!'
/// (possibly holding "{tok}", replaced by the offending token). See syntax_error.cpp.
struct Failure {
  uint32_t offset;  // byte offset (relative to base) where the expectation failed
  std::string which;
};

/// The expectation that a statement ends (a separator, '}' or the end): what
/// follows a whole statement on its line. syntax_error looks for it by name.
inline constexpr const char* kUnexpectedAfter = "!unexpected {tok} after the statement";

/// Parses [first, last) as a whole program. Offsets in the tree are relative to base.
std::optional<Failure> parse_program(const char* base, const char* first, const char* last,
                                     ast::Program& out);

/// Parses one expression at the start of [first, last) (only parse_interpolation
/// uses it). On success `stop` is the offset just past the expression.
std::optional<Failure> parse_expression(const char* base, const char* first, const char* last,
                                        ast::Expression& out, uint32_t& stop);

}  // namespace hinge::lang::grammar
