// Builtins: the table of functions a script can call (relu, linspace, adam, csv...),
// each with its signature, a one-line doc and an example for `:help NAME`, and the
// argument binder that checks arity, keywords and types with errors at the argument.
#pragma once
#include <cstdio>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eval/value.hpp"
#include "hinge/backward.hpp"
#include "syntax/diagnostics.hpp"

namespace hinge {
class Graph;
class Rng;
}  // namespace hinge

namespace hinge::lang {

// What a builtin may use of the session: the graph new tensors go into (in its
// dtype), the seeded RNG, where relative file paths are resolved, and where to
// print.
//
// `call` is optional: when set, builtins that take a function argument (sample)
// can call user functions through the interpreter; without it they accept only
// builtins and report "needs a builtin function here" for a `def` function. The
// interpreter calls `fn` (a Function or Builtin value) with positional `args`
// and reports errors inside it itself.
//   BuiltinContext ctx{graph, rng, ".", stdout};
//   ctx.call = [&](const Value& fn, std::vector<Value> args) { return interp.call(fn, args); };
struct BuiltinContext {
  Graph& graph;
  Rng& rng;
  std::string base_dir;  // directory of the running script ("." in the REPL)
  std::FILE* out;
  std::function<Value(const Value& fn, std::vector<Value> args)> call = {};
  // The session's trainable parameters by name, in name order (for summary()).
  std::function<std::vector<std::pair<std::string, Tensor>>()> params = {};
  // Labels the nodes a graph-building gradient made with the forward node each
  // belongs to, for trace (Note [gradient is a node] in analysis.cpp).
  std::function<void(const std::vector<BackwardNode>&)> label_backward = {};
  // Why no gradient reaches t, written at `span` (Note [No gradient reaches it] in
  // eval/grad.cpp): gradient() and the grad statement say the same.
  std::function<std::string(const Tensor& t, Span span)> no_gradient = {};
};

// One argument as written at the call site.
struct Arg {
  Value value;
  // Where it was written (errors point here). For a keyword argument, the keyword
  // (`lrr` in `lrr=0.1`), so "unknown keyword" errors put the caret under it.
  Span span;
};

// The arguments of one call, bound to a builtin's parameters by name. A builtin's
// parameter list is written like a Python signature in Builtin::params:
//   "x, axis=none, keepdims=false"      "*parts, axis=0"
// Defaults are hinge literals: none, true, false, numbers (1e-8, -1), "strings",
// shapes ([1, 2]). `*parts` collects the remaining positional arguments into a
// List value (parameters after it are keyword-only). Positional arguments fill
// parameters in order; keywords fill them by name; unknown keywords, duplicates,
// missing required parameters and too many arguments are errors raised at the
// right span before the builtin runs (the constructor throws lang::Error):
//   relu() takes 1 argument (x), got 2                      at the extra argument
//   unknown keyword 'lrr' for adam(); did you mean 'lr'?    at the keyword
//   missing argument 'n' for linspace(start, stop, n)       at the call
//   'axis' given twice                                      at the second one
class Args {
 public:
  Args(const struct Builtin& b, std::vector<Arg> positional,
       std::vector<std::pair<std::string, Arg>> keywords, Span call_span);

  bool has(std::string_view name) const;            // given by the caller (not defaulted)
  const Value& value(std::string_view name) const;  // the argument or its default
  Span span(std::string_view name) const;           // where it was written (the call if defaulted)
  Span call_span() const { return call_span_; }
  const struct Builtin& builtin() const { return builtin_; }

  // Typed access; each throws lang::Error at the argument's span with a message
  // like "relu: 'x' must be a tensor or a number, got a string".
  Tensor tensor(std::string_view name, BuiltinContext& ctx) const;  // numbers become scalar constants
  double number(std::string_view name) const;                       // one-element tensors allowed
  int64_t integer(std::string_view name) const;                     // must be a whole number
  bool boolean(std::string_view name) const;
  const std::string& string(std::string_view name) const;
  std::vector<int64_t> shape(std::string_view name) const;  // [2, 3], a number, or a 1-D tensor
  std::vector<int> axes(std::string_view name) const;       // none -> empty (all axes)

  [[noreturn]] void fail(std::string_view name, std::string message) const;  // error at that argument
  // The same with a note (render_note): where in a file the argument named the error lies.
  [[noreturn]] void fail(std::string_view name, std::string message, std::string note) const;

 private:
  int find(std::string_view name) const;  // index of a parameter; a bug in the builtin if absent

  const struct Builtin& builtin_;
  std::vector<std::string> names_;  // parameter names in order
  std::vector<Value> values_;       // bound or default value per parameter
  std::vector<Span> spans_;
  std::vector<bool> given_;
  Span call_span_;
};

// A builtin's body. It may throw lang::Error (at an argument, through Args) or
// hinge::Error from the engine (a shape mismatch in matmul, say), which the
// interpreter reports at the call.
using BuiltinFn = Value (*)(BuiltinContext& ctx, const Args& args);

struct Builtin {
  std::string_view name;
  std::string_view params;   // "x, axis=none, keepdims=false" ("*parts" for variadic)
  std::string_view doc;      // one line: what it computes
  std::string_view example;  // a line of hinge that runs: "relu(linspace(-2, 2, 5))"
  BuiltinFn fn;
  // For :help and BUILTINS.md, in this order: "math", "activation", "tensor",
  // "shape", "reduction", "random", "loss", "optimizer", "data", "analysis".
  std::string_view category;
};

// Every builtin, sorted by name (for :help and tab completion).
std::span<const Builtin> builtins();
// The builtin called `name`, or nullptr.
const Builtin* find_builtin(std::string_view name);
// Named constants (pi, e; inf is deliberately absent).
std::span<const std::pair<std::string_view, double>> constants();
// The categories in display order (see Builtin::category).
std::span<const std::string_view> builtin_categories();

}  // namespace hinge::lang
