// parse_program(): pre-pass, grammar, lowering, and the translation of grammar failures
// into short messages with the caret on the offending token.
#include "syntax/parse.hpp"

#include <fmt/format.h>

#include "syntax/grammar.hpp"
#include "syntax/lower.hpp"
#include "syntax/prepass.hpp"

namespace hinge::lang {

namespace {

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_reserved(std::string_view w) {
  for (std::string_view k :
       {"let",   "param",  "def",  "return", "if",    "else",      "for",  "in",      "print",
        "train", "with",   "wrt",  "grad",   "trace", "gradcheck", "plot", "pattern", "save",
        "load",  "import", "true", "false",  "and",   "or",        "not"})
    if (w == k) return true;
  return false;
}

// Characters that can start or continue a token of the language (or be blank).
bool is_language_char(char c) {
  if (is_ident_char(c)) return true;
  for (char k : std::string_view(" \t\n+-*/@^=!<>()[]{},:;\".#"))
    if (c == k) return true;
  return false;
}

uint32_t skip_blanks(std::string_view text, uint32_t pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
  return pos;
}

// Length of the UTF-8 sequence starting at text[pos] (1 for anything malformed).
uint32_t utf8_length(std::string_view text, uint32_t pos) {
  auto b = static_cast<unsigned char>(text[pos]);
  uint32_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
  if (pos + n > text.size()) return 1;
  for (uint32_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(text[pos + k]) & 0xC0) != 0x80) return 1;
  return n;
}

// The span of the token starting at pos (empty at a newline or the end).
Span token_at(std::string_view text, uint32_t pos) {
  uint32_t end = pos;
  if (pos >= text.size() || text[pos] == '\n') return {pos, pos};
  char c = text[pos];
  if (is_ident_start(c)) {
    while (end < text.size() && is_ident_char(text[end])) ++end;
  } else if (is_digit(c) || (c == '.' && pos + 1 < text.size() && is_digit(text[pos + 1]))) {
    while (end < text.size() && (is_ident_char(text[end]) || text[end] == '.')) ++end;
  } else if (c == '"') {
    end = pos + 1;
    while (end < text.size() && text[end] != '"' && text[end] != '\n') end += text[end] == '\\' ? 2 : 1;
    end = std::min<uint32_t>(end, static_cast<uint32_t>(text.size()));
    if (end < text.size() && text[end] == '"') ++end;
  } else if (pos + 1 < text.size() && text[pos + 1] == '=' &&
             std::string_view("=!<>").find(c) != std::string_view::npos) {
    end = pos + 2;
  } else {
    end = pos + utf8_length(text, pos);
  }
  return {pos, end};
}

std::string quoted(std::string_view text, Span tok) {
  if (tok.size() == 0) return tok.begin >= text.size() ? "end of input" : "end of line";
  std::string_view shown = text.substr(tok.begin, tok.size());
  if (shown.size() > 24) return fmt::format("'{}...'", shown.substr(0, 20));
  return fmt::format("'{}'", shown);
}

// "unexpected character 'c'", with hints for characters people bring from elsewhere.
std::optional<Diagnostic> bad_character(std::string_view text, uint32_t pos) {
  if (pos >= text.size()) return std::nullopt;
  char c = text[pos];
  char next = pos + 1 < text.size() ? text[pos + 1] : '\0';
  if (c == '!' && next != '=') return Diagnostic{{pos, pos + 1}, "unexpected '!'; use 'not'"};
  if (c == '&') return Diagnostic{{pos, pos + 1 + (next == '&')}, "unexpected '&'; use 'and'"};
  if (c == '|') return Diagnostic{{pos, pos + 1 + (next == '|')}, "unexpected '|'; use 'or'"};
  if (c == '\'') return Diagnostic{{pos, pos + 1}, "unexpected \"'\"; strings use double quotes"};
  if (is_language_char(c)) return std::nullopt;
  uint32_t n = utf8_length(text, pos);
  auto b = static_cast<unsigned char>(c);
  std::string shown = (b < 0x20 || b == 0x7F || (n == 1 && b >= 0x80)) ? fmt::format("\\x{:02x}", b)
                                                                       : std::string(text.substr(pos, n));
  return Diagnostic{{pos, pos + n}, fmt::format("unexpected character '{}'", shown)};
}

}  // namespace

Diagnostic syntax_error(std::string_view text, const grammar::Failure& failure) {
  uint32_t pos = skip_blanks(text, failure.offset);
  if (auto bad = bad_character(text, pos)) return *bad;
  // At the end of the input, point just after the last token rather than at an
  // empty last line.
  if (pos >= text.size())
    while (pos > 0 && std::string_view(" \t\r\n").find(text[pos - 1]) != std::string_view::npos) --pos;
  Span tok = token_at(text, pos);
  std::string_view word = text.substr(tok.begin, tok.size());
  const std::string& which = failure.which;

  if (!which.empty() && which[0] == '!') {  // a whole message (Note [Expectation names])
    std::string msg = which.substr(1);
    if (auto at = msg.find("{tok}"); at != std::string::npos) msg.replace(at, 5, quoted(text, tok));
    return {tok, msg};
  }
  if (word == "else" && (which == "a statement" || which == "'}' to close '{'"))
    return {tok, "'else' must be on the same line as the '}' before it"};
  if (which.find("name") != std::string::npos && is_reserved(word))
    return {tok, fmt::format("'{}' is a reserved word", word)};
  // `def f(x, in)`: a list gave back its comma at a reserved word; blame the word.
  if (which.find("to close") != std::string::npos && word == ",") {
    Span next = token_at(text, skip_blanks(text, tok.end));
    std::string_view next_word = text.substr(next.begin, next.size());
    if (is_reserved(next_word) && next_word != "true" && next_word != "false" && next_word != "not")
      return {next, fmt::format("'{}' is a reserved word", next_word)};
  }
  if (which == "an expression" && word == "*" && pos > 0 && text[pos - 1] == '*')
    return {{pos - 1, pos + 1}, "'**' is not an operator; use '^' for powers"};
  if (which == "a statement" && is_reserved(word))
    return {tok, fmt::format("'{}' cannot start a statement", word)};
  if (which == "a statement" && word == "+")
    return {tok, "expected a statement ('+' is not a prefix operator)"};
  return {tok, "expected " + which};
}

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
