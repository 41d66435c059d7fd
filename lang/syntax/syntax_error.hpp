// The message for a grammar failure: what parse.cpp reports for a whole program and
// interpolation.cpp for the expression inside a string's braces.
#pragma once

#include <string_view>

#include "syntax/diagnostics.hpp"
#include "syntax/grammar.hpp"

namespace hinge::lang {

/// The diagnostic for `failure` in `text` (the prepared text, cut where the parse was
/// told to stop): "expected ...", "'x' is a reserved word", "unexpected character".
Diagnostic syntax_error(std::string_view text, const grammar::Failure& failure);

}  // namespace hinge::lang
