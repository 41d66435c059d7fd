// The compact syntax tree the interpreter walks: one Expr and one Stmt type, each a
// std::variant of small node structs, every node with the Span it came from.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "syntax/operators.hpp"
#include "syntax/source.hpp"

// Note [Reading the tree]
// - Spans are byte offsets into the Source given to parse_program(); keep that Source
//   alive as long as any node (a function body, say) may still report an error.
// - `e.node` holds exactly one of the node structs; `e.kind()` names which, in the
//   order of the variant (ORDER EXPRKIND / ORDER STMTKIND). Use std::visit, or
//   `if (auto* b = std::get_if<syntax::Binary>(&e.node))`.
// - Box<T> is a deep-copying owning pointer: the tree is a plain value (copyable,
//   movable). A Box is never empty unless its field comment says "optional".
// - Nesting is bounded before the grammar runs (syntax/prepass.hpp): at most 200
//   brackets, prefix operators and the like, and at most 10,000 binary and postfix
//   operators open at once, so a recursive evaluator cannot overflow the run stack.
//   Teardown never recurses down a chain at all (Note [Teardown], teardown.cpp).

namespace hinge::lang::syntax {

struct Expr;
struct Stmt;

/// Frees an expression tree with an explicit work list (Note [Teardown]).
void release_tree(std::unique_ptr<Expr> root) noexcept;
template <typename T>
void release_tree(std::unique_ptr<T> p) noexcept {
  p.reset();
}

/// Owning, deep-copying pointer for recursive fields (std::optional<Expr> cannot hold
/// an incomplete type). Empty only where a field says "optional".
template <typename T>
class Box {
 public:
  Box() = default;
  Box(T value) : ptr_(std::make_unique<T>(std::move(value))) {}
  Box(const Box& other) : ptr_(other.ptr_ ? std::make_unique<T>(*other.ptr_) : nullptr) {}
  Box(Box&&) noexcept = default;
  Box& operator=(const Box& other) { return *this = Box(other); }
  Box& operator=(Box&& other) noexcept {
    std::unique_ptr<T> old = std::move(ptr_);
    ptr_ = std::move(other.ptr_);
    if (old) release_tree(std::move(old));
    return *this;
  }
  ~Box() {
    if (ptr_) release_tree(std::move(ptr_));
  }

  explicit operator bool() const { return ptr_ != nullptr; }
  T& operator*() { return *ptr_; }
  const T& operator*() const { return *ptr_; }
  T* operator->() { return ptr_.get(); }
  const T* operator->() const { return ptr_.get(); }
  const T* get() const { return ptr_.get(); }
  std::unique_ptr<T> release() { return std::move(ptr_); }

 private:
  std::unique_ptr<T> ptr_;
};

/// A name as written, with its own span (for "unknown name 'x'" errors).
struct Identifier {
  std::string text;
  Span span;
};

// ---------------------------------------------------------------- expressions

// The operators (UnaryOp, BinaryOp) and plot kinds are in operators.hpp.

/// 3, 1.5, 1e-3, .5 (never signed: -3 is Unary{neg, 3}).
struct Number {
  std::string text;  // the literal as written, e.g. "2.5E+2"
  double value;      // the literal's value
  bool is_integer;   // written without '.', 'e' or 'E' (so "3" but not "3.0")
};

/// One piece of a string literal: literal text, or an interpolated `{expr:spec}`.
struct StringPart {
  std::string text;  // literal text, escapes decoded ("{{" -> "{"); empty for {expr}
  Box<Expr> expr;    // optional: set for an interpolation `{expr}` / `{expr:spec}`
  std::string spec;  // fmt format spec after ':' without the ':' (".4f"), or ""
  Span span;         // the literal run, or the whole `{...}` including braces

  bool is_literal() const { return !expr; }
};

/// "text {x:.3f} more": parts in order; adjacent literal text is merged into one part.
/// A string without interpolation has zero parts ("") or one literal part.
struct String {
  std::vector<StringPart> parts;
};

struct Bool {
  bool value;
};

/// A reference to a binding, parameter or builtin: `xs`, `relu`, `log`.
struct Name {
  std::string text;
};

/// [a, b, [c, d]]; may be empty.
struct List {
  std::vector<Expr> items;
};

struct Unary {
  UnaryOp op;
  Box<Expr> operand;
};

/// lhs op rhs. `^` is right-associative and comparisons do not chain (the parser
/// rejects `a < b < c`), so the tree is exactly the written grouping.
struct Binary {
  BinaryOp op;
  Box<Expr> lhs;
  Box<Expr> rhs;
  Span op_span;  // the operator token itself
};

/// name=value inside a call's parentheses or after `plot ... with`.
struct KeywordArg {
  Identifier name;
  Box<Expr> value;
};

/// callee(args..., kw=value...): positional arguments always come before keyword ones.
struct Call {
  Box<Expr> callee;                // usually a Name, but any expression: f(x)(y)
  std::vector<Expr> args;          // positional, in order
  std::vector<KeywordArg> kwargs;  // in written order; duplicates are left to the interpreter
};

/// One entry between the brackets of an index: `i` or a slice `start:stop:step`.
struct Subscript {
  bool is_slice;    // false: `start` holds the index; true: any of the three may be missing
  Box<Expr> start;  // optional for slices (x[:3]); always set for a plain index
  Box<Expr> stop;   // optional (x[1:])
  Box<Expr> step;   // optional (x[::2]); only for slices
  Span span;
};

/// target[sub, sub, ...]: x[i], x[1:3], x[:, 0], x[::2], x[-1]. At least one subscript.
struct Index {
  Box<Expr> target;
  std::vector<Subscript> subscripts;
};

// ORDER EXPRKIND: the variant below lists the nodes in this order.
enum class ExprKind { number, string, boolean, name, list, unary, binary, call, index };

struct Expr {
  std::variant<Number, String, Bool, Name, List, Unary, Binary, Call, Index> node;
  Span span;  // the whole expression; for a call, from the callee to the ')'

  ExprKind kind() const { return static_cast<ExprKind>(node.index()); }
  template <typename T>
  const T& as() const {
    return std::get<T>(node);
  }
  template <typename T>
  const T* get_if() const {
    return std::get_if<T>(&node);
  }
};

// ---------------------------------------------------------------- statements

/// Statements between braces (or a whole def body).
struct Block {
  std::vector<Stmt> stmts;
  Span span;  // from '{' to '}' (for a one-line def: the expression)
};

/// let NAME = value: binds (or rebinds) a name in the current scope.
/// let A, B = value: unpacks a list (or a tensor's first axis) into A and B.
struct Let {
  Identifier name;
  Expr value;
  std::vector<Identifier> more;  // the names after the first (empty for one name)
};

/// param NAME = value: a trainable leaf, initialised from value.
struct Param {
  Identifier name;
  Expr value;
};

/// NAME = value: assignment to an existing name (the interpreter checks it exists).
struct Assign {
  Identifier name;
  Expr value;
};

/// def NAME(params) = expr   or   def NAME(params) { ... }
/// A one-line def is stored as a body holding one Return of its expression, so the
/// interpreter runs both forms the same way. The body is shared so a function value
/// can outlive the Program it was defined in (the REPL keeps definitions alive).
struct Def {
  Identifier name;
  std::vector<Identifier> params;
  std::shared_ptr<const Block> body;
  bool one_line;  // written as `def f(x) = expr`
};

/// return value: only valid inside a def body (the interpreter checks that).
struct Return {
  Expr value;
};

/// if cond { then } [else { ... } | else if ...]: `else if` is an else_block holding one If.
struct If {
  Expr condition;
  Block then_block;
  std::optional<Block> else_block;
};

/// for var in iterable { body }
struct For {
  Identifier var;
  Expr iterable;
  Block body;
};

/// print a, b, ...: at least one value; strings interpolate themselves.
struct Print {
  std::vector<Expr> values;
};

/// `batch SIZE from NAME, NAME...`: minibatches drawn from the named data bindings.
struct Batch {
  Expr size;
  std::vector<Identifier> from;  // at least one
};

/// train loss with optimizer for steps steps [log every N] [batch N from xs, ys]
///       [record grads to PATH] [quiet]    (options in any order, each at most once)
struct Train {
  Expr loss;
  Expr optimizer;  // e.g. the call adam(lr=0.01)
  Expr steps;
  std::optional<Expr> log_every;     // `log every N`
  std::optional<Batch> batch;        // `batch N from xs, ys`
  std::optional<Expr> record_grads;  // `record grads to PATH`: the path expression
  bool quiet;                        // `quiet`
};

/// grad target [wrt x, y, ...]: show gradients of target with respect to each; empty
/// wrt means every param reachable from target.
struct Grad {
  Expr target;
  std::vector<Expr> wrt;
};

/// trace target [check] [full] [to PATH]
struct Trace {
  Expr target;
  bool check;              // `check`: also gradcheck each node
  bool full;               // `full`: no abbreviation
  std::optional<Expr> to;  // `to PATH`: write (format from the extension, e.g. .dot)
};

/// gradcheck target [wrt x, y, ...]: empty wrt means every param reachable from target.
struct GradCheck {
  Expr target;
  std::vector<Expr> wrt;
};

/// One plotted series: `expr [as label]`.
struct Series {
  Expr value;
  std::optional<Expr> label;  // `as "fit"`
};

/// plot [kind] subject [: series, ...] [to PATH] [with kw=value, ...]
///   plot xs: sin(xs) as "target"    -> kind line, subject xs (x values), one series
///   plot scatter X: y               -> subject X, series y
///   plot regions f: X, y            -> subject f (a function), series X and y
///   plot hist counts                -> subject counts, no series
struct Plot {
  PlotKind kind;                    // line when not written
  Expr subject;                     // x values, a function (regions) or data (hist)
  std::vector<Series> series;       // after ':'; may be empty
  std::optional<Expr> to;           // output path
  std::vector<KeywordArg> options;  // after `with`: title="fit", logy=true
};

/// pattern model at point: show the activation pattern of model at the point.
struct Pattern {
  Expr model;
  Expr point;
};

/// save a, b, ... to PATH: the values are usually names of params.
struct Save {
  std::vector<Expr> values;
  Expr path;
};

/// load PATH
struct Load {
  Expr path;
};

/// import PATH: run another script in the current session.
struct Import {
  Expr path;
};

/// A bare expression; the REPL prints its value.
struct ExprStmt {
  Expr value;
};

// ORDER STMTKIND: the variant below lists the nodes in this order.
enum class StmtKind {
  let,
  param,
  assign,
  def,
  return_,
  if_,
  for_,
  print,
  train,
  grad,
  trace,
  gradcheck,
  plot,
  pattern,
  save,
  load,
  import,
  expr,
};

struct Stmt {
  std::variant<Let, Param, Assign, Def, Return, If, For, Print, Train, Grad, Trace, GradCheck, Plot, Pattern,
               Save, Load, Import, ExprStmt>
      node;
  Span span;  // the whole statement, from its first token to its last

  StmtKind kind() const { return static_cast<StmtKind>(node.index()); }
  template <typename T>
  const T& as() const {
    return std::get<T>(node);
  }
  template <typename T>
  const T* get_if() const {
    return std::get_if<T>(&node);
  }
};

/// A whole script or REPL entry: the statements in order.
struct Program {
  std::vector<Stmt> stmts;
};

// ---------------------------------------------------------------- printing

/// S-expression form used by the parser's golden tests, one statement per line:
///   (let xs (call linspace (neg 3) 3 200))
/// With `spans`, every node is followed by @begin:end byte offsets.
std::string to_sexpr(const Program& program, bool spans = false);
std::string to_sexpr(const Expr& expr, bool spans = false);

}  // namespace hinge::lang::syntax
