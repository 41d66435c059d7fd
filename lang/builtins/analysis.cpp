// Analysis builtins: numbers an experiment measures about a model rather than
// computes with it. gradient(y, x) gives reverse mode's dy/dx as a node of the
// graph, so a script can plot a derivative, a per-layer gradient norm or a second
// derivative (hvp, hessian build on it); snapshot(x) keeps
// values from before training, which every other binding forgets.
#include <fmt/format.h>

#include "builtins/family.hpp"
#include "hinge/backward.hpp"
#include "hinge/graph.hpp"
#include "hinge/interrupt.hpp"

namespace hinge::lang::detail {

namespace {

// Note [gradient is a node]
// gradient(y, x) is dy/dx built as nodes of the session's graph by the engine's
// graph-building backward (grad with create_graph, Note [Gradient accumulation]):
// a live value like any other (Note [Live bindings]), refreshed when a param
// changes, and differentiable again, so gradient(gradient(y, x), x) is the second
// derivative, hvp() a Hessian-vector product, and a loss may contain a gradient (a
// gradient penalty) that train replays with the rest. It is the `grad`
// statement's computation with the result kept instead of printed; no stored
// .grad is touched. The nodes it builds are labelled with the forward node each
// belongs to (BuiltinContext::label_backward), so `trace` can say whose adjoint a
// row is.
//
// x must be something gradients reach: a param, or a value computed from one.
// For a constant, reverse mode has nothing to say (the answer would be all
// zeros, which reads like a vanishing gradient), so that is an error telling
// how to make x differentiable.

// y of one element, checked for the builtin `who`.
Tensor scalar_target(const Args& args, std::string_view who) {
  const Value& yv = args.value("y");
  if (!yv.is_tensor())
    args.fail("y", fmt::format("{}: 'y' must be a tensor that depends on x, got {}", who, describe(yv)));
  const Tensor y = yv.tensor();
  if (y.numel() != 1)
    args.fail("y", fmt::format("{}: 'y' must have one element, got a tensor {} (use sum or mean)", who,
                               to_string(y.shape())));
  return y;
}

// x, something gradients reach, checked for the builtin `who`.
Tensor wrt_arg(BuiltinContext& ctx, const Args& args, std::string_view who) {
  const Value& xv = args.value("x");
  if (!xv.is_tensor())
    args.fail("x", fmt::format("{}: 'x' must be a tensor (a param), got {}", who, describe(xv)));
  const Tensor x = xv.tensor();
  if (!x.requires_grad())
    args.fail("x", ctx.no_gradient ? ctx.no_gradient(x, args.span("x"))
                                   : fmt::format("{}: 'x' is a constant, so no gradient reaches it", who));
  return x;
}

// dy/dx as nodes (Note [gradient is a node]), labelled for trace.
Tensor graph_gradient(BuiltinContext& ctx, Tensor y, Tensor x) {
  std::vector<BackwardNode> made;
  const Tensor xs[] = {x};
  Tensor d = grad(y, xs, true, ctx.label_backward ? &made : nullptr).front();
  if (ctx.label_backward) ctx.label_backward(made);
  return d;
}

Value gradient_fn(BuiltinContext& ctx, const Args& args) {
  const Tensor y = scalar_target(args, "gradient");
  const Tensor x = wrt_arg(ctx, args, "gradient");
  return Value(graph_gradient(ctx, y, x));
}

// hvp(y, x, v) = H v with H the Hessian of y in x: the gradient of <dy/dx, v>,
// one more backward pass instead of the whole Hessian.
Value hvp_fn(BuiltinContext& ctx, const Args& args) {
  const Tensor y = scalar_target(args, "hvp");
  const Tensor x = wrt_arg(ctx, args, "hvp");
  const Tensor v = args.tensor("v", ctx);
  if (!(v.shape() == x.shape()))
    args.fail("v", fmt::format("hvp: 'v' must have the shape of x, {}, got {}", to_string(x.shape()),
                               to_string(v.shape())));
  const Tensor d = graph_gradient(ctx, y, x);
  const Tensor dv = sum(d * v);
  return Value(graph_gradient(ctx, dv, x));
}

// The largest x hessian() takes: one backward pass per element, n^2 numbers.
constexpr int64_t kMaxHessianElements = 256;

// hessian(y, x): the [n, n] matrix of second derivatives over the n elements of x
// (row-major), row i the gradient of dy/dx[i].
Value hessian_fn(BuiltinContext& ctx, const Args& args) {
  const Tensor y = scalar_target(args, "hessian");
  const Tensor x = wrt_arg(ctx, args, "hessian");
  const int64_t n = x.numel();
  if (n > kMaxHessianElements)
    args.fail("x", fmt::format("hessian: 'x' has {} elements, more than the {} hessian() takes (it runs one "
                               "backward pass per element); use hvp(y, x, v) for products with the Hessian",
                               n, kMaxHessianElements));
  const Tensor flat = reshape(graph_gradient(ctx, y, x), {n});
  std::vector<Tensor> rows;
  for (int64_t i = 0; i < n; ++i) {
    throw_if_interrupted();  // a row is a backward pass through y's whole graph
    rows.push_back(reshape(graph_gradient(ctx, index(flat, i), x), {1, n}));
  }
  return Value(concat(rows, 0));
}

// Note [snapshot]
// After `train`, the interpreter re-runs the forward pass of every tensor bound to
// a name, detach() included (it is an op of the graph), so "the open units at
// init" would silently become "the open units now". snapshot() copies the values
// into a new constant leaf, which nothing recomputes.
Value snapshot_fn(BuiltinContext& ctx, const Args& args) {
  const Value& v = args.value("x");
  if (v.is_number()) return v;
  const Tensor x = args.tensor("x", ctx);
  const std::vector<double> values = x.values();
  return Value(ctx.graph.constant(x.shape(), values, x.dtype()));
}

// summary(): what the session trains, a row per param and the total count.
Value summary_fn(BuiltinContext& ctx, const Args&) {
  const auto params = ctx.params ? ctx.params() : std::vector<std::pair<std::string, Tensor>>{};
  std::size_t width = 5;
  for (const auto& [name, t] : params) width = std::max(width, name.size());
  fmt::print(ctx.out, "{:<{}}  {:<14} {:>10}\n", "param", width, "shape", "count");
  int64_t total = 0;
  for (const auto& [name, t] : params) {
    fmt::print(ctx.out, "{:<{}}  {:<14} {:>10}\n", name, width, to_string(t.shape()), t.numel());
    total += t.numel();
  }
  fmt::print(ctx.out, "{} parameter{} in {} tensor{}\n", total, total == 1 ? "" : "s", params.size(),
             params.size() == 1 ? "" : "s");
  return Value();
}

// constinit: Note [Constant builtin tables] in builtins/table.cpp.
constinit const Builtin kAnalysisBuiltins[] = {
    {"gradient", "y, x",
     "dy/dx by reverse mode, shape of x: y has one element, x is a param or computed from one; a node of "
     "the graph, so it stays current and gradient(gradient(y, x), x) is the second derivative",
     "param p = linspace(-2, 2, 5); print gradient(sum(relu(p)), p)", gradient_fn, "analysis"},
    {"hessian", "y, x",
     "the [n, n] matrix of second derivatives of y (one element) over the n elements of x (row-major); "
     "x may have at most 256 elements",
     "param p = [1, 2]; print hessian(p[0] ^ 2 * p[1], p)", hessian_fn, "analysis"},
    {"hvp", "y, x, v",
     "the Hessian of y (one element) in x times v (shape of x), by one more backward pass: no Hessian is "
     "formed",
     "param p = [1, 2]; print hvp(p[0] ^ 2 * p[1], p, [1, 0])", hvp_fn, "analysis"},
    {"snapshot", "x",
     "the values of x now, as a constant that train does not refresh (detach is refreshed; this is not)",
     "param w = 1; let before = snapshot(w * 2); train (w - 3) ^ 2 with sgd(lr=0.5) for 1 steps quiet; "
     "print before, w * 2",
     snapshot_fn, "analysis"},
    {"summary", "", "prints every param of the session: its shape, its element count, and the total",
     "param w = zeros([2, 3]); param b = zeros([3]); summary()", summary_fn, "analysis"},
};

}  // namespace

std::span<const Builtin> analysis_builtins() { return kAnalysisBuiltins; }

}  // namespace hinge::lang::detail
