// Lowering of the verbose X3 tree (ast.hpp) into the compact syntax tree (tree.hpp).
#pragma once

#include <string_view>

#include "syntax/ast.hpp"
#include "syntax/diagnostics.hpp"
#include "syntax/tree.hpp"

namespace hinge::lang {

/// Builds the compact tree. `text` is the prepared text the tree was parsed from
/// (string interpolations are parsed from it). Throws Error for the few mistakes the
/// grammar lets through: a positional argument after a keyword one, a duplicate
/// parameter or train option, bad escapes and bad {interpolations} in strings.
syntax::Program lower(const ast::Program& program, std::string_view text);

}  // namespace hinge::lang
