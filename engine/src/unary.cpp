// Elementwise unary ops and activations. Each op is a forward formula, a local
// derivative for the numeric backward, and a graph-building adjoint (ORDER OPKIND).
#include <cmath>

#include <fmt/format.h>

#include "hinge/errors.hpp"
#include "kernels.hpp"
#include "op_table.hpp"

namespace hinge {
namespace detail {
namespace {

Tensor arg0(Graph& g, NodeId self) { return {&g, g[self].in[0]}; }
Tensor self_t(Graph& g, NodeId self) { return {&g, self}; }

// out[k] = f(a[k], attr)
template <class T, class F>
void forward_unary(Graph& g, Node& n, F f) {
  const T* a = in(g, n, 0).v<T>();
  T* o = n.v<T>();
  for (int64_t k = 0, N = n.numel; k < N; ++k) o[k] = f(a[k]);
}

// ga[k] += go[k] * d(a[k], out[k]), d being the local derivative.
template <class T, class D>
void backward_unary(Graph& g, Node& n, D d) {
  Node& A = in(g, n, 0);
  const T* a = A.v<T>();
  const T* o = n.v<T>();
  const T* go = n.g<T>();
  T* ga = A.g<T>();
  for (int64_t k = 0, N = n.numel; k < N; ++k) ga[k] += go[k] * d(a[k], o[k]);
}

// ---- neg ----
template <class T> void neg_fwd(Graph& g, Node& n) { forward_unary<T>(g, n, [](T a) { return -a; }); }
template <class T> void neg_bwd(Graph& g, Node& n) { backward_unary<T>(g, n, [](T, T) { return T(-1); }); }
void neg_vjp(Graph&, NodeId, Tensor adj, std::span<Tensor> c) { c[0] = neg(adj); }

// ---- log ----
template <class T> void log_fwd(Graph& g, Node& n) { forward_unary<T>(g, n, [](T a) { return std::log(a); }); }
template <class T> void log_bwd(Graph& g, Node& n) { backward_unary<T>(g, n, [](T a, T) { return T(1) / a; }); }
void log_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) { c[0] = adj / arg0(g, self); }

// ---- relu: relu'(0) = 0 (the gate is closed at exactly 0) ----
template <class T> void relu_fwd(Graph& g, Node& n) {
  forward_unary<T>(g, n, [](T a) { return a > T(0) ? a : T(0); });
}
template <class T> void relu_bwd(Graph& g, Node& n) {
  backward_unary<T>(g, n, [](T a, T) { return a > T(0) ? T(1) : T(0); });
}
void relu_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor a = arg0(g, self);
  c[0] = adj * gt(a, g.scalar(0.0, a.dtype()));
}

#define HINGE_ROW(op)                                                                        \
  OpImplRow {                                                                                \
    OpKind::op, OpImpl {                                                                     \
      [](Graph& g, Node& n) { dispatch(n.dtype, [&]<class T>() { op##_fwd<T>(g, n); }); },   \
      [](Graph& g, Node& n) { dispatch(n.dtype, [&]<class T>() { op##_bwd<T>(g, n); }); },   \
      op##_vjp                                                                               \
    }                                                                                        \
  }
constexpr OpImplRow kRows[] = {HINGE_ROW(neg), HINGE_ROW(log), HINGE_ROW(relu)};
#undef HINGE_ROW

Tensor make_unary(OpKind op, Tensor a, const Attr& attr = {}) {
  const NodeId ins[1] = {a.id};
  return {a.g, a.g->add_node(op, ins, a.shape(), a.dtype(), attr)};
}

}  // namespace

const std::span<const OpImplRow> kUnaryImpls = kRows;

}  // namespace detail

Tensor neg(Tensor a) { return detail::make_unary(OpKind::neg, a); }
Tensor log(Tensor a) { return detail::make_unary(OpKind::log, a); }
Tensor relu(Tensor a) { return detail::make_unary(OpKind::relu, a); }

}  // namespace hinge
