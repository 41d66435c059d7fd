// An S-expression printer for the compact syntax tree, used by
// the parser's golden tests (tests/golden/parse/*.expect) and for debugging.
#include <fmt/format.h>

// (literals are wrapped in std::string(...) before `+`: GCC 12 warns falsely about
// "literal" + std::string&& at -O3, bug 105329)

#include "syntax/lexer.hpp"
#include "syntax/tree.hpp"

namespace hinge::lang::syntax {

namespace {

class Printer {
 public:
  explicit Printer(bool spans) : spans_(spans) {}

  std::string at(Span s) const { return spans_ ? fmt::format("@{}:{}", s.begin, s.end) : ""; }

  std::string id(const Identifier& i) const { return i.text + at(i.span); }

  std::string opt(const Box<Expr>& e) const { return e ? expr(*e) : "_"; }

  std::string list(const std::vector<Expr>& items) const {
    std::string out;
    for (const Expr& e : items) {
      out += ' ';
      out += expr(e);
    }
    return out;
  }

  std::string expr(const Expr& e) const {
    std::string s = at(e.span);
    return std::visit([&](const auto& n) { return node(n, s); }, e.node);
  }

  std::string node(const Number& n, const std::string& s) const { return n.text + s; }
  std::string node(const Bool& b, const std::string& s) const { return (b.value ? "true" : "false") + s; }
  std::string node(const Name& n, const std::string& s) const { return n.text + s; }
  std::string node(const String& str, const std::string& s) const {
    if (str.parts.empty()) return std::string("\"\"") + s;
    if (str.parts.size() == 1 && str.parts[0].is_literal()) return quote_string(str.parts[0].text) + s;
    std::string out = std::string("(str") + s;
    for (const StringPart& p : str.parts) {
      if (p.is_literal()) {
        out += std::string(" ") + quote_string(p.text);
      } else {
        out += std::string(" (fmt") + at(p.span) + std::string(" ") + expr(*p.expr);
        if (!p.spec.empty()) out += std::string(" ") + quote_string(p.spec);
        out += ")";
      }
    }
    return out + ")";
  }
  std::string node(const List& l, const std::string& s) const {
    return std::string("(list") + s + list(l.items) + ")";
  }
  std::string node(const Unary& u, const std::string& s) const {
    return fmt::format("({}{} {})", u.op == UnaryOp::neg ? "neg" : "not", s, expr(*u.operand));
  }
  std::string node(const Binary& b, const std::string& s) const {
    return fmt::format("({}{} {} {})", to_string(b.op), s, expr(*b.lhs), expr(*b.rhs));
  }
  std::string node(const Call& c, const std::string& s) const {
    std::string out = std::string("(call") + s + std::string(" ") + expr(*c.callee) + list(c.args);
    for (const KeywordArg& k : c.kwargs) out += fmt::format(" (kw {} {})", id(k.name), expr(*k.value));
    return out + ")";
  }
  std::string node(const Index& ix, const std::string& s) const {
    std::string out = std::string("(index") + s + std::string(" ") + expr(*ix.target);
    for (const Subscript& sub : ix.subscripts) {
      if (sub.is_slice)
        out += fmt::format(" (slice{} {} {} {})", at(sub.span), opt(sub.start), opt(sub.stop), opt(sub.step));
      else
        out += std::string(" ") + expr(*sub.start);
    }
    return out + ")";
  }

  // Statements: one per line; a block's statements on their own lines, indented.
  std::string stmt(const Stmt& st, int depth) const {
    std::string s = at(st.span);
    return std::visit([&](const auto& n) { return node(n, s, depth); }, st.node);
  }

  std::string block(const Block& b, int depth) const {
    std::string out = std::string("(block") + at(b.span);
    for (const Stmt& st : b.stmts) out += fmt::format("\n{:{}}{}", "", 2 * (depth + 1), stmt(st, depth + 1));
    return out + ")";
  }

  std::string node(const Let& n, const std::string& s, int) const {
    std::string names = id(n.name);
    for (const Identifier& m : n.more) names += " " + id(m);
    return fmt::format("(let{} {} {})", s, names, expr(n.value));
  }
  std::string node(const Param& n, const std::string& s, int) const {
    return fmt::format("(param{} {} {})", s, id(n.name), expr(n.value));
  }
  std::string node(const Assign& n, const std::string& s, int) const {
    return fmt::format("(assign{} {} {})", s, id(n.name), expr(n.value));
  }
  std::string node(const Def& n, const std::string& s, int depth) const {
    std::string params;
    for (const Identifier& p : n.params) params += fmt::format("{}{}", params.empty() ? "" : " ", id(p));
    if (n.one_line)  // Note [One-line def]: print the expression, not the wrapper
      return fmt::format("(def{} {} ({}) = {})", s, id(n.name), params,
                         expr(n.body->stmts[0].as<Return>().value));
    return fmt::format("(def{} {} ({}) {})", s, id(n.name), params, block(*n.body, depth));
  }
  std::string node(const Return& n, const std::string& s, int) const {
    return fmt::format("(return{} {})", s, expr(n.value));
  }
  std::string node(const If& n, const std::string& s, int depth) const {
    std::string out = fmt::format("(if{} {} {}", s, expr(n.condition), block(n.then_block, depth));
    if (n.else_block) out += std::string(" ") + block(*n.else_block, depth);
    return out + ")";
  }
  std::string node(const For& n, const std::string& s, int depth) const {
    return fmt::format("(for{} {} {} {})", s, id(n.var), expr(n.iterable), block(n.body, depth));
  }
  std::string node(const Print& n, const std::string& s, int) const {
    return std::string("(print") + s + list(n.values) + ")";
  }
  std::string node(const Train& n, const std::string& s, int) const {
    std::string out = fmt::format("(train{} {} {} {}", s, expr(n.loss), expr(n.optimizer), expr(n.steps));
    if (n.log_every) out += std::string(" (log-every ") + expr(*n.log_every) + ")";
    if (n.batch) {
      out += std::string(" (batch ") + expr(n.batch->size);
      for (const Identifier& i : n.batch->from) out += std::string(" ") + id(i);
      out += ")";
    }
    if (n.record_grads) out += std::string(" (record-grads ") + expr(*n.record_grads) + ")";
    if (n.quiet) out += " quiet";
    return out + ")";
  }
  std::string node(const Grad& n, const std::string& s, int) const {
    return fmt::format("(grad{} {} (wrt{}))", s, expr(n.target), list(n.wrt));
  }
  std::string node(const Trace& n, const std::string& s, int) const {
    std::string out = std::string("(trace") + s + std::string(" ") + expr(n.target);
    if (n.check) out += " check";
    if (n.full) out += " full";
    if (n.to) out += std::string(" (to ") + expr(*n.to) + ")";
    return out + ")";
  }
  std::string node(const GradCheck& n, const std::string& s, int) const {
    std::string out = std::string("(gradcheck") + s + std::string(" ") + expr(n.target);
    if (!n.wrt.empty()) out += std::string(" (wrt") + list(n.wrt) + ")";
    return out + ")";
  }
  std::string node(const Plot& n, const std::string& s, int) const {
    std::string out = fmt::format("(plot{} {} {}", s, to_string(n.kind), expr(n.subject));
    for (const Series& ser : n.series) {
      out += std::string(" (series ") + expr(ser.value);
      if (ser.label) out += std::string(" (as ") + expr(*ser.label) + ")";
      out += ")";
    }
    if (n.to) out += std::string(" (to ") + expr(*n.to) + ")";
    for (const KeywordArg& k : n.options) out += fmt::format(" (kw {} {})", id(k.name), expr(*k.value));
    return out + ")";
  }
  std::string node(const Pattern& n, const std::string& s, int) const {
    return fmt::format("(pattern{} {} {})", s, expr(n.model), expr(n.point));
  }
  std::string node(const Save& n, const std::string& s, int) const {
    return fmt::format("(save{} ({}) {})", s, list(n.values).substr(1), expr(n.path));
  }
  std::string node(const Load& n, const std::string& s, int) const {
    return fmt::format("(load{} {})", s, expr(n.path));
  }
  std::string node(const Import& n, const std::string& s, int) const {
    return fmt::format("(import{} {})", s, expr(n.path));
  }
  std::string node(const ExprStmt& n, const std::string& s, int) const {
    return fmt::format("(expr{} {})", s, expr(n.value));
  }

 private:
  bool spans_;
};

}  // namespace

std::string to_sexpr(const Program& program, bool spans) {
  Printer printer(spans);
  std::string out;
  for (const Stmt& st : program.stmts) out += printer.stmt(st, 0) + "\n";
  return out;
}

std::string to_sexpr(const Expr& expr, bool spans) { return Printer(spans).expr(expr); }

}  // namespace hinge::lang::syntax
