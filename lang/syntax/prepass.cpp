// The pre-pass over raw text (Note [Prepared text]): blanking, bracket matching and the
// nesting limit, in one left-to-right scan that knows just enough about tokens.
#include "syntax/prepass.hpp"

#include <fmt/format.h>

#include <vector>

#include "syntax/keywords.hpp"
#include "syntax/lexer.hpp"

namespace hinge::lang {

using syntax::is_digit;
using syntax::is_ident_char;
using syntax::is_ident_start;

namespace {

char closer_of(char open) { return open == '(' ? ')' : open == '[' ? ']' : '}'; }

// Reserved words after which a '-' is a prefix minus (they cannot end an operand).
bool is_keyword(std::string_view w) {
  const syntax::Keyword* k = syntax::find_keyword(w);
  return k != nullptr && k->reserved && !k->operand;
}

// One open bracket (or the whole text, open == 0) and the recursion its contents add:
// `chain` counts prefix operators and '^' in a row, `ifs` counts `if` in an else-if chain.
struct Frame {
  char open;
  uint32_t pos;
  uint32_t chain = 0;
  uint32_t ifs = 0;
  uint32_t ops = 0;  // binary operators, calls and indexing since the last ',' or separator
};

class Scanner {
 public:
  explicit Scanner(std::string_view text) : in_(text) { out_.text.assign(text); }

  Prepared run() {
    stack_.push_back({0, 0});
    // A UTF-8 byte order mark (Windows editors write one) is no token: spaces.
    if (in_.starts_with("\xEF\xBB\xBF"))
      for (; i_ < 3; ++i_) blank(i_);
    while (i_ < in_.size() && !out_.error && !out_.unclosed) step();
    if (!out_.error && !out_.unclosed && stack_.size() > 1) {
      const Frame& f = stack_.back();
      out_.unclosed = Diagnostic{{f.pos, f.pos + 1}, fmt::format("'{}' was never closed", f.open)};
    }
    out_.trailing_operator = !out_.error && continues_;
    return std::move(out_);
  }

 private:
  void blank(size_t at) { out_.text[at] = ' '; }

  // The recursion depth X3 will reach at this point (see Frame).
  uint32_t depth() const { return static_cast<uint32_t>(stack_.size() - 1) + chains_; }

  bool check_depth(uint32_t begin, uint32_t end) {
    if (depth() <= max_nesting) return true;
    out_.error = Diagnostic{{begin, end}, fmt::format("nesting too deep (more than {} levels)", max_nesting)};
    return false;
  }

  // A binary operator, or a call or index after an operand: the tree gets one level
  // deeper (Note [Teardown] in teardown.cpp; max_operators).
  void grow_ops(uint32_t begin, uint32_t end) {
    ++stack_.back().ops;
    if (++ops_ <= max_operators || out_.error) return;
    out_.error =
        Diagnostic{{begin, end},
                   fmt::format("expression too long: more than {} operators in a row (split it with `let`)",
                               max_operators)};
  }
  void reset_ops() {
    ops_ -= stack_.back().ops;
    stack_.back().ops = 0;
  }

  // A statement or bracket boundary: prefix chains at this level are over.
  void reset_chain() {
    chains_ -= stack_.back().chain;
    stack_.back().chain = 0;
  }
  void grow_chain(uint32_t begin, uint32_t end) {
    ++stack_.back().chain;
    ++chains_;
    check_depth(begin, end);
  }

  void step() {
    auto start = static_cast<uint32_t>(i_);
    token_start_ = start;
    char c = in_[i_];
    if (c == '#') {  // comment: blank to the end of the line ('\r' is looked at as a step of its own)
      while (i_ < in_.size() && in_[i_] != '\n' && in_[i_] != '\r') blank(i_++);
    } else if (c == '\r' && i_ + 1 < in_.size() && in_[i_ + 1] != '\n') {
      // A line ending of old Mac editors: the lines would run together into one
      // statement, and line numbers would count nothing (Source counts '\n').
      out_.error = Diagnostic{{start, start + 1},
                              "a carriage return (\\r) with no newline after it: hinge reads lines that end "
                              "in \\n or \\r\\n (save the file with Unix or Windows line endings)"};
    } else if (c == '\r' || c == ' ' || c == '\t') {
      if (c == '\r') blank(i_);
      ++i_;
    } else if (c == '\n') {
      char open = stack_.back().open;
      if (open == '(' || open == '[' || continues_) {
        blank(i_);
      } else {  // a separator ends the statement (and any else-if chain)
        reset_chain();
        reset_ops();
        chains_ -= stack_.back().ifs;
        stack_.back().ifs = 0;
        operand_ = false;
      }
      ++i_;
    } else if (c == ';') {
      reset_chain();
      reset_ops();
      chains_ -= stack_.back().ifs;
      stack_.back().ifs = 0;
      token(false, false);
      ++i_;
    } else if (c == '"') {
      string(start);
    } else if (c == '(' || c == '[' || c == '{') {
      if (operand_ && c != '{') grow_ops(start, start + 1);  // a call or an index
      stack_.push_back({c, start});
      check_depth(start, start + 1);
      token(false, false);
      ++i_;
    } else if (c == ')' || c == ']' || c == '}') {
      close(c, start);
    } else if (is_ident_start(c)) {
      while (i_ < in_.size() && is_ident_char(in_[i_])) ++i_;
      if (i_ - start > max_name_length) {
        out_.error = Diagnostic{{start, start + max_name_length},
                                fmt::format("name too long: more than {} characters", max_name_length)};
        return;
      }
      word(in_.substr(start, i_ - start), start);
    } else if (is_digit(c) || (c == '.' && i_ + 1 < in_.size() && is_digit(in_[i_ + 1]))) {
      number();
    } else {
      punctuation(c, start);
    }
  }

  // Notes the kind of the last token: does it end an operand, does it continue a line.
  void token(bool operand, bool continues) {
    out_.last_token = token_start_;
    operand_ = operand;
    continues_ = continues;
  }

  void string(uint32_t start) {
    ++i_;
    while (i_ < in_.size() && in_[i_] != '"') i_ += in_[i_] == '\\' ? 2 : 1;
    if (i_ >= in_.size()) {
      out_.unclosed = Diagnostic{{start, start + 1}, "unterminated string"};
      out_.unterminated_string = true;
      return;
    }
    ++i_;
    token(true, false);
  }

  void close(char c, uint32_t start) {
    const Frame& top = stack_.back();
    if (stack_.size() == 1) {
      out_.error = Diagnostic{{start, start + 1}, fmt::format("unmatched '{}'", c)};
      return;
    }
    if (closer_of(top.open) != c) {
      out_.error = Diagnostic{{start, start + 1},
                              fmt::format("expected '{}' to close '{}'", closer_of(top.open), top.open)};
      return;
    }
    chains_ -= top.chain + top.ifs;
    ops_ -= top.ops;
    stack_.pop_back();
    token(true, false);
    ++i_;
  }

  void word(std::string_view w, uint32_t start) {
    auto end = static_cast<uint32_t>(i_);
    if (w == "and" || w == "or") {
      reset_chain();
      grow_ops(start, end);
      token(false, true);
    } else if (w == "not") {
      grow_chain(start, end);
      token(false, false);
    } else if (w == "if") {
      ++stack_.back().ifs;
      ++chains_;
      check_depth(start, end);
      token(false, false);
    } else {
      token(!is_keyword(w), false);
    }
  }

  void number() {
    while (i_ < in_.size()) {
      char c = in_[i_];
      if ((c == 'e' || c == 'E') && i_ + 1 < in_.size() && (in_[i_ + 1] == '+' || in_[i_ + 1] == '-'))
        i_ += 2;
      else if (is_digit(c) || c == '.' || c == 'e' || c == 'E')
        ++i_;
      else
        break;
    }
    token(true, false);
  }

  void punctuation(char c, uint32_t start) {
    char next = i_ + 1 < in_.size() ? in_[i_ + 1] : '\0';
    bool two = next == '=' && (c == '=' || c == '!' || c == '<' || c == '>');
    i_ += two ? 2 : 1;
    auto end = static_cast<uint32_t>(i_);
    if (c == '-' && !operand_) {  // prefix minus nests
      grow_chain(start, end);
      token(false, true);
    } else if (c == '^') {  // right-recursive: nests too
      grow_chain(start, end);
      token(false, true);
    } else if (two || c == '+' || c == '-' || c == '*' || c == '/' || c == '@' || c == '<' || c == '>' ||
               c == '=' || c == ',') {
      reset_chain();
      // ',' and a single '=' (let, assignment, def, keyword) separate subtrees that
      // sit side by side: the depth of one does not add to the other's.
      if (c == ',' || (c == '=' && !two))
        reset_ops();
      else
        grow_ops(start, end);
      token(false, true);
    } else if (c == ':') {
      reset_chain();
      reset_ops();
      token(false, false);
    } else {  // not a token of the language: the grammar reports it
      token(false, false);
    }
  }

  std::string_view in_;
  size_t i_ = 0;
  Prepared out_;
  std::vector<Frame> stack_;
  uint32_t token_start_ = 0;  // where the token being scanned begins
  uint32_t chains_ = 0;       // sum of chain + ifs over the stack
  uint32_t ops_ = 0;          // sum of ops over the stack
  bool operand_ = false;      // the last token ends an operand (so '-' after it is binary)
  bool continues_ = false;    // the last token continues onto the next line
};

}  // namespace

Prepared prepare(std::string_view text) { return Scanner(text).run(); }

}  // namespace hinge::lang
