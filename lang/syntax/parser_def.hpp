// The grammar of the hinge language in Spirit X3. Included only by parser.cpp.
// Rules are written top-down: tokens, operator tables, expressions, statements.
#pragma once

#include <algorithm>
#include <iterator>
#include <string_view>
#include <type_traits>

#include <boost/spirit/home/x3.hpp>

#include "syntax/ast.hpp"
#include "syntax/ast_adapted.hpp"
#include "syntax/config.hpp"
#include "syntax/keywords.hpp"
#include "syntax/parser.hpp"

namespace hinge::lang::parser {

namespace x3 = boost::spirit::x3;
using ast::BinaryOp;
using ast::PlotKind;
using ast::UnaryOp;
using x3::lexeme;
using x3::lit;

// Note [Annotation]
// Every rule whose ID derives from Annotate records the byte offsets of what it
// matched in its Located attribute. X3 has already skipped leading blanks when it
// calls on_success, so `begin` is the first byte of the first token. Boost 1.74 passes
// forward_ast<T>& for variant attributes: we unwrap it so the position is not lost.
struct Annotate {
  template <typename T, typename Context>
  void on_success(iterator_type first, iterator_type last, T& node, const Context& ctx) {
    tag(first, last, node, x3::get<tagger_tag>(ctx).get());
  }

 private:
  template <typename T>
  static void tag(iterator_type first, iterator_type last, T& node, const Tagger& tagger) {
    if constexpr (std::is_base_of_v<ast::Located, T>) {
      node.begin = static_cast<uint32_t>(first - tagger.base);
      node.end = static_cast<uint32_t>(last - tagger.base);
    }
  }
  template <typename T>
  static void tag(iterator_type first, iterator_type last, x3::forward_ast<T>& node, const Tagger& tagger) {
    tag(first, last, node.get(), tagger);
  }
};

// Note [Expectation names]
// After a committing token the grammar uses `>`; its target is always named in the
// user's words, so parse.cpp can say "expected " + name. A name starting with '!' is a
// whole message instead ("{tok}" becomes the offending token). Named<P> gives a parser
// a name without being a rule: inline rule definitions would add a layer to the X3
// context, and every distinct context instantiates the whole grammar again (the
// compile then takes gigabytes). For the same reason every real rule below is declared
// and BOOST_SPIRIT_DEFINEd, never defined inline.
template <typename Subject>
struct Named : x3::unary_parser<Subject, Named<Subject>> {
  using base_type = x3::unary_parser<Subject, Named<Subject>>;
  static bool const is_pass_through_unary = true;
  Named(const Subject& subject, const char* name) : base_type(subject), name(name) {}

  template <typename It, typename Context, typename RContext, typename Attribute>
  bool parse(It& first, const It& last, const Context& context, RContext& rcontext, Attribute& attr) const {
    return this->subject.parse(first, last, context, rcontext, attr);
  }

  const char* name;
};

template <typename P>
auto expect(const char* what, const P& p) {
  return Named<typename x3::extension::as_parser<P>::value_type>(x3::as_parser(p), what);
}
// Always fails: the target of `&condition > fail(...)` to report a specific error at
// the token the lookahead saw.
inline auto fail(const char* message) { return expect(message, x3::eps(false)); }

}  // namespace hinge::lang::parser

namespace boost::spirit::x3 {
template <typename Subject>
struct get_info<hinge::lang::parser::Named<Subject>> {
  using result_type = std::string;
  std::string operator()(const hinge::lang::parser::Named<Subject>& p) const { return p.name; }
};
}  // namespace boost::spirit::x3

namespace hinge::lang::parser {

// Declares a rule with its own ID (annotated, Note [Annotation]) and its user-facing name.
#define HINGE_RULE(r, Attr, what) \
  struct r##_class : Annotate {}; \
  x3::rule<r##_class, Attr> const r = what;

// ---------------------------------------------------------------- tokens

auto const ident_char = x3::alnum | lit('_');

// A word of the keyword table (keywords.hpp); anything else does not compile, so the
// table cannot miss a word the grammar uses (Note [Keywords]).
// The table is searched here rather than through find_keyword: g++ 12 with UBSan
// cannot constant-evaluate a pointer compared with nullptr, and the sanitizer build
// failed to compile.
consteval const char* word(const char* w) {
  for (const syntax::Keyword& k : syntax::kKeywords)
    if (k.word == std::string_view(w)) return w;
  throw "not in the keyword table (keywords.hpp)";
}
struct KeywordText {
  const char* text;
  consteval KeywordText(const char* w) : text(word(w)) {}  // NOLINT(google-explicit-constructor)
};

// A keyword: the word, not followed by a name character (`let` is not in `letter`).
inline auto kw(KeywordText w) { return lexeme[lit(w.text) >> !ident_char]; }

// Reserved words can never be names (contextual words like `steps` or `log` can).
// `reserved` matches a whole run of name characters that is a reserved word, found
// by binary search in the keyword table. An x3::symbols did the same through a tree
// with a node per letter of every word, built by a static initialiser before main:
// a tenth of the instructions of `hinge -e '1'` and two pages of heap.
static_assert(std::is_sorted(std::begin(syntax::kKeywords), std::end(syntax::kKeywords),
                             [](const syntax::Keyword& a, const syntax::Keyword& b) {
                               return a.word < b.word;
                             }));
struct ReservedWord : x3::parser<ReservedWord> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute&) const {
    x3::skip_over(first, last, context);
    Iterator end = first;
    while (ident_char.parse(end, last, x3::unused, x3::unused, x3::unused)) {
    }
    const std::string_view run(first, end);
    const auto* it =
        std::lower_bound(std::begin(syntax::kKeywords), std::end(syntax::kKeywords), run,
                         [](const syntax::Keyword& k, std::string_view w) { return k.word < w; });
    if (it == std::end(syntax::kKeywords) || it->word != run || !it->reserved) return false;
    first = end;
    return true;
  }
};
auto const reserved = ReservedWord{};

// separator := newline | ';'
auto const separator = lit(';') | x3::eol;

// `=` but not `==`.
auto const assign_eq = lexeme[lit('=') >> !lit('=')];

// ---------------------------------------------------------------- rule declarations
// Declared together so the definitions below can refer to each other in any order.
// The string is the rule's name in error messages (Note [Expectation names]).

HINGE_RULE(name, ast::Name, "a name")
HINGE_RULE(number, ast::Number, "a number")
HINGE_RULE(string, ast::String, "a string")
HINGE_RULE(boolean, ast::Bool, "a boolean")

// Every expression level is named "an expression": what a `>` after an operator expects.
struct expression_class : Annotate {};
expression_type const expression = "an expression";
HINGE_RULE(or_operation, ast::Operation, "an expression")
HINGE_RULE(and_expr, ast::Expression, "an expression")
HINGE_RULE(and_operation, ast::Operation, "an expression")
HINGE_RULE(not_expr, ast::Operand, "an expression")
HINGE_RULE(not_unary, ast::Unary, "an expression")
HINGE_RULE(cmp_expr, ast::Expression, "an expression")
HINGE_RULE(cmp_operation, ast::Operation, "an expression")
HINGE_RULE(add_expr, ast::Expression, "an expression")
HINGE_RULE(add_operation, ast::Operation, "an expression")
HINGE_RULE(mul_expr, ast::Expression, "an expression")
HINGE_RULE(mul_operation, ast::Operation, "an expression")
HINGE_RULE(neg_expr, ast::Operand, "an expression")
HINGE_RULE(neg_unary, ast::Unary, "an expression")
HINGE_RULE(pow_expr, ast::Expression, "an expression")
HINGE_RULE(pow_operation, ast::Operation, "an expression")
HINGE_RULE(postfix, ast::Postfix, "an expression")
HINGE_RULE(primary, ast::Operand, "an expression")
HINGE_RULE(list, ast::List, "a list")
HINGE_RULE(list_items, std::vector<ast::Expression>, "an expression")
HINGE_RULE(keyword_prefix, std::string, "a name")
HINGE_RULE(arg, ast::Arg, "an argument")
HINGE_RULE(arg_list, std::vector<ast::Arg>, "an argument")
HINGE_RULE(call_args, ast::CallArgs, "'('")
HINGE_RULE(step_part, ast::StepPart, "':'")
HINGE_RULE(slice_tail, ast::SliceTail, "':'")
HINGE_RULE(subscript, ast::Subscript, "an index")
HINGE_RULE(subscript_list, std::vector<ast::Subscript>, "an index")
HINGE_RULE(subscripts, ast::Subscripts, "'['")

HINGE_RULE(expr_list, std::vector<ast::Expression>, "an expression")
HINGE_RULE(let_stmt, ast::LetStmt, "a statement")
HINGE_RULE(let_more_names, std::vector<ast::Name>, "a name")
HINGE_RULE(param_stmt, ast::ParamStmt, "a statement")
HINGE_RULE(param_names, std::vector<ast::Name>, "a parameter name")
HINGE_RULE(def_body, ast::DefBody, "'=' or '{' after the parameter list")
HINGE_RULE(def_stmt, ast::DefStmt, "a statement")
HINGE_RULE(else_part, ast::ElsePart, "'if' or '{' after 'else'")
HINGE_RULE(if_stmt, ast::IfStmt, "a statement")
HINGE_RULE(for_stmt, ast::ForStmt, "a statement")
HINGE_RULE(print_stmt, ast::PrintStmt, "a statement")
HINGE_RULE(log_every, ast::LogEvery, "a train option")
HINGE_RULE(data_names, std::vector<ast::Name>, "a data name after 'from'")
HINGE_RULE(batch_option, ast::BatchOption, "a train option")
HINGE_RULE(record_grads, ast::RecordGrads, "a train option")
HINGE_RULE(quiet, ast::Quiet, "a train option")
HINGE_RULE(train_options, std::vector<ast::TrainOption>, "a train option")
HINGE_RULE(train_stmt, ast::TrainStmt, "a statement")
HINGE_RULE(grad_stmt, ast::GradStmt, "a statement")
HINGE_RULE(trace_flag_list, std::vector<ast::TraceFlag>, "a trace option")
HINGE_RULE(trace_stmt, ast::TraceStmt, "a statement")
HINGE_RULE(gradcheck_stmt, ast::GradCheckStmt, "a statement")
HINGE_RULE(series, ast::Series, "an expression")
HINGE_RULE(series_list, std::vector<ast::Series>, "an expression")
HINGE_RULE(kwarg, ast::KeywordArg, "an option like 'name=value'")
HINGE_RULE(kwarg_list, std::vector<ast::KeywordArg>, "an option like 'name=value'")
HINGE_RULE(plot_stmt, ast::PlotStmt, "a statement")
HINGE_RULE(pattern_stmt, ast::PatternStmt, "a statement")
HINGE_RULE(save_stmt, ast::SaveStmt, "a statement")
HINGE_RULE(keyword_stmt, ast::KeywordStmt, "a statement")
HINGE_RULE(assign_stmt, ast::AssignStmt, "a statement")
HINGE_RULE(expr_stmt, ast::ExprStmt, "a statement")
HINGE_RULE(statement, ast::Statement, "a statement")
HINGE_RULE(block, ast::Block, "'{'")
HINGE_RULE(block_body, std::vector<ast::Statement>, "'{'")
struct program_class : Annotate {};
program_type const program = "a program";

// ---------------------------------------------------------------- tokens

// name := (letter | '_') {letter | digit | '_'}, not a reserved word
auto const name_def = !reserved >> x3::raw[lexeme[(x3::alpha | '_') >> *ident_char]];

// number := digits ['.' digits] [exponent] | '.' digits [exponent]   (no sign, nan, inf)
auto const number_def = x3::raw[lexeme[((+x3::digit >> -('.' >> *x3::digit)) | ('.' >> +x3::digit)) >>
                                       -(x3::char_("eE") >> -x3::char_("+-") >> +x3::digit)]];

// string := '"' {escape | any character but '"'} '"'   (kept raw; lower.cpp decodes
// escapes and parses the {interpolations}; the pre-pass guarantees the closing quote)
auto const string_def = x3::raw[lexeme['"' >> *(('\\' >> x3::char_) | ~x3::char_('"')) >> '"']];

struct BoolWords : x3::symbols<bool> {
  BoolWords() { add(word("true"), true)(word("false"), false); }
} const bool_words;
// bool := 'true' | 'false'
auto const boolean_def = lexeme[bool_words >> !ident_char];

// ---------------------------------------------------------------- operator tables
// Precedence, lowest first; one table per level (habit 11). ORDER BINARYOP.
//   or                         left
//   and                        left
//   not (prefix)
//   == != < <= > >=            non-associative: a < b < c is an error
//   + -                        left
//   * / @                      left
//   - (prefix)
//   ^                          right: a^b^c = a^(b^c); binds tighter than prefix '-'
//   calls f(x), indexing x[i]

struct OrOp : x3::symbols<BinaryOp> {
  OrOp() { add(word("or"), BinaryOp::or_); }
} const or_words;
struct AndOp : x3::symbols<BinaryOp> {
  AndOp() { add(word("and"), BinaryOp::and_); }
} const and_words;
struct NotOp : x3::symbols<UnaryOp> {
  NotOp() { add(word("not"), UnaryOp::not_); }
} const not_word;
struct CmpOp : x3::symbols<BinaryOp> {
  CmpOp() {
    add("==", BinaryOp::eq)("!=", BinaryOp::ne)("<", BinaryOp::lt)("<=", BinaryOp::le)(">", BinaryOp::gt)(
        ">=", BinaryOp::ge);
  }
} const cmp_op;
struct AddOp : x3::symbols<BinaryOp> {
  AddOp() { add("+", BinaryOp::add)("-", BinaryOp::sub); }
} const add_op;
struct MulOp : x3::symbols<BinaryOp> {
  MulOp() { add("*", BinaryOp::mul)("/", BinaryOp::div)("@", BinaryOp::matmul); }
} const mul_op;
struct NegOp : x3::symbols<UnaryOp> {
  NegOp() { add("-", UnaryOp::neg); }
} const neg_op;
struct PowOp : x3::symbols<BinaryOp> {
  PowOp() { add("^", BinaryOp::pow); }  // right-associative (see pow_expr)
} const pow_op;

auto const or_op = lexeme[or_words >> !ident_char];
auto const and_op = lexeme[and_words >> !ident_char];
auto const not_op = lexeme[not_word >> !ident_char];

// ---------------------------------------------------------------- expressions

// expression := and_expr {'or' and_expr}
auto const expression_def = and_expr >> *or_operation;
auto const or_operation_def = or_op > and_expr;
// and_expr := not_expr {'and' not_expr}
auto const and_expr_def = not_expr >> *and_operation;
auto const and_operation_def = and_op > not_expr;
// not_expr := 'not' not_expr | cmp_expr
auto const not_expr_def = not_unary | cmp_expr;
auto const not_unary_def = not_op > not_expr;
// cmp_expr := add_expr [cmp_op add_expr]      (a second cmp_op is an error)
auto const cmp_expr_def = (add_expr >> x3::repeat(0, 1)[cmp_operation]) >
                          expect("!comparisons cannot be chained; combine them with 'and'", !cmp_op);
auto const cmp_operation_def = cmp_op > add_expr;
// add_expr := mul_expr {('+' | '-') mul_expr}
auto const add_expr_def = mul_expr >> *add_operation;
auto const add_operation_def = add_op > mul_expr;
// mul_expr := neg_expr {('*' | '/' | '@') neg_expr}
auto const mul_expr_def = neg_expr >> *mul_operation;
auto const mul_operation_def = mul_op > neg_expr;
// neg_expr := '-' neg_expr | pow_expr
auto const neg_expr_def = neg_unary | pow_expr;
auto const neg_unary_def = neg_op > neg_expr;
// pow_expr := postfix ['^' neg_expr]     (right-recursive, so a^b^c = a^(b^c) and
//                                         2^-1 = 2^(-1), while -x^2 = -(x^2))
auto const pow_expr_def = postfix >> x3::repeat(0, 1)[pow_operation];
auto const pow_operation_def = pow_op > neg_expr;
// postfix := primary {call_args | subscripts}
auto const postfix_def = primary >> *(call_args | subscripts);

auto const close_paren = expect("')' to close '('", ')');
auto const close_bracket = expect("']' to close '['", ']');

// primary := number | string | bool | name | list | '(' expression ')'
auto const primary_def = number | string | boolean | name | list | ('(' > expression > close_paren);

// list := '[' [expression {',' expression} [',']] ']'
auto const list_items_def = -(expression % ',') >> -lit(',');
auto const list_def = '[' > list_items > close_bracket;

// arg := [NAME '='] expression   (a positional after a keyword: reported by lower.cpp)
// (raw keeps "name =" whole: a lone raw[] is the only way X3 fills a string here;
// lower.cpp keeps the leading name characters)
auto const keyword_prefix_def = x3::raw[!reserved >> lexeme[(x3::alpha | '_') >> *ident_char] >> assign_eq];
auto const arg_def = (!lit(')') >> -keyword_prefix) > expression;
auto const arg_list_def = -(arg % ',') >> -lit(',');
// call_args := '(' [arg {',' arg} [',']] ')'
auto const call_args_def = '(' > arg_list > close_paren;

// subscript := [expression] [':' [expression] [':' [expression]]]   (not empty)
auto const step_part_def = ':' >> x3::attr(true) >> -expression;
auto const slice_tail_def = ':' >> -expression >> -step_part;
auto const subscript_def = !x3::char_("],") >> -expression >> -slice_tail;
auto const subscript_list_def = subscript % ',';
// subscripts := '[' subscript {',' subscript} ']'
auto const subscripts_def = '[' > subscript_list > close_bracket;

// ---------------------------------------------------------------- statements

auto const expr = expression;  // short alias for the statement rules below

// expr_list := expression {',' expression}
auto const expr_list_def = expression % ',';
auto const equals_after_name = expect("'=' after the name", assign_eq);

// let := 'let' NAME {',' NAME} '=' expression   (several names unpack a list or tuple)
auto const let_more_names_def = *(lit(',') > expect("a name after ','", name));
auto const let_stmt_def = kw("let") > expect("a name after 'let'", name) > let_more_names > equals_after_name
                          > expr;
// param := 'param' NAME '=' expression
auto const param_stmt_def = kw("param") > expect("a name after 'param'", name) > equals_after_name > expr;

// def := 'def' NAME '(' [NAME {',' NAME}] ')' ('=' expression | block)
auto const param_names_def = -(expect("a parameter name", name) % ',');
auto const def_body_def = (assign_eq > expr) | block;
auto const def_stmt_def = kw("def") > expect("a function name after 'def'", name) >
                          expect("'(' after the function name", '(') > param_names > close_paren > def_body;

// if := 'if' expression block ['else' (if | block)]
auto const else_part_def = if_stmt | block;
auto const if_stmt_def = kw("if") > expr > expect("'{' after the condition", block) >
                         -(kw("else") > else_part);

// for := 'for' NAME 'in' expression block
auto const for_stmt_def = kw("for") > expect("a loop variable name after 'for'", name) >
                          expect("'in' after the loop variable", kw("in")) > expr >
                          expect("'{' to start the loop body", block);

// print := 'print' expression {',' expression}
auto const print_stmt_def = kw("print") > expr_list;

// train := 'train' expression 'with' expression 'for' expression 'steps' {option}
// option := 'log' 'every' expression | 'batch' expression 'from' NAME {',' NAME}
//         | 'record' 'grads' 'to' expression | 'quiet'
auto const log_every_def = kw("log") > expect("'every' after 'log'", kw("every")) > expr;
auto const data_names_def = expect("a data name after 'from'", name) % ',';
auto const batch_option_def = kw("batch") > expr >
                              expect("'from' after the batch size", kw("from")) > data_names;
auto const record_grads_def = kw("record") > expect("'grads' after 'record'", kw("grads")) >
                              expect("'to' after 'record grads'", kw("to")) > expr;
auto const quiet_def = kw("quiet") >> x3::attr(true);
auto const train_options_def = *(log_every | batch_option | record_grads | quiet);
auto const train_stmt_def =
    kw("train") > expr > expect("'with' after the loss", kw("with")) > expr >
    expect("'for' after the optimizer", kw("for")) > expr >
    expect("'steps' after the step count", kw("steps")) > train_options >
    expect("!unknown train option {tok}; expected log every, batch, record grads or quiet",
           !(x3::alpha | '_'));

// grad := 'grad' expression ['wrt' expression {',' expression}]
auto const grad_stmt_def = kw("grad") > expr > -(kw("wrt") > expr_list);

// trace := 'trace' expression {'check' | 'full'} ['to' expression]
struct TraceFlags : x3::symbols<ast::TraceFlag> {
  TraceFlags() { add(word("check"), ast::TraceFlag::check)(word("full"), ast::TraceFlag::full); }
} const trace_flags;
auto const trace_flag_list_def = *lexeme[trace_flags >> !ident_char];
auto const trace_stmt_def = kw("trace") > expr > trace_flag_list > -(kw("to") > expr) >
                            expect("!unknown trace option {tok}; expected check, full or to",
                                   !(x3::alpha | '_'));

// gradcheck := 'gradcheck' expression ['wrt' expression {',' expression}]
auto const gradcheck_stmt_def = kw("gradcheck") > expr > -(kw("wrt") > expr_list);

// plot := 'plot' [kind] expression [':' series {',' series}] ['to' expression]
//         ['with' kwarg {',' kwarg}]
// kind := 'line' | 'scatter' | 'regions' | 'hist', only when another expression follows
//         after a blank (so `plot line` and `plot line(x)` plot the value `line`)
// series := expression ['as' expression];  kwarg := NAME '=' expression
struct PlotKinds : x3::symbols<PlotKind> {
  PlotKinds() {
    add(word("line"), PlotKind::line)(word("scatter"), PlotKind::scatter)(word("regions"), PlotKind::regions)(
        word("hist"), PlotKind::hist);
  }
} const plot_kinds;
auto const expr_start = x3::alnum | x3::char_("_\".[(");
// (the lookahead runs first: a symbol match whose sequence fails later would leave its
// value in the attribute)
auto const plot_kind =
    &lexeme[(lit(word("line")) | lit(word("scatter")) | lit(word("regions")) | lit(word("hist"))) >>
            !ident_char >> +x3::blank >> expr_start] >>
    lexeme[plot_kinds];
// A bare word followed by another expression where a kind would go: a misspelt kind.
auto const unknown_kind =
    -(&(!kw("to") >> !kw("as") >> lexeme[(x3::alpha | '_') >> *ident_char >> +x3::blank] >> !kw("to") >>
        !kw("with") >> !kw("as") >> lexeme[(x3::alnum | x3::char_("_\"["))]) >
      fail("!unknown plot kind {tok}; expected line, scatter, regions or hist"));
auto const series_def = expr >> -(kw("as") > expr);
auto const series_list_def = series % ',';
auto const kwarg_def = (name >> assign_eq) > expr;
auto const kwarg_list_def = kwarg % ',';
auto const plot_stmt_def = kw("plot") > -plot_kind > unknown_kind > expr > -(':' > series_list) >
                           -(kw("to") > expr) > -(kw("with") > kwarg_list);

// pattern := 'pattern' expression 'at' expression
auto const pattern_stmt_def = kw("pattern") > expr > expect("'at' after the model", kw("at")) > expr;

// save := 'save' expression {',' expression} 'to' expression
auto const save_stmt_def = kw("save") > expr_list > expect("'to' after the saved values", kw("to")) > expr;

// load := 'load' expression;  import := 'import' expression;  return := 'return' expression
struct KeywordWords : x3::symbols<ast::KeywordKind> {
  KeywordWords() {
    add(word("load"), ast::KeywordKind::load)(word("import"), ast::KeywordKind::import)(
        word("return"), ast::KeywordKind::return_);
  }
} const keyword_words;
auto const keyword_stmt_def = lexeme[keyword_words >> !ident_char] > expr;

// assign := NAME '=' expression
auto const assign_stmt_def = (name >> assign_eq) > expr;

// expr_stmt := expression      (`f(x) = 1` and `x[0] = 1` are errors)
auto const expr_stmt_def = expr > expect("!only a name can be assigned to", !assign_eq);

// statement := let | param | def | if | for | print | train | grad | trace | gradcheck
//            | plot | pattern | save | load | import | return | assign | expr_stmt
auto const statement_def = let_stmt | param_stmt | def_stmt | if_stmt | for_stmt | print_stmt | train_stmt |
                           grad_stmt | trace_stmt | gradcheck_stmt | plot_stmt | pattern_stmt | save_stmt |
                           keyword_stmt | assign_stmt | expr_stmt;

// A statement ends at a separator, or right before the '}' of its block, or at the end.
auto const unexpected_after = grammar::kUnexpectedAfter;

// block := '{' {separator} {statement ({separator} | before '}')} '}'
auto const block_def = block_body;
auto const block_body_def = ('{' >> *separator >>
                             *(statement > expect(unexpected_after, +separator | &lit('}')))) >
                            expect("'}' to close '{'", '}');

// program := {separator} {statement ({separator} | end)} end
auto const program_def = (*separator >> *(statement > expect(unexpected_after, +separator | x3::eoi))) >
                         expect("a statement", x3::eoi);

BOOST_SPIRIT_DEFINE(name, number, string, boolean, expression, or_operation, and_expr, and_operation,
                    not_expr, not_unary, cmp_expr, cmp_operation, add_expr, add_operation, mul_expr,
                    mul_operation, neg_expr, neg_unary, pow_expr, pow_operation, postfix, primary, list,
                    list_items, keyword_prefix, arg, arg_list, call_args, step_part, slice_tail, subscript,
                    subscript_list, subscripts)
BOOST_SPIRIT_DEFINE(expr_list, let_stmt, let_more_names, param_stmt, param_names, def_body, def_stmt,
                    else_part, if_stmt, for_stmt, print_stmt, log_every, data_names, batch_option,
                    record_grads, quiet, train_options, train_stmt, grad_stmt, trace_flag_list, trace_stmt,
                    gradcheck_stmt, series, series_list, kwarg, kwarg_list, plot_stmt, pattern_stmt,
                    save_stmt, keyword_stmt, assign_stmt, expr_stmt, statement, block, block_body, program)

#undef HINGE_RULE

}  // namespace hinge::lang::parser
