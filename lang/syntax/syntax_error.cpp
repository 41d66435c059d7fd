// syntax_error(): a grammar failure as a short message with the caret on the
// offending token (Note [Expectation names] in parser_def.hpp).
#include "syntax/syntax_error.hpp"

#include <vector>

#include <fmt/format.h>

#include "syntax/keywords.hpp"
#include "syntax/lexer.hpp"
#include "syntax/spelling.hpp"

namespace hinge::lang {

using syntax::is_ident_char;
using syntax::is_reserved;
using syntax::skip_blanks;
using syntax::token_at;
using syntax::utf8_length;

namespace {

// Characters that can start or continue a token of the language (or be blank).
bool is_language_char(char c) {
  if (is_ident_char(c)) return true;
  for (char k : std::string_view(" \t\n+-*/@^=!<>()[]{},:;\".#"))
    if (c == k) return true;
  return false;
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

// Where the statement `pos` is in begins: after the last newline, ';', '{' or '}'
// before it, and the blanks after that.
uint32_t statement_start(std::string_view text, uint32_t pos) {
  const std::size_t sep = pos == 0 ? std::string_view::npos : text.find_last_of("\n;{}", pos - 1);
  return skip_blanks(text, static_cast<uint32_t>(sep == std::string_view::npos ? 0 : sep + 1));
}

// The first token of that statement, when it is the only token before pos and a
// misspelling of a word that starts a statement (Keyword::starts): an error
// there, with the word. Else nothing.
std::optional<Diagnostic> misspelt_statement_word(std::string_view text, uint32_t pos) {
  const Span tok = token_at(text, statement_start(text, pos));
  if (tok.size() == 0 || skip_blanks(text, tok.end) != pos || !syntax::is_ident_start(text[tok.begin]))
    return std::nullopt;
  const std::string_view word = text.substr(tok.begin, tok.size());
  std::vector<std::string_view> words;
  for (const syntax::Keyword& k : syntax::kKeywords)
    if (k.starts) words.push_back(k.word);
  const std::string guess = closest_name(word, words);
  if (guess.empty()) return std::nullopt;
  return Diagnostic{tok, fmt::format("unknown statement '{}'; did you mean '{}'?", word, guess)};
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

  // `while cond {`: hinge has none (a loop that might not end would need Ctrl-C);
  // show the loop it does have.
  {
    const std::size_t nl = pos == 0 ? std::string_view::npos : text.rfind('\n', pos - 1);
    const auto line_begin = static_cast<uint32_t>(nl == std::string_view::npos ? 0 : nl + 1);
    const uint32_t first = skip_blanks(text, line_begin);
    if (text.substr(first, 5) == "while" && (first + 5 >= text.size() || !is_ident_char(text[first + 5])) &&
        pos > first)
      return {{first, first + 5},
              "hinge has no 'while'; loop a number of times with 'for': for i in range(3) { ... }"};
  }
  // `if x = 1 {`: '=' binds; a condition compares with '=='.
  if (which == "'{' after the condition" && word == "=")
    return {tok, "expected '{' after the condition; to compare, write '==' ('=' assigns)"};
  // `lett a = 1`: a name, then another word, where a statement began; when the name
  // is a statement word misspelt, say which.
  if (which == grammar::kUnexpectedAfter) {
    if (auto typo = misspelt_statement_word(text, pos)) return *typo;
    // `plot xs: ys with width=5 to "p.svg"`: the options come last.
    const uint32_t first = statement_start(text, pos);
    if (word == "to" && text.substr(first, pos - first).find(" with ") != std::string_view::npos)
      return {tok, "unexpected 'to' after the statement; write `to \"FILE\"` before `with`"};
  }
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

}  // namespace hinge::lang
