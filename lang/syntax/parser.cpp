// The one translation unit that instantiates the X3 grammar (slow to compile: keep it
// alone), plus the plain-function drivers declared in grammar.hpp.
#include "syntax/grammar.hpp"
#include "syntax/parser_def.hpp"

namespace hinge::lang::parser {

BOOST_SPIRIT_INSTANTIATE(program_type, iterator_type, context_type)
BOOST_SPIRIT_INSTANTIATE(expression_type, iterator_type, context_type)

}  // namespace hinge::lang::parser

namespace hinge::lang::grammar {

namespace x3 = boost::spirit::x3;
using parser::iterator_type;

namespace {

template <typename Rule, typename Attr>
std::optional<Failure> run(const Rule& rule, const char* base, iterator_type& first, iterator_type last,
                           Attr& out) {
  parser::Tagger tagger{base};
  auto const parser = x3::with<parser::tagger_tag>(std::ref(tagger))[rule];
  iterator_type start = first;
  try {
    if (x3::phrase_parse(first, last, parser, x3::ascii::blank, out)) return std::nullopt;
    return Failure{static_cast<uint32_t>(start - base), rule.name};
  } catch (const x3::expectation_failure<iterator_type>& e) {
    return Failure{static_cast<uint32_t>(e.where() - base), e.which()};
  }
}

}  // namespace

std::optional<Failure> parse_program(const char* base, const char* first, const char* last,
                                     ast::Program& out) {
  return run(parser::program, base, first, last, out);
}

std::optional<Failure> parse_expression(const char* base, const char* first, const char* last,
                                        ast::Expression& out, uint32_t& stop) {
  auto failure = run(parser::expression, base, first, last, out);
  stop = static_cast<uint32_t>(first - base);
  return failure;
}

}  // namespace hinge::lang::grammar
