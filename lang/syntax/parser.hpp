// Declarations of the grammar's entry rules (defined in parser_def.hpp, instantiated in
// parser.cpp). Only parser.cpp uses these; everyone else calls grammar.hpp.
#pragma once

#include <boost/spirit/home/x3.hpp>

#include "syntax/ast.hpp"
#include "syntax/config.hpp"

namespace hinge::lang::parser {

struct program_class;  // defined in parser_def.hpp
struct expression_class;

/// program := { statement separator }
using program_type = x3::rule<program_class, ast::Program>;
/// expression := the full precedence ladder, from `or` down to primaries.
using expression_type = x3::rule<expression_class, ast::Expression>;

BOOST_SPIRIT_DECLARE(program_type, expression_type)

}  // namespace hinge::lang::parser
