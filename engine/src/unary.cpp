// Elementwise unary ops and activations, plus where, cast and detach. Each op is a
// forward formula, a local derivative for the numeric backward, and a graph-building
// adjoint made of public ops so it can be differentiated again (ORDER OPKIND).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

#include <fmt/format.h>

#include "hinge/errors.hpp"
#include "kernels.hpp"
#include "op_rows.hpp"
#include "scalar_math.hpp"

namespace hinge {
namespace detail {
namespace {

using math::kInvSqrt2;
using math::kInvSqrt2Pi;
using math::kTwoOverSqrtPi;

Tensor arg(Graph& g, NodeId self, int k) { return {&g, g[self].input(k)}; }
Tensor arg0(Graph& g, NodeId self) { return arg(g, self, 0); }
Tensor self_t(Graph& g, NodeId self) { return {&g, self}; }
// A scalar constant of t's dtype (for masks and thresholds in the vjps).
Tensor lit(Tensor t, double v) { return t.g->scalar(v, t.dtype()); }

// out[k] = f(a[k])
template <class T, class F>
void forward_unary(Graph& g, Node& n, F f) {
  const T* a = in(g, n, 0).v<T>();
  T* o = n.v<T>();
  for (int64_t k = 0, N = n.numel(); k < N; ++k) o[k] = f(a[k]);
}

// ga[k] += go[k] * d(a[k], out[k]), d being the local derivative; with `assign`
// (Note [Assigning backward]) ga[k] = ... instead.
template <class T, class D>
void backward_unary(Graph& g, Node& n, unsigned assign, D d) {
  Node& A = in(g, n, 0);
  if (!A.requires_grad()) return;
  const T* a = A.v<T>();
  const T* o = n.v<T>();
  const T* go = n.g<T>();
  // The derivative in its own variable: GCC then if-converts a branchy d (relu's
  // a > 0 ? 1 : 0) and vectorizes without AVX-512 masks too; inline it keeps the branch.
  put_each(assign & 1u, A.g<T>(), n.numel(), [&](int64_t k) {
    const T dk = d(a[k], o[k]);
    const T gk = go[k];
    return gk * dk;
  });
}

// An input that gets exactly nothing: zeroed when its gradient is to be assigned.
template <class T>
void backward_nothing(Graph& g, Node& n, unsigned assign) {
  Node& A = in(g, n, 0);
  if (A.requires_grad()) clear_if(assign & 1u, A.g<T>(), A.numel());
}

// ---- neg ----
template <class T>
void neg_fwd(Graph& g, Node& n) {
  forward_unary<T>(g, n, [](T a) { return -a; });
}
template <class T>
void neg_bwd(Graph& g, Node& n, unsigned as) {
  backward_unary<T>(g, n, as, [](T, T) { return T(-1); });
}
void neg_vjp(Graph&, NodeId, Tensor adj, std::span<Tensor> c) { c[0] = neg(adj); }

// ---- abs: abs'(0) = 0 (the subgradient in the middle; sign(0) = 0) ----
template <class T>
void abs_fwd(Graph& g, Node& n) {
  forward_unary<T>(g, n, [](T a) { return std::abs(a); });
}
template <class T>
void abs_bwd(Graph& g, Node& n, unsigned as) {
  backward_unary<T>(g, n, as, [](T a, T) { return a > T(0) ? T(1) : a < T(0) ? T(-1) : T(0); });
}
void abs_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) { c[0] = adj * sign(arg0(g, self)); }

// ---- sign: -1, 0 or 1 (NaN stays NaN); no gradient (the node never requires grad) ----
template <class T>
void sign_fwd(Graph& g, Node& n) {
  forward_unary<T>(g, n, [](T a) { return a > T(0) ? T(1) : a < T(0) ? T(-1) : a == T(0) ? T(0) : a; });
}

// ---- exp: the derivative is the node itself ----
template <class T>
void exp_fwd(Graph& g, Node& n) {
  forward_unary<T>(g, n, [](T a) { return std::exp(a); });
}
template <class T>
void exp_bwd(Graph& g, Node& n, unsigned as) {
  backward_unary<T>(g, n, as, [](T, T o) { return o; });
}
void exp_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) { c[0] = adj * self_t(g, self); }

// ---- log ----
template <class T>
void log_fwd(Graph& g, Node& n) {
  forward_unary<T>(g, n, [](T a) { return std::log(a); });
}
template <class T>
void log_bwd(Graph& g, Node& n, unsigned as) {
  backward_unary<T>(g, n, as, [](T a, T) { return T(1) / a; });
}
void log_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) { c[0] = adj / arg0(g, self); }

// ---- sqrt: 1 / (2 sqrt(a)), from the node's value ----
template <class T>
void sqrt_fwd(Graph& g, Node& n) {
  forward_unary<T>(g, n, [](T a) { return std::sqrt(a); });
}
template <class T>
void sqrt_bwd(Graph& g, Node& n, unsigned as) {
  backward_unary<T>(g, n, as, [](T, T o) { return T(0.5) / o; });
}
void sqrt_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) { c[0] = adj * 0.5 / self_t(g, self); }

// ---- sin / cos ----
template <class T>
void sin_fwd(Graph& g, Node& n) {
  forward_unary<T>(g, n, [](T a) { return std::sin(a); });
}
template <class T>
void sin_bwd(Graph& g, Node& n, unsigned as) {
  backward_unary<T>(g, n, as, [](T a, T) { return std::cos(a); });
}
void sin_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) { c[0] = adj * cos(arg0(g, self)); }
template <class T>
void cos_fwd(Graph& g, Node& n) {
  forward_unary<T>(g, n, [](T a) { return std::cos(a); });
}
template <class T>
void cos_bwd(Graph& g, Node& n, unsigned as) {
  backward_unary<T>(g, n, as, [](T a, T) { return -std::sin(a); });
}
void cos_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) { c[0] = neg(adj * sin(arg0(g, self))); }

// ---- erf: erf'(a) = 2/sqrt(pi) e^(-a^2) ----
template <class T>
void erf_fwd(Graph& g, Node& n) {
  forward_unary<T>(g, n, [](T a) { return std::erf(a); });
}
template <class T>
void erf_bwd(Graph& g, Node& n, unsigned as) {
  backward_unary<T>(g, n, as, [](T a, T) { return math::erf_slope(a); });
}
void erf_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor a = arg0(g, self);
  c[0] = adj * exp(neg(a * a)) * kTwoOverSqrtPi;
}

// ---- powc: a^c for a constant c = attr.f[0]. c = 2 is a*a (exact for negative a,
// and so is its derivative 2a); c = 0 has derivative 0 even at a = 0, not 0 * inf. ----
template <class T>
void powc_fwd(Graph& g, Node& n) {
  const T c = static_cast<T>(n.attr().f[0]);
  forward_unary<T>(g, n, [c](T a) { return math::powc(a, c); });
}
template <class T>
void powc_bwd(Graph& g, Node& n, unsigned as) {
  const T c = static_cast<T>(n.attr().f[0]);
  if (c == T(0)) return backward_nothing<T>(g, n, as);  // constant: adds exactly 0
  backward_unary<T>(g, n, as, [c](T a, T) { return math::powc_slope(a, c); });
}
void powc_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  const double e = g[self].attr().f[0];
  Tensor a = arg0(g, self);
  if (e == 0) return;
  if (e == 1) {
    c[0] = adj;
  } else if (e == 2) {
    c[0] = adj * a * 2.0;
  } else {
    c[0] = adj * pow(a, e - 1) * e;
  }
}

// ---- clamp to [lo, hi] = [attr.f[0], attr.f[1]]: the gradient passes where
// lo <= a <= hi, bounds included (as PyTorch's clamp: the bounds are constants,
// so a at a bound keeps the whole gradient), and is 0 outside. ----
template <class T>
void clamp_fwd(Graph& g, Node& n) {
  const T lo = static_cast<T>(n.attr().f[0]), hi = static_cast<T>(n.attr().f[1]);
  forward_unary<T>(g, n, [lo, hi](T a) { return a < lo ? lo : a > hi ? hi : a; });
}
template <class T>
void clamp_bwd(Graph& g, Node& n, unsigned as) {
  const T lo = static_cast<T>(n.attr().f[0]), hi = static_cast<T>(n.attr().f[1]);
  backward_unary<T>(g, n, as, [lo, hi](T a, T) { return a >= lo && a <= hi ? T(1) : T(0); });
}
void clamp_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor a = arg0(g, self);
  const Attr& at = g[self].attr();
  c[0] = adj * ge(a, lit(a, at.f[0])) * le(a, lit(a, at.f[1]));
}

// ---- relu: relu'(0) = 0 (the gate is closed at exactly 0) ----
template <class T>
void relu_fwd(Graph& g, Node& n) {
  forward_unary<T>(g, n, [](T a) { return a > T(0) ? a : T(0); });
}
template <class T>
void relu_bwd(Graph& g, Node& n, unsigned as) {
  backward_unary<T>(g, n, as, [](T a, T) { return a > T(0) ? T(1) : T(0); });
}
void relu_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor a = arg0(g, self);
  c[0] = adj * gt(a, lit(a, 0));  // a mask without gradient: relu'' = 0 exactly
}

// ---- leaky_relu with alpha = attr.f[0]: the derivative at 0 is alpha (0 takes
// the negative side, as relu's closed gate does) ----
template <class T>
void leaky_relu_fwd(Graph& g, Node& n) {
  const T alpha = static_cast<T>(n.attr().f[0]);
  forward_unary<T>(g, n, [alpha](T a) { return a > T(0) ? a : alpha * a; });
}
template <class T>
void leaky_relu_bwd(Graph& g, Node& n, unsigned as) {
  const T alpha = static_cast<T>(n.attr().f[0]);
  backward_unary<T>(g, n, as, [alpha](T a, T) { return a > T(0) ? T(1) : alpha; });
}
void leaky_relu_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor a = arg0(g, self);
  c[0] = where(gt(a, lit(a, 0)), adj, adj * g[self].attr().f[0]);
}

// ---- elu with alpha = attr.f[0]: a > 0 ? a : alpha (e^a - 1). For a <= 0 the
// derivative alpha e^a is out + alpha (no second exp); elu'(0) = alpha. ----
template <class T>
void elu_fwd(Graph& g, Node& n) {
  const T alpha = static_cast<T>(n.attr().f[0]);
  forward_unary<T>(g, n, [alpha](T a) { return a > T(0) ? a : alpha * std::expm1(a); });
}
template <class T>
void elu_bwd(Graph& g, Node& n, unsigned as) {
  const T alpha = static_cast<T>(n.attr().f[0]);
  backward_unary<T>(g, n, as, [alpha](T a, T o) { return a > T(0) ? T(1) : o + alpha; });
}
void elu_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor a = arg0(g, self);
  c[0] = where(gt(a, lit(a, 0)), adj, adj * (self_t(g, self) + g[self].attr().f[0]));
}

// ---- gelu, exact form a Phi(a) with Phi(a) = erfc(-a/sqrt 2) / 2 (erfc keeps the
// left tail accurate); gelu' = Phi(a) + a phi(a) ----
template <class T>
void gelu_fwd(Graph& g, Node& n) {
  forward_unary<T>(g, n, [](T a) { return math::gelu(a); });
}
template <class T>
void gelu_bwd(Graph& g, Node& n, unsigned as) {
  backward_unary<T>(g, n, as, [](T a, T) { return math::gelu_slope(a); });
}
void gelu_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor a = arg0(g, self);
  Tensor cdf = (erf(a * kInvSqrt2) + 1.0) * 0.5;
  Tensor pdf = exp(a * a * -0.5) * kInvSqrt2Pi;
  c[0] = adj * (cdf + a * pdf);
}

// ---- softplus = max(a, 0) + log1p(e^-|a|): no overflow at any a; its derivative is sigmoid ----
template <class T>
void softplus_fwd(Graph& g, Node& n) {
  forward_unary<T>(g, n, [](T a) { return math::softplus(a); });
}
template <class T>
void softplus_bwd(Graph& g, Node& n, unsigned as) {
  backward_unary<T>(g, n, as, [](T a, T) { return math::sigmoid(a); });
}
void softplus_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  c[0] = adj * sigmoid(arg0(g, self));
}

// ---- sigmoid: s' = s (1 - s), with the node itself as s ----
template <class T>
void sigmoid_fwd(Graph& g, Node& n) {
  forward_unary<T>(g, n, [](T a) { return math::sigmoid(a); });
}
template <class T>
void sigmoid_bwd(Graph& g, Node& n, unsigned as) {
  backward_unary<T>(g, n, as, [](T, T s) { return s * (T(1) - s); });
}
void sigmoid_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor s = self_t(g, self);
  c[0] = adj * s * (1.0 - s);
}

// ---- tanh: t' = 1 - t^2 ----
template <class T>
void tanh_fwd(Graph& g, Node& n) {
  forward_unary<T>(g, n, [](T a) { return std::tanh(a); });
}
template <class T>
void tanh_bwd(Graph& g, Node& n, unsigned as) {
  backward_unary<T>(g, n, as, [](T, T t) { return T(1) - t * t; });
}
void tanh_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor t = self_t(g, self);
  c[0] = adj * (1.0 - t * t);
}

// ---- step: a > 0 ? 1 : 0. Unlike sign it stays on the gradient path, so the
// perceptron's weights are reached and receive exactly 0 (not a missing gradient):
// the backward adds nothing (no multiply, so even an inf adjoint gives 0, not NaN). ----
template <class T>
void step_fwd(Graph& g, Node& n) {
  forward_unary<T>(g, n, [](T a) { return a > T(0) ? T(1) : T(0); });
}
template <class T>
void step_bwd(Graph& g, Node& n, unsigned as) {
  backward_nothing<T>(g, n, as);
}
void step_vjp(Graph&, NodeId, Tensor, std::span<Tensor>) {}  // no contribution: grad() gives zeros

// ---- where(cond, a, b): cond != 0 ? a : b, all three broadcast; cond may be of
// either dtype and gets no gradient ----

// The general broadcast of where's three operands, out of line and compiled once
// for baseline x86-64, as binary.cpp's (Note [Broadcasting out of line] there):
// inlined, its index loops were most of where's code in every kernel set's
// wrapper.
template <class F>
[[gnu::noinline]] void broadcast3_general(const Shape& out, const Shape& a, const Shape& b, const Shape& c,
                                          F&& f) {
  for_each_broadcast3(out, a, b, c, f);
}

template <class T, class C>
void where_fwd_k(Graph& g, Node& n) {
  const Node &Cn = in(g, n, 0), &A = in(g, n, 1), &B = in(g, n, 2);
  const C* c = Cn.v<C>();
  const T* a = A.v<T>();
  const T* b = B.v<T>();
  T* o = n.v<T>();
  const int64_t N = n.numel();
  if (Cn.numel() == N && A.numel() == N && B.numel() == N) {
    for (int64_t k = 0; k < N; ++k) o[k] = c[k] != C(0) ? a[k] : b[k];
  } else {
    broadcast3_general(
        n.shape(), Cn.shape(), A.shape(), B.shape(),
        [&](int64_t k, int64_t ic, int64_t ia, int64_t ib) { o[k] = c[ic] != C(0) ? a[ia] : b[ib]; });
  }
}
template <class T, class C>
void where_bwd_k(Graph& g, Node& n) {
  Node &Cn = in(g, n, 0), &A = in(g, n, 1), &B = in(g, n, 2);
  const bool wa = A.requires_grad(), wb = B.requires_grad();
  const C* c = Cn.v<C>();
  const T* go = n.g<T>();
  T* ga = wa ? A.g<T>() : nullptr;
  T* gb = wb ? B.g<T>() : nullptr;
  const int64_t N = n.numel();
  if (Cn.numel() == N && A.numel() == N && B.numel() == N) {
    for (int64_t k = 0; k < N; ++k) {
      if (c[k] != C(0)) {
        if (wa) ga[k] += go[k];
      } else if (wb) {
        gb[k] += go[k];
      }
    }
  } else {
    broadcast3_general(n.shape(), Cn.shape(), A.shape(), B.shape(),
                       [&](int64_t k, int64_t ic, int64_t ia, int64_t ib) {
                         if (c[ic] != C(0)) {
                           if (wa) ga[ia] += go[k];
                         } else if (wb) {
                           gb[ib] += go[k];
                         }
                       });
  }
}
void where_fwd(Graph& g, Node& n) {
  dispatch_kernel(
      n.dtype, [&]<class T>() { dispatch(in(g, n, 0).dtype, [&]<class C>() { where_fwd_k<T, C>(g, n); }); });
}
void where_bwd(Graph& g, Node& n) {
  dispatch_kernel(
      n.dtype, [&]<class T>() { dispatch(in(g, n, 0).dtype, [&]<class C>() { where_bwd_k<T, C>(g, n); }); });
}
void where_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor cond = arg(g, self, 0), a = arg(g, self, 1), b = arg(g, self, 2);
  Tensor zero = lit(adj, 0);
  if (a.requires_grad()) c[1] = sum_to(where(cond, adj, zero), a.shape());
  if (b.requires_grad()) c[2] = sum_to(where(cond, zero, adj), b.shape());
}

// ---- cast: convert to the node's dtype; the gradient is cast back ----
void cast_fwd(Graph& g, Node& n) {
  const Node& A = in(g, n, 0);
  dispatch(n.dtype, [&]<class T>() {
    dispatch(A.dtype, [&]<class U>() {
      const U* a = A.v<U>();
      T* o = n.v<T>();
      for (int64_t k = 0, count = n.numel(); k < count; ++k) o[k] = static_cast<T>(a[k]);
    });
  });
}
void cast_bwd(Graph& g, Node& n) {
  Node& A = in(g, n, 0);
  if (!A.requires_grad()) return;
  dispatch(n.dtype, [&]<class T>() {
    dispatch(A.dtype, [&]<class U>() {
      const T* go = n.g<T>();
      U* ga = A.g<U>();
      for (int64_t k = 0, count = n.numel(); k < count; ++k) ga[k] += static_cast<U>(go[k]);
    });
  });
}
void cast_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  c[0] = cast(adj, arg0(g, self).dtype());
}

// ---- detach: a copy of the value that never requires grad ----
void detach_fwd(Graph& g, Node& n) {
  std::memcpy(n.val, in(g, n, 0).val, static_cast<std::size_t>(n.numel()) * dtype_size(n.dtype));
}

constexpr OpImplRow kRows[] = {
    HINGE_ELEMENTWISE_ROW(neg),
    HINGE_ELEMENTWISE_ROW(abs),
    HINGE_FORWARD_ROW(sign),
    HINGE_LIBM_FORWARD_ROW(exp),
    HINGE_LIBM_FORWARD_ROW(log),
    HINGE_ELEMENTWISE_ROW(sqrt),
    HINGE_LIBM_ROW(sin),
    HINGE_LIBM_ROW(cos),
    HINGE_LIBM_ROW(erf),
    HINGE_ELEMENTWISE_ROW(powc),
    HINGE_ELEMENTWISE_ROW(clamp),
    HINGE_ELEMENTWISE_ROW(relu),
    HINGE_ELEMENTWISE_ROW(leaky_relu),
    HINGE_LIBM_FORWARD_ROW(elu),
    HINGE_LIBM_ROW(gelu),
    HINGE_LIBM_ROW(softplus),
    HINGE_LIBM_FORWARD_ROW(sigmoid),
    HINGE_LIBM_FORWARD_ROW(tanh),
    HINGE_ELEMENTWISE_ROW(step),
    {OpKind::where, {where_fwd, where_bwd, where_vjp}},
    {OpKind::cast, {cast_fwd, cast_bwd, cast_vjp}},
    {OpKind::detach, {detach_fwd, no_bwd, no_vjp}},
};

Tensor make_unary(OpKind op, Tensor a, const Attr& attr) {
  const Node& A = a.node();
  if (A.shape().rank == 0 && attr.aux_bytes == 0) return {a.g, a.g->add_scalar_node(op, a.id, A, attr)};
  const NodeId ins[1] = {a.id};
  return {a.g, a.g->add_node(op, ins, a.shape(), a.dtype(), attr)};
}

// make_unary without an attribute, when not builds_scalar_unary(a): out of line
// with the ops' signature and noipa, as make_binary_rarely is (binary.cpp), so
// that relu reaches it by a jump.
HINGE_RARE_PATH Tensor make_unary_rarely(OpKind op, Tensor a) {
  const Node& A = a.node();
  if (A.shape().rank == 0) return {a.g, a.g->add_scalar_node(op, a.id, A, kNoNode, nullptr)};
  const NodeId ins[1] = {a.id};
  return {a.g, a.g->add_node(op, ins, a.shape(), a.dtype())};
}

// True when `op` of a is a node that build_scalar_unary builds: a is one number
// without an attribute, its value inline (its kInlineOf bit, Note [Inline
// scalars]), and the tape has a slot.
[[gnu::always_inline]] inline bool builds_scalar_unary(Tensor a) {
  return a.g->builds_inline_scalar(a.node(), nullptr);
}

// The node `op` of a, when builds_scalar_unary(a); for relu, with `op` a constant,
// built as add, sub and mul build theirs (binary.cpp): without a call.
[[gnu::always_inline]] inline NodeId build_scalar_unary(OpKind op, Tensor a) {
  return a.g->build_inline_scalar_node(op, a.id, a.node(), kNoNode, nullptr);
}

// make_unary without an attribute. Inlined into each op.
[[gnu::always_inline]] inline Tensor make_unary(OpKind op, Tensor a) {
  if (builds_scalar_unary(a)) [[likely]]
    return {a.g, build_scalar_unary(op, a)};
  return make_unary_rarely(op, a);
}

Attr with_f(double f0, double f1 = 0) {
  Attr at;
  at.f[0] = f0;
  at.f[1] = f1;
  return at;
}

// A node whose value carries no gradient, whatever its input (sign, detach).
Tensor without_grad(Tensor t) {
  t.node().flags &= ~kRequiresGrad;
  return t;
}

// numpy broadcasting of three shapes; the error names all three.
Shape where_shape(const Shape& c, const Shape& a, const Shape& b) {
  Shape out;
  out.rank = std::max({c.rank, a.rank, b.rank});
  for (int i = 0; i < out.rank; ++i) {
    int32_t d = 1;
    for (const Shape* s : {&c, &a, &b}) {
      const int j = s->rank - out.rank + i;
      const int32_t ds = j >= 0 ? s->dims[j] : 1;
      if (ds == 1) continue;
      if (d != 1 && d != ds)
        throw ShapeError(fmt::format("shape mismatch in 'where': {} vs {} vs {} (cond, a, b)", to_string(c),
                                     to_string(a), to_string(b)));
      d = ds;
    }
    out.dims[i] = d;
  }
  return out;
}

}  // namespace

const std::span<const OpImplRow> kUnaryImpls = kRows;

}  // namespace detail

using detail::make_unary;
using detail::with_f;

Tensor neg(Tensor a) { return make_unary(OpKind::neg, a); }
Tensor abs(Tensor a) { return make_unary(OpKind::abs, a); }
Tensor sign(Tensor a) { return detail::without_grad(make_unary(OpKind::sign, a)); }
Tensor exp(Tensor a) { return make_unary(OpKind::exp, a); }
Tensor log(Tensor a) { return make_unary(OpKind::log, a); }
Tensor sqrt(Tensor a) { return make_unary(OpKind::sqrt, a); }
Tensor sin(Tensor a) { return make_unary(OpKind::sin, a); }
Tensor cos(Tensor a) { return make_unary(OpKind::cos, a); }
Tensor erf(Tensor a) { return make_unary(OpKind::erf, a); }
Tensor pow(Tensor a, double c) { return make_unary(OpKind::powc, a, with_f(c)); }

Tensor clamp(Tensor a, double lo, double hi) {
  if (!(lo <= hi)) throw DomainError(fmt::format("bad bounds in 'clamp': lo {} is not <= hi {}", lo, hi));
  return make_unary(OpKind::clamp, a, with_f(lo, hi));
}

// make_unary with its two returns here, as add, sub and mul have theirs (binary.cpp).
Tensor relu(Tensor a) {
  if (!detail::builds_scalar_unary(a)) [[unlikely]]
    return detail::make_unary_rarely(OpKind::relu, a);
  return {a.g, detail::build_scalar_unary(OpKind::relu, a)};
}
Tensor leaky_relu(Tensor a, double alpha) { return make_unary(OpKind::leaky_relu, a, with_f(alpha)); }
Tensor elu(Tensor a, double alpha) { return make_unary(OpKind::elu, a, with_f(alpha)); }
Tensor gelu(Tensor a) { return make_unary(OpKind::gelu, a); }
Tensor softplus(Tensor a) { return make_unary(OpKind::softplus, a); }
Tensor sigmoid(Tensor a) { return make_unary(OpKind::sigmoid, a); }
Tensor tanh(Tensor a) { return make_unary(OpKind::tanh, a); }
Tensor step(Tensor a) { return make_unary(OpKind::step, a); }

Tensor where(Tensor cond, Tensor a, Tensor b) {
  if (cond.g != a.g || a.g != b.g) throw DomainError("'where' of tensors from different graphs");
  if (a.dtype() != b.dtype())
    throw DomainError(fmt::format("dtype mismatch in 'where': {} vs {} (use cast)", dtype_name(a.dtype()),
                                  dtype_name(b.dtype())));
  const Shape s = detail::where_shape(cond.shape(), a.shape(), b.shape());
  const NodeId ins[3] = {cond.id, a.id, b.id};
  Tensor t{a.g, a.g->add_node(OpKind::where, ins, s, a.dtype())};
  // cond gets no gradient, so it alone must not put the node on the gradient path.
  if (!a.requires_grad() && !b.requires_grad()) detail::without_grad(t);
  return t;
}

Tensor cast(Tensor a, DType t) {
  if (a.dtype() == t) return a;
  const NodeId ins[1] = {a.id};
  return {a.g, a.g->add_node(OpKind::cast, ins, a.shape(), t)};
}

Tensor detach(Tensor a) { return detail::without_grad(make_unary(OpKind::detach, a)); }

}  // namespace hinge
