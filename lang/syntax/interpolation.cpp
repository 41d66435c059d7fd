// parse_interpolation(): prepare, parse and check the expression of a `{...}`.
#include "syntax/interpolation.hpp"

#include "syntax/grammar.hpp"
#include "syntax/lexer.hpp"
#include "syntax/prepass.hpp"
#include "syntax/syntax_error.hpp"

namespace hinge::lang {

ast::Expression parse_interpolation(std::string_view text, uint32_t open, uint32_t first, uint32_t last) {
  // The same limits as for the whole program (brackets, nesting depth).
  Prepared prep = prepare(text.substr(first, last - first));
  for (auto* d : {&prep.error, &prep.unclosed}) {
    if (*d) {
      Diagnostic shifted = **d;
      shifted.span = {shifted.span.begin + first, shifted.span.end + first};
      throw Error(shifted);
    }
  }
  ast::Expression tree;
  uint32_t stop = 0;
  const char* data = text.data();
  std::string_view upto = text.substr(0, last);
  if (auto failure = grammar::parse_expression(data, data + first, data + last, tree, stop)) {
    Diagnostic d = syntax_error(upto, *failure);
    bool blank = text.substr(first, last - first).find_first_not_of(" \t") == std::string_view::npos;
    if (blank && d.message == "expected an expression")
      throw Error({open, open + 1}, "expected an expression inside '{}'; write '{{' for a literal brace");
    throw Error(d);
  }
  uint32_t after = syntax::skip_blanks(upto, stop);
  if (after < last) throw Error(syntax_error(upto, {after, "'}' or ':' after the interpolated expression"}));
  return tree;
}

}  // namespace hinge::lang
