// Lowering of the X3 tree into the compact syntax tree: precedence chains collapse into
// Binary nodes, strings are decoded and their {interpolations} parsed, spans carried over.
#include "syntax/lower.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "syntax/interpolation.hpp"
#include "syntax/lexer.hpp"

namespace hinge::lang {

namespace {

namespace sx = syntax;
using syntax::is_ident_char;
namespace x3 = boost::spirit::x3;

Span span_of(const ast::Located& node) { return {node.begin, node.end}; }

sx::Identifier identifier(const ast::Name& name) { return {name.text, span_of(name)}; }

// The span of whichever node a variant holds.
struct SpanOf {
  using result_type = Span;
  template <typename T>
  Span operator()(const T& node) const {
    return span_of(node);
  }
};

class Lowerer {
 public:
  explicit Lowerer(std::string_view text) : text_(text) {}

  // ------------------------------------------------------------ expressions

  // first (op operand)*  ->  left-nested Binary nodes (right-nesting for `^` comes
  // from the grammar: its operand is itself a whole power expression).
  sx::Expr expr(const ast::Expression& e) {
    sx::Expr result = operand(e.first);
    for (const ast::Operation& op : e.rest) {
      sx::Expr rhs = operand(op.operand);
      Span span{result.span.begin, rhs.span.end};
      auto op_len = static_cast<uint32_t>(std::strlen(sx::to_string(op.op)));
      result = {sx::Binary{op.op, std::move(result), std::move(rhs), {op.begin, op.begin + op_len}}, span};
    }
    return result;
  }

  sx::Expr operand(const ast::Operand& o) {
    struct Visit {
      using result_type = sx::Expr;
      Lowerer& self;
      sx::Expr operator()(const ast::Nil&) const { throw Error({0, 0}, "internal error: empty operand"); }
      sx::Expr operator()(const ast::Number& n) const { return self.number(n); }
      sx::Expr operator()(const ast::String& s) const { return {self.string(s), span_of(s)}; }
      sx::Expr operator()(const ast::Bool& b) const { return {sx::Bool{b.value}, span_of(b)}; }
      sx::Expr operator()(const ast::Name& n) const { return {sx::Name{n.text}, span_of(n)}; }
      sx::Expr operator()(const x3::forward_ast<ast::List>& l) const {
        sx::List list;
        for (const auto& item : l.get().items) list.items.push_back(self.expr(item));
        return {std::move(list), span_of(l.get())};
      }
      sx::Expr operator()(const x3::forward_ast<ast::Unary>& u) const {
        return {sx::Unary{u.get().op, self.operand(u.get().operand)}, span_of(u.get())};
      }
      sx::Expr operator()(const x3::forward_ast<ast::Postfix>& p) const { return self.postfix(p.get()); }
      sx::Expr operator()(const x3::forward_ast<ast::Expression>& e) const { return self.expr(e.get()); }
    };
    return o.apply_visitor(Visit{*this});
  }

  // Overflow is an error at the literal; underflow gives the nearest double (a
  // subnormal, or 0), as IEEE 754 says (lang/README.md "Numbers").
  sx::Expr number(const ast::Number& n) {
    double value = 0;
    const auto [end, ec] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), value);
    if (ec == std::errc::result_out_of_range) {
      value = std::strtod(n.text.c_str(), nullptr);  // the IEEE result: inf or the underflowed value
      if (std::isinf(value))
        throw Error(span_of(n), fmt::format("number too large: {} (the largest is about 1.8e308)",
                                            n.text.size() > 40 ? n.text.substr(0, 40) + "..." : n.text));
    } else if (ec != std::errc() || end != n.text.data() + n.text.size()) {
      throw Error(span_of(n), "internal error: a number literal the grammar accepted does not read");
    }
    bool integer = n.text.find_first_of(".eE") == std::string::npos;
    return {sx::Number{n.text, value, integer}, span_of(n)};
  }

  // primary {call | index}: each suffix wraps what came before. The last node takes
  // the span of the whole postfix rule, so `(a + b)` keeps its parentheses.
  sx::Expr postfix(const ast::Postfix& p) {
    sx::Expr result = operand(p.primary);
    for (const ast::Suffix& suffix : p.suffixes) {
      if (auto* call = boost::get<ast::CallArgs>(&suffix.get())) {
        Span span{p.begin, call->end};
        result = {lower_call(std::move(result), *call), span};
      } else {
        const auto& subs = boost::get<ast::Subscripts>(suffix.get());
        Span span{p.begin, subs.end};
        sx::Index index{std::move(result), {}};
        for (const ast::Subscript& s : subs.items) index.subscripts.push_back(subscript(s));
        result = {std::move(index), span};
      }
    }
    result.span = span_of(p);
    return result;
  }

  sx::Call lower_call(sx::Expr callee, const ast::CallArgs& call) {
    sx::Call out{std::move(callee), {}, {}};
    for (const ast::Arg& arg : call.args) {
      if (arg.keyword) {
        // keyword holds "name =" as written: keep the name characters.
        uint32_t len = 0;
        while (len < arg.keyword->size() && is_ident_char((*arg.keyword)[len])) ++len;
        sx::Identifier name{arg.keyword->substr(0, len), {arg.begin, arg.begin + len}};
        out.kwargs.push_back({std::move(name), expr(arg.value)});
      } else if (!out.kwargs.empty()) {
        throw Error(span_of(arg), "positional argument after keyword argument");
      } else {
        out.args.push_back(expr(arg.value));
      }
    }
    return out;
  }

  sx::Subscript subscript(const ast::Subscript& s) {
    sx::Subscript out{s.tail.has_value(), {}, {}, {}, span_of(s)};
    if (s.start) out.start = expr(*s.start);
    if (s.tail) {
      if (s.tail->stop) out.stop = expr(*s.tail->stop);
      if (s.tail->step && s.tail->step->value) out.step = expr(*s.tail->step->value);
    } else if (!s.start) {
      throw Error(span_of(s), "expected an index");
    }
    return out;
  }

  // ------------------------------------------------------------ strings

  // Decodes escapes and `{{` `}}`, and parses each `{expr[:spec]}` from the text.
  sx::String string(const ast::String& s) {
    std::string_view raw = s.text;  // with its quotes
    const uint32_t base = s.begin;
    sx::String out;
    std::string literal;
    uint32_t literal_begin = 0;
    auto flush = [&](uint32_t end) {
      if (literal.empty()) return;
      out.parts.push_back({std::move(literal), {}, "", {literal_begin, end}});
      literal.clear();
    };
    auto add = [&](char c, uint32_t at) {
      if (literal.empty()) literal_begin = at;
      literal.push_back(c);
    };
    size_t i = 1;
    while (i + 1 < raw.size()) {
      char c = raw[i];
      auto at = static_cast<uint32_t>(base + i);
      if (c == '\\') {
        char n = raw[i + 1];
        char decoded = n == 'n' ? '\n' : n == 't' ? '\t' : n == '"' ? '"' : n == '\\' ? '\\' : 0;
        if (!decoded)
          throw Error({at, at + 2}, fmt::format("unknown escape '\\{}' (use \\n \\t \\\" or \\\\)", n));
        add(decoded, at);
        i += 2;
      } else if ((c == '{' || c == '}') && raw[i + 1] == c) {
        add(c, at);
        i += 2;
      } else if (c == '}') {
        throw Error({at, at + 1}, "single '}' in a string; write '}}' for a literal brace");
      } else if (c == '{') {
        flush(at);
        i = interpolation(raw, base, i, out);
      } else {
        add(c, at);
        ++i;
      }
    }
    flush(static_cast<uint32_t>(base + raw.size() - 1));
    return out;
  }

  // Parses the `{expr[:spec]}` starting at raw[open]; returns the index after its '}'.
  size_t interpolation(std::string_view raw, uint32_t base, size_t open, sx::String& out) {
    auto at = static_cast<uint32_t>(base + open);
    size_t close = open + 1, colon = std::string_view::npos;
    int depth = 0;
    for (; close + 1 < raw.size(); ++close) {
      char d = raw[close];
      if (d == '(' || d == '[' || d == '{')
        ++depth;
      else if (d == ')' || d == ']' || (d == '}' && depth > 0))
        --depth;
      else if (d == '}')
        break;
      else if (d == ':' && depth == 0 && colon == std::string_view::npos)
        colon = close;
    }
    if (close + 1 >= raw.size())
      throw Error({at, at + 1}, "unclosed '{' in a string; write '{{' for a literal brace");
    size_t expr_end = colon != std::string_view::npos ? colon : close;
    auto first = static_cast<uint32_t>(base + open + 1);
    auto last = static_cast<uint32_t>(base + expr_end);

    ast::Expression tree = parse_interpolation(text_, at, first, last);
    std::string spec;
    if (colon != std::string_view::npos) spec = raw.substr(colon + 1, close - colon - 1);
    out.parts.push_back({"", expr(tree), std::move(spec), {at, static_cast<uint32_t>(base + close + 1)}});
    return close + 1;
  }

  // ------------------------------------------------------------ statements

  sx::Block block(const ast::Block& b) {
    sx::Block out{{}, span_of(b)};
    for (const ast::Statement& s : b.stmts) out.stmts.push_back(stmt(s));
    return out;
  }

  std::vector<sx::Expr> exprs(const std::vector<ast::Expression>& list) {
    std::vector<sx::Expr> out;
    for (const auto& e : list) out.push_back(expr(e));
    return out;
  }

  std::optional<sx::Expr> maybe(const boost::optional<ast::Expression>& e) {
    if (!e) return std::nullopt;
    return expr(*e);
  }

  sx::Stmt stmt(const ast::Statement& s);

  sx::Let lower(const ast::LetStmt& s) {
    sx::Let l{identifier(s.name), expr(s.value), {}};
    for (const ast::Name& n : s.more) l.more.push_back(identifier(n));
    return l;
  }
  sx::Param lower(const ast::ParamStmt& s) { return {identifier(s.name), expr(s.value)}; }
  sx::Assign lower(const ast::AssignStmt& s) { return {identifier(s.name), expr(s.value)}; }
  sx::Print lower(const ast::PrintStmt& s) { return {exprs(s.values)}; }
  sx::Grad lower(const ast::GradStmt& s) { return {expr(s.target), exprs(s.wrt)}; }
  sx::GradCheck lower(const ast::GradCheckStmt& s) { return {expr(s.target), exprs(s.wrt)}; }
  sx::Pattern lower(const ast::PatternStmt& s) { return {expr(s.model), expr(s.point)}; }
  sx::Save lower(const ast::SaveStmt& s) { return {exprs(s.values), expr(s.path)}; }
  sx::ExprStmt lower(const ast::ExprStmt& s) { return {expr(s.value)}; }
  sx::For lower(const ast::ForStmt& s) { return {identifier(s.var), expr(s.iterable), block(s.body)}; }

  decltype(sx::Stmt::node) lower(const ast::KeywordStmt& s) {
    switch (s.keyword) {
      case ast::KeywordKind::load: return sx::Load{expr(s.value)};
      case ast::KeywordKind::import: return sx::Import{expr(s.value)};
      case ast::KeywordKind::return_: break;
    }
    return sx::Return{expr(s.value)};
  }

  sx::Def lower(const ast::DefStmt& s) {
    sx::Def out{identifier(s.name), {}, nullptr, false};
    for (const ast::Name& p : s.params) {
      for (const auto& seen : out.params)
        if (seen.text == p.text) throw Error(span_of(p), fmt::format("duplicate parameter '{}'", p.text));
      out.params.push_back(identifier(p));
    }
    // Note [One-line def]: `def f(x) = e` is stored as the body `{ return e }`.
    if (auto* e = boost::get<ast::Expression>(&s.body.get())) {
      sx::Expr value = expr(*e);
      Span span = value.span;
      sx::Block body{{}, span};
      body.stmts.push_back({sx::Return{std::move(value)}, span});
      out.body = std::make_shared<const sx::Block>(std::move(body));
      out.one_line = true;
    } else {
      out.body = std::make_shared<const sx::Block>(block(boost::get<ast::Block>(s.body.get())));
    }
    return out;
  }

  // `else if` becomes an else block holding one If.
  sx::If lower(const ast::IfStmt& s) {
    sx::If out{expr(s.condition), block(s.then_block), std::nullopt};
    if (s.else_part) {
      if (auto* chained = boost::get<x3::forward_ast<ast::IfStmt>>(&s.else_part->get())) {
        const ast::IfStmt& inner = chained->get();
        sx::Block wrapper{{}, span_of(inner)};
        wrapper.stmts.push_back({lower(inner), span_of(inner)});
        out.else_block = std::move(wrapper);
      } else {
        out.else_block = block(boost::get<ast::Block>(s.else_part->get()));
      }
    }
    return out;
  }

  sx::Train lower(const ast::TrainStmt& s) {
    sx::Train out{expr(s.loss), expr(s.optimizer), expr(s.steps), {}, {}, {}, false};
    bool seen[4] = {false, false, false, false};
    for (const ast::TrainOption& option : s.options) {
      int which = option.get().which();
      static const char* const names[] = {"log every", "batch", "record grads", "quiet"};
      if (seen[which])
        throw Error(option.apply_visitor(SpanOf{}), fmt::format("duplicate train option '{}'", names[which]));
      seen[which] = true;
      if (auto* o = boost::get<ast::LogEvery>(&option.get())) {
        out.log_every = expr(o->every);
      } else if (auto* b = boost::get<ast::BatchOption>(&option.get())) {
        sx::Batch batch{expr(b->size), {}};
        for (const ast::Name& n : b->from) batch.from.push_back(identifier(n));
        out.batch = std::move(batch);
      } else if (auto* r = boost::get<ast::RecordGrads>(&option.get())) {
        out.record_grads = expr(r->path);
      } else {
        out.quiet = true;
      }
    }
    return out;
  }

  sx::Trace lower(const ast::TraceStmt& s) {
    sx::Trace out{expr(s.target), false, false, maybe(s.to)};
    for (ast::TraceFlag f : s.flags) (f == ast::TraceFlag::check ? out.check : out.full) = true;
    return out;
  }

  sx::Plot lower(const ast::PlotStmt& s) {
    sx::Plot out{s.kind.value_or(sx::PlotKind::line), expr(s.subject), {}, maybe(s.to), {}};
    for (const ast::Series& series : s.series)
      out.series.push_back({expr(series.value), maybe(series.label)});
    for (const ast::KeywordArg& kw : s.options) out.options.push_back({identifier(kw.name), expr(kw.value)});
    return out;
  }

 private:
  std::string_view text_;
};

// Each statement node lowers through the Lowerer::lower overload for its type.
struct StmtVisit {
  using result_type = sx::Stmt;
  Lowerer& self;
  template <typename T>
  sx::Stmt operator()(const x3::forward_ast<T>& node) const {
    return (*this)(node.get());
  }
  template <typename T>
  sx::Stmt operator()(const T& node) const {
    return {self.lower(node), span_of(node)};
  }
};

sx::Stmt Lowerer::stmt(const ast::Statement& s) { return s.apply_visitor(StmtVisit{*this}); }

}  // namespace

syntax::Program lower(const ast::Program& program, std::string_view text) {
  Lowerer lowerer(text);
  syntax::Program out;
  for (const ast::Statement& s : program) out.stmts.push_back(lowerer.stmt(s));
  return out;
}

}  // namespace hinge::lang
