// Elementwise math and activation builtins: abs exp log ... relu sigmoid gelu,
// clamp, where, minimum, maximum, pow. On plain numbers they return plain numbers
// (Note [Numbers stay numbers]).
#include <fmt/format.h>

#include "builtins/family.hpp"

namespace hinge::lang::detail {

namespace {

// f(x) for a one-input op: a number in, a number out; a tensor in, a tensor out.
template <Tensor (*Op)(Tensor)>
Value unary(BuiltinContext& ctx, const Args& args) {
  if (all_numbers(args, {"x"})) {
    const double x = args.number("x");
    return Value(on_scalars(ctx, [&] { return Op(ctx.graph.scalar(x)); }));
  }
  return Value(Op(args.tensor("x", ctx)));
}

// f(a, b) for a two-input op.
template <Tensor (*Op)(Tensor, Tensor)>
Value binary(BuiltinContext& ctx, const Args& args) {
  if (all_numbers(args, {"a", "b"})) {
    const double a = args.number("a"), b = args.number("b");
    return Value(on_scalars(ctx, [&] { return Op(ctx.graph.scalar(a), ctx.graph.scalar(b)); }));
  }
  return Value(Op(args.tensor("a", ctx), args.tensor("b", ctx)));
}

// An op with a constant parameter (leaky_relu's alpha, elu's alpha).
template <Tensor (*Op)(Tensor, double)>
Value unary_with(BuiltinContext& ctx, const Args& args, std::string_view param) {
  const double alpha = args.number(param);
  if (all_numbers(args, {"x"})) {
    const double x = args.number("x");
    return Value(on_scalars(ctx, [&] { return Op(ctx.graph.scalar(x), alpha); }));
  }
  return Value(Op(args.tensor("x", ctx), alpha));
}

Value leaky_relu_fn(BuiltinContext& ctx, const Args& args) {
  return unary_with<static_cast<Tensor (*)(Tensor, double)>(&hinge::leaky_relu)>(ctx, args, "alpha");
}

Value elu_fn(BuiltinContext& ctx, const Args& args) {
  return unary_with<static_cast<Tensor (*)(Tensor, double)>(&hinge::elu)>(ctx, args, "alpha");
}

Value clamp_fn(BuiltinContext& ctx, const Args& args) {
  const double lo = args.number("lo"), hi = args.number("hi");
  if (!(lo <= hi)) args.fail("lo", fmt::format("clamp: 'lo' ({}) must not exceed 'hi' ({})", lo, hi));
  if (all_numbers(args, {"x"})) {
    const double x = args.number("x");
    return Value(on_scalars(ctx, [&] { return hinge::clamp(ctx.graph.scalar(x), lo, hi); }));
  }
  return Value(hinge::clamp(args.tensor("x", ctx), lo, hi));
}

// pow(x, p): a number exponent uses the constant-exponent op (x^2 is exactly x*x).
Value pow_fn(BuiltinContext& ctx, const Args& args) {
  const Value& p = args.value("p");
  if (p.is_number()) {
    const double c = p.number();
    if (all_numbers(args, {"x"})) {
      const double x = args.number("x");
      return Value(on_scalars(ctx, [&] { return hinge::pow(ctx.graph.scalar(x), c); }));
    }
    return Value(hinge::pow(args.tensor("x", ctx), c));
  }
  return Value(hinge::pow(args.tensor("x", ctx), args.tensor("p", ctx)));
}

// where(c, a, b): c may also be a bool (the result of comparing two numbers).
Value where_fn(BuiltinContext& ctx, const Args& args) {
  const Value& c = args.value("c");
  if (c.is_bool() || (c.is_number() && all_numbers(args, {"a", "b"}))) {
    const bool yes = c.is_bool() ? std::get<bool>(c.v) : c.number() != 0;
    if (all_numbers(args, {"a", "b"})) return Value(args.number(yes ? "a" : "b"));
    const Tensor cond = ctx.graph.scalar(yes ? 1.0 : 0.0);
    return Value(hinge::where(cond, args.tensor("a", ctx), args.tensor("b", ctx)));
  }
  return Value(hinge::where(args.tensor("c", ctx), args.tensor("a", ctx), args.tensor("b", ctx)));
}

using U = Tensor (*)(Tensor);
using B = Tensor (*)(Tensor, Tensor);

// ORDER: alphabetical within each category.
// constinit: Note [Constant builtin tables] in builtins/table.cpp.
constinit const Builtin kMath[] = {
    {"abs", "x", "absolute value |x| (gradient 0 at 0)", "abs(linspace(-2, 2, 5))",
     unary<static_cast<U>(&hinge::abs)>, "math"},
    {"clamp", "x, lo, hi", "x limited to [lo, hi]; the gradient passes only inside",
     "clamp(linspace(-2, 2, 5), -1, 1)", clamp_fn, "math"},
    {"cos", "x", "cosine", "cos(pi)", unary<static_cast<U>(&hinge::cos)>, "math"},
    {"erf", "x", "the error function", "erf(linspace(-2, 2, 5))", unary<static_cast<U>(&hinge::erf)>, "math"},
    {"exp", "x", "e to the power x", "exp(1)", unary<static_cast<U>(&hinge::exp)>, "math"},
    {"log", "x", "natural logarithm", "log(e)", unary<static_cast<U>(&hinge::log)>, "math"},
    {"maximum", "a, b",
     "elementwise larger of a and b (broadcasting); at a tie each gets half the gradient (as in PyTorch)",
     "maximum(linspace(-2, 2, 5), 0)", binary<static_cast<B>(&hinge::maximum)>, "math"},
    {"minimum", "a, b",
     "elementwise smaller of a and b (broadcasting); at a tie each gets half the gradient (as in PyTorch)",
     "minimum(linspace(-2, 2, 5), 0)", binary<static_cast<B>(&hinge::minimum)>, "math"},
    {"pow", "x, p", "x to the power p (also written x ^ p)", "pow(linspace(0, 2, 5), 2)", pow_fn, "math"},
    {"sign", "x", "-1, 0 or 1 by the sign of x (no gradient)", "sign(linspace(-2, 2, 5))",
     unary<static_cast<U>(&hinge::sign)>, "math"},
    {"sin", "x", "sine", "sin(linspace(0, pi, 5))", unary<static_cast<U>(&hinge::sin)>, "math"},
    {"sqrt", "x", "square root", "sqrt(2)", unary<static_cast<U>(&hinge::sqrt)>, "math"},
    {"where", "c, a, b", "a where c is nonzero (true), else b; no gradient to c",
     "where(linspace(-2, 2, 5) > 0, 1, -1)", where_fn, "math"},

    {"elu", "x, alpha=1", "x for x > 0, alpha (exp(x) - 1) below", "elu(linspace(-2, 2, 5))", elu_fn,
     "activation"},
    {"gelu", "x", "x Phi(x): x times the standard normal CDF", "gelu(linspace(-2, 2, 5))",
     unary<static_cast<U>(&hinge::gelu)>, "activation"},
    {"leaky_relu", "x, alpha=0.01", "x for x > 0, alpha x below", "leaky_relu(linspace(-2, 2, 5), alpha=0.1)",
     leaky_relu_fn, "activation"},
    {"relu", "x", "max(x, 0): the unit that bends (gradient 0 at 0)", "relu(linspace(-2, 2, 5))",
     unary<static_cast<U>(&hinge::relu)>, "activation"},
    {"sigmoid", "x", "1 / (1 + exp(-x)); slope at most 0.25", "sigmoid(linspace(-2, 2, 5))",
     unary<static_cast<U>(&hinge::sigmoid)>, "activation"},
    {"softplus", "x", "log(1 + exp(x)): a smooth relu", "softplus(linspace(-2, 2, 5))",
     unary<static_cast<U>(&hinge::softplus)>, "activation"},
    {"step", "x", "1 for x > 0, else 0; its gradient is 0 everywhere", "step(linspace(-2, 2, 5))",
     unary<static_cast<U>(&hinge::step)>, "activation"},
    {"tanh", "x", "hyperbolic tangent; slope 1 at 0", "tanh(linspace(-2, 2, 5))",
     unary<static_cast<U>(&hinge::tanh)>, "activation"},
};

}  // namespace

std::span<const Builtin> math_builtins() { return kMath; }

}  // namespace hinge::lang::detail
