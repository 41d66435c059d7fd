// parse_program(): pre-pass, grammar, lowering, and the translation of grammar failures
// into short messages with the caret on the offending token.
#include "syntax/parse.hpp"

#include <fmt/format.h>

#include "syntax/grammar.hpp"
#include "syntax/lexer.hpp"
#include "syntax/lower.hpp"
#include "syntax/prepass.hpp"
#include "syntax/syntax_error.hpp"

namespace hinge::lang {

using syntax::skip_blanks;

ParseResult parse_program(const Source& source) {
  ParseResult result;
  auto fail = [&](Diagnostic d, bool incomplete = false) {
    result.error = std::move(d);
    result.incomplete = incomplete;
    return std::move(result);
  };
  if (source.text.size() > max_source_size)
    return fail({{0, 0}, fmt::format("input too large (more than {} MiB)", max_source_size >> 20)});

  Prepared prep = prepare(source.text);
  const std::string& text = prep.text;
  const char* base = text.data();
  ast::Program tree;

  // An error the pre-pass found at `stop` stands only if the grammar finds nothing
  // wrong before it: parse the text up to there, and keep the earlier error.
  auto earlier_error = [&](uint32_t stop) -> std::optional<Diagnostic> {
    ast::Program prefix;
    auto failure = grammar::parse_program(base, base, base + stop, prefix);
    if (failure && skip_blanks(text, failure->offset) < stop)
      return syntax_error(std::string_view(text).substr(0, stop), *failure);
    return std::nullopt;
  };

  if (prep.error) {
    if (auto e = earlier_error(prep.error->span.begin)) return fail(*e);
    return fail(*prep.error);
  }
  if (prep.unterminated_string) {
    // Close the string at the end and parse: if that only fails at the very end,
    // more lines could finish the program; otherwise the error is real now.
    std::string closed = text + '"';
    auto failure = grammar::parse_program(closed.data(), closed.data(), closed.data() + closed.size(), tree);
    if (failure && skip_blanks(closed, failure->offset) < closed.size()) {
      // The span points into `closed`, one byte longer than the text: keep it
      // inside the text (found by tests/fuzz: a token running into the added '"').
      Diagnostic d = syntax_error(closed, *failure);
      d.span.end = std::min<uint32_t>(d.span.end, static_cast<uint32_t>(text.size()));
      d.span.begin = std::min(d.span.begin, d.span.end);
      return fail(d);
    }
    return fail(*prep.unclosed, true);
  }
  if (auto failure = grammar::parse_program(base, base, base + text.size(), tree)) {
    uint32_t pos = skip_blanks(text, failure->offset);
    bool at_end = pos >= text.size();
    if (at_end && prep.unclosed) return fail(*prep.unclosed, true);
    bool trailing = prep.trailing_operator && pos >= prep.last_token;
    return fail(syntax_error(text, *failure), trailing);
  }
  try {
    result.program = lower(tree, text);
  } catch (const Error& e) {
    return fail(e.diagnostic());
  }
  return result;
}

}  // namespace hinge::lang
