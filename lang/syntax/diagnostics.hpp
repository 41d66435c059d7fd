// Diagnostics: a message tied to a source span, the exception that carries one,
// and the one renderer every error goes through (file:line:col, the line, a caret).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include "syntax/source.hpp"

namespace hinge::lang {

/// An error at a place in the source. `span` may be empty (a point, e.g. end of input).
struct Diagnostic {
  Span span;
  std::string message;  // lower-case, no trailing period: "expected an expression"
  // Where in another text (a data file) the error lies, rendered by render_note and
  // shown after the script's line; empty for an error in the script alone.
  std::string note = {};
  int added_notes = 0;  // how many Error::add_note appended (kept when the diagnostic is copied)
};

/// Thrown by the interpreter (and anything else in lang) for errors the user caused.
/// The REPL catches it, renders the diagnostic and keeps the session.
///
/// **Example**
///     throw Error({node.span, fmt::format("unknown name '{}'", name)});
class Error : public std::runtime_error {
 public:
  explicit Error(Diagnostic diagnostic);
  Error(Span span, std::string message) : Error(Diagnostic{span, std::move(message)}) {}
  const Diagnostic& diagnostic() const { return diagnostic_; }
  /// Appends `note` (render_note's text) to the diagnostic's note, up to
  /// kMaxAddedNotes of them, and not twice in a row: an error deep in a
  /// recursion passes every level.
  void add_note(std::string_view note);

  static constexpr int kMaxAddedNotes = 3;

 private:
  Diagnostic diagnostic_;
};

/// Renders a diagnostic in the one format hinge uses:
///
///     model.hinge:3:14: error: shape mismatch in '*': [3] vs [4]
///         y = relu(w * x + b)
///                  ^~~~~
///
/// The line is indented by 4 spaces with tabs expanded (tab stops of 4), the caret sits
/// under the first code point of the span and tildes run under the rest of it on that
/// line. Control characters in the message are escaped as in the line (`\x1b`). The
/// result ends with '\n'.
std::string render(const Source& source, const Diagnostic& diagnostic);

/// The same for a place in another text, labelled `note:` (the cell of a csv file
/// that an error is about), for Diagnostic::note:
///
///     data.csv:3:3: note: cell 2
///         3,abc
///           ^~~
std::string render_note(const Source& source, const Diagnostic& diagnostic);

/// User data (a cell, a name, a path) as a message may echo it: control characters
/// (ESC included) and bytes that are not UTF-8 escaped (`\x1b`; C1 controls as
/// `\u009b`), newline and tab as
/// `\n` and `\t`, backslash and quote as `\\` and `\'` (messages quote names in
/// '...'), cut after `max_bytes` with "...".
std::string escape_for_message(std::string_view text, std::size_t max_bytes = 40);

}  // namespace hinge::lang
