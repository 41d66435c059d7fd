// The iterator, skipper and context types of the grammar, in one place: the types at
// the phrase_parse call must equal the instantiated ones exactly or the link fails.
#pragma once

#include <functional>

#include <boost/spirit/home/x3.hpp>

namespace hinge::lang::parser {

namespace x3 = boost::spirit::x3;

/// Parsing runs over the prepared copy of the text (Note [Prepared text] in prepass.hpp).
using iterator_type = const char*;

/// Spaces and tabs only: newlines are statement separators ('\r' and comments are
/// already blanked by the pre-pass, and so are newlines inside () and []).
using skipper_type = x3::ascii::blank_type;
using phrase_context_type = x3::phrase_parse_context<skipper_type>::type;

/// Turns iterators into byte offsets for Located nodes (Note [Annotation]).
struct Tagger {
  iterator_type base;  // the first byte of the whole text, offset 0
};
struct tagger_tag;

using context_type = x3::context<tagger_tag, std::reference_wrapper<Tagger>, phrase_context_type>;

}  // namespace hinge::lang::parser
