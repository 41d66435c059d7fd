// Analysis builtins: numbers an experiment measures about a model rather than
// computes with it. gradient(y, x) gives reverse mode's dy/dx as a tensor, so a
// script can plot a derivative or a per-layer gradient norm; snapshot(x) keeps
// values from before training, which every other binding forgets.
#include <fmt/format.h>

#include "builtins/family.hpp"
#include "hinge/backward.hpp"
#include "hinge/graph.hpp"

namespace hinge::lang::detail {

namespace {

// Note [gradient is a snapshot]
// gradient() returns the numbers of dy/dx at the moment it is called, as a
// constant (no gradient path back, like detach). It is the `grad` statement's
// computation with the result kept instead of printed: engine grad(), which
// leaves every stored .grad untouched. Being a constant, a binding of it is not
// refreshed after `train`; call gradient() again to see the trained gradient.
//
// x must be something gradients reach: a param, or a value computed from one.
// For a constant, reverse mode has nothing to say (the answer would be all
// zeros, which reads like a vanishing gradient), so that is an error telling
// how to make x differentiable.
Value gradient_fn(BuiltinContext& ctx, const Args& args) {
  const Value& yv = args.value("y");
  if (!yv.is_tensor())
    args.fail("y", fmt::format("gradient: 'y' must be a tensor that depends on x, got {}", describe(yv)));
  const Tensor y = yv.tensor();
  if (y.numel() != 1)
    args.fail("y", fmt::format("gradient: 'y' must have one element, got a tensor {} (use sum or mean)",
                               to_string(y.shape())));
  const Value& xv = args.value("x");
  if (!xv.is_tensor())
    args.fail("x", fmt::format("gradient: 'x' must be a tensor (a param), got {}", describe(xv)));
  const Tensor x = xv.tensor();
  if (!x.requires_grad())
    args.fail("x",
              "gradient: 'x' is a constant, so no gradient reaches it; make it a param "
              "(param xs = linspace(-5, 5, 101)) or compute it from one");
  NoGradScope no_grad(ctx.graph);
  return Value(grad(y, {x}, false).front());
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

const Builtin kAnalysisBuiltins[] = {
    {"gradient", "y, x",
     "dy/dx by reverse mode, shape of x: y has one element, x is a param or computed from one; a constant "
     "snapshot, not refreshed by train",
     "param p = linspace(-2, 2, 5); print gradient(sum(relu(p)), p)", gradient_fn, "analysis"},
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
