// The front end's one entry point: source text in, a syntax::Program or a diagnostic out.
// Free of Boost: the interpreter and the REPL include only this and tree.hpp.
#pragma once

#include <optional>

#include "syntax/diagnostics.hpp"
#include "syntax/source.hpp"
#include "syntax/tree.hpp"

namespace hinge::lang {

struct ParseResult {
  syntax::Program program;          // the statements; meaningful only when ok()
  std::optional<Diagnostic> error;  // the first syntax error, if any
  bool incomplete = false;          // the only problem is that the input ended early
                                    // (unclosed bracket/brace/string, or a trailing
                                    // binary operator, '=' or ','): the REPL should
                                    // read another line and parse the whole again

  bool ok() const { return !error.has_value(); }
};

/// Parses a whole script or REPL entry. Never throws for bad input.
///
/// **Example**
///     auto src = make_source("<repl>", line);
///     ParseResult r = parse_program(src);
///     if (r.incomplete) { /* continuation prompt, append the next line, retry */ }
///     else if (!r.ok()) fmt::print(stderr, "{}", render(src, *r.error));
///     else run(r.program);
ParseResult parse_program(const Source& source);

}  // namespace hinge::lang
