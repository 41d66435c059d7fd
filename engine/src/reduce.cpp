// Reductions (sum, mean, max over chosen axes, keepdims) and the two broadcasting
// ops their gradients need: sum_to (reduce to a shape) and expand (broadcast up).
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "hinge/errors.hpp"
#include "kernels.hpp"
#include "op_rows.hpp"

namespace hinge {
namespace detail {
namespace {

// The reduced shape with the reduced axes kept as 1 (the frame the kernels use).
Shape keep_shape(const Shape& s, uint32_t axes) {
  Shape k = s;
  for (int i = 0; i < s.rank; ++i)
    if (axes & (1u << i)) k.dims[i] = 1;
  return k;
}

Shape reduced_shape(const Shape& s, uint32_t axes, bool keepdims) {
  if (keepdims) return keep_shape(s, axes);
  Shape r;
  for (int i = 0; i < s.rank; ++i)
    if (!(axes & (1u << i))) r.dims[r.rank++] = s.dims[i];
  return r;
}

uint32_t axes_mask(std::span<const int> axes, int rank, std::string_view op) {
  if (axes.empty()) return rank == 0 ? 0u : (1u << rank) - 1;
  uint32_t m = 0;
  for (int a : axes) {
    const uint32_t bit = 1u << normalize_axis(a, rank, op);
    if (m & bit) throw DomainError(fmt::format("axis {} is repeated in the axes of '{}'", a, op));
    m |= bit;
  }
  return m;
}

int64_t reduced_count(const Shape& s, uint32_t axes) {
  int64_t c = 1;
  for (int i = 0; i < s.rank; ++i)
    if (axes & (1u << i)) c *= s.dims[i];
  return c;
}

// o[j] = sum of a over the elements that reduce into j; `keep` is the output
// shape with reduced axes as 1 (it broadcasts to a's shape).
template <class T>
void sum_into(const T* a, const Shape& as, T* o, int64_t on, const Shape& keep) {
  for (int64_t j = 0; j < on; ++j) o[j] = 0;
  if (on == 1) {
    T s = 0;
    for (int64_t k = 0, n = as.numel(); k < n; ++k) s += a[k];
    o[0] = s;
    return;
  }
  for_each_broadcast(as, as, keep, [&](int64_t k, int64_t, int64_t j) { o[j] += a[k]; });
}

// ga[k] += scale * go[j] for every element k of a reducing into j; with `assign`
// (Note [Assigning backward]) ga[k] = ... instead. A full reduction is one loop.
template <class T>
void spread_into(bool assign, T* ga, const Shape& as, const T* go, const Shape& keep, T scale) {
  if (keep.numel() == 1) {
    const T v = scale * go[0];
    put_each(assign, ga, as.numel(), [v](int64_t) { return v; });
    return;
  }
  clear_if(assign, ga, as.numel());
  for_each_broadcast(as, as, keep, [&](int64_t k, int64_t, int64_t j) { ga[k] += scale * go[j]; });
}

Tensor arg0(Graph& g, NodeId self) { return {&g, g[self].in[0]}; }

// The adjoint of a reduction, broadcast back to the input's shape.
Tensor spread(Tensor adj, const Node& n, const Shape& in_shape) {
  return expand(reshape(adj,
                        [&] {
                          Shape k = keep_shape(in_shape, n.attr().axes);
                          return std::vector<int64_t>(k.dims.begin(), k.dims.begin() + k.rank);
                        }()),
                in_shape);
}

// ---- sum ----
template <class T>
void sum_fwd(Graph& g, Node& n) {
  const Node& a = in(g, n, 0);
  sum_into(a.v<T>(), a.shape(), n.v<T>(), n.numel(), keep_shape(a.shape(), n.attr().axes));
}
template <class T>
void sum_bwd(Graph& g, Node& n, unsigned as) {
  Node& a = in(g, n, 0);
  spread_into(as & 1u, a.g<T>(), a.shape(), n.g<T>(), keep_shape(a.shape(), n.attr().axes), T(1));
}
void sum_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  c[0] = spread(adj, g[self], arg0(g, self).shape());
}

// ---- mean ----
template <class T>
void mean_fwd(Graph& g, Node& n) {
  sum_fwd<T>(g, n);
  const T inv = T(1) / static_cast<T>(reduced_count(in(g, n, 0).shape(), n.attr().axes));
  for (int64_t j = 0, count = n.numel(); j < count; ++j) n.v<T>()[j] *= inv;
}
template <class T>
void mean_bwd(Graph& g, Node& n, unsigned as) {
  Node& a = in(g, n, 0);
  const T inv = T(1) / static_cast<T>(reduced_count(a.shape(), n.attr().axes));
  spread_into(as & 1u, a.g<T>(), a.shape(), n.g<T>(), keep_shape(a.shape(), n.attr().axes), inv);
}
void mean_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  const Shape s = arg0(g, self).shape();
  c[0] = spread(adj, g[self], s) / static_cast<double>(reduced_count(s, g[self].attr().axes));
}

// ---- max: ties share the gradient equally (so it sums to the adjoint) ----
template <class T>
void max_fwd(Graph& g, Node& n) {
  const Node& a = in(g, n, 0);
  T* o = n.v<T>();
  for (int64_t j = 0, count = n.numel(); j < count; ++j) o[j] = -std::numeric_limits<T>::infinity();
  const T* av = a.v<T>();
  for_each_broadcast(
      a.shape(), a.shape(), keep_shape(a.shape(), n.attr().axes),
      [&](int64_t k, int64_t, int64_t j) { o[j] = av[k] > o[j] || std::isnan(av[k]) ? av[k] : o[j]; });
}
template <class T>
void max_bwd(Graph& g, Node& n) {
  Node& a = in(g, n, 0);
  const Shape keep = keep_shape(a.shape(), n.attr().axes);
  const T* av = a.v<T>();
  const T* o = n.v<T>();
  T* count = static_cast<T*>(const_cast<void*>(n.attr().aux));  // scratch kept from creation
  for (int64_t j = 0, len = n.numel(); j < len; ++j) count[j] = 0;
  for_each_broadcast(a.shape(), a.shape(), keep,
                     [&](int64_t k, int64_t, int64_t j) { count[j] += av[k] == o[j]; });
  T* ga = a.g<T>();
  const T* go = n.g<T>();
  for_each_broadcast(a.shape(), a.shape(), keep, [&](int64_t k, int64_t, int64_t j) {
    if (av[k] == o[j]) ga[k] += go[j] / count[j];
  });
}
void max_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor a = arg0(g, self);
  const Node& n = g[self];
  Tensor mask = eq(a, spread(Tensor{&g, self}, n, a.shape()));
  std::vector<int> axes;
  for (int i = 0; i < a.rank(); ++i)
    if (n.attr().axes & (1u << i)) axes.push_back(i);
  Tensor count = expand(sum(mask, axes, true), a.shape());
  c[0] = spread(adj, n, a.shape()) * mask / count;
}

// ---- sum_to: reduce to the node's shape ----
template <class T>
void sum_to_fwd(Graph& g, Node& n) {
  const Node& a = in(g, n, 0);
  T* o = n.v<T>();
  for (int64_t j = 0, count = n.numel(); j < count; ++j) o[j] = 0;
  const T* av = a.v<T>();
  for_each_broadcast(a.shape(), a.shape(), n.shape(), [&](int64_t k, int64_t, int64_t j) { o[j] += av[k]; });
}
template <class T>
void sum_to_bwd(Graph& g, Node& n, unsigned as) {
  Node& a = in(g, n, 0);
  spread_into(as & 1u, a.g<T>(), a.shape(), n.g<T>(), n.shape(), T(1));
}
void sum_to_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  c[0] = expand(adj, arg0(g, self).shape());
}

// ---- expand: broadcast up to the node's shape ----
template <class T>
void expand_fwd(Graph& g, Node& n) {
  const Node& a = in(g, n, 0);
  T* o = n.v<T>();
  const T* av = a.v<T>();
  for_each_broadcast(n.shape(), a.shape(), a.shape(), [&](int64_t k, int64_t i, int64_t) { o[k] = av[i]; });
}
template <class T>
void expand_bwd(Graph& g, Node& n) {
  Node& a = in(g, n, 0);
  T* ga = a.g<T>();
  const T* go = n.g<T>();
  for_each_broadcast(n.shape(), a.shape(), a.shape(), [&](int64_t k, int64_t i, int64_t) { ga[i] += go[k]; });
}
void expand_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  c[0] = sum_to(adj, arg0(g, self).shape());
}

// sum, mean and sum_to can also assign (Note [Assigning backward]); max is compiled
// for baseline alone (Note [Kernels compiled once] in op_rows.hpp).
constexpr OpImplRow kRows[] = {HINGE_ASSIGN_ROW(sum), HINGE_ASSIGN_ROW(mean), HINGE_ROW_OF(max, baseline),
                               HINGE_ASSIGN_ROW(sum_to), HINGE_ROW(expand)};

Tensor make_reduce(OpKind op, Tensor a, std::span<const int> axes, bool keepdims) {
  Attr attr;
  attr.axes = static_cast<uint8_t>(axes_mask(axes, a.rank(), op_name(op)));
  attr.keepdims = keepdims;
  const Shape s = reduced_shape(a.shape(), attr.axes, keepdims);
  if (op == OpKind::max) {
    if (reduced_count(a.shape(), attr.axes) == 0 && a.numel() == 0)
      throw DomainError("'max' of an empty tensor");
    attr.aux_bytes = static_cast<uint32_t>(s.numel() * dtype_size(a.dtype()));  // tie counts
  }
  const NodeId ins[1] = {a.id};
  return {a.g, a.g->add_node(op, ins, s, a.dtype(), attr)};
}

}  // namespace

const std::span<const OpImplRow> kReduceImpls = kRows;

}  // namespace detail

Tensor sum(Tensor a, std::span<const int> axes, bool keepdims) {
  return detail::make_reduce(OpKind::sum, a, axes, keepdims);
}
Tensor mean(Tensor a, std::span<const int> axes, bool keepdims) {
  return detail::make_reduce(OpKind::mean, a, axes, keepdims);
}
Tensor max(Tensor a, std::span<const int> axes, bool keepdims) {
  return detail::make_reduce(OpKind::max, a, axes, keepdims);
}

Tensor sum_to(Tensor a, const Shape& s) {
  if (a.shape() == s) return a;
  if (!broadcasts_to(s, a.shape()))
    throw ShapeError(fmt::format("shape mismatch in 'sum_to': {} does not reduce to {}", to_string(a.shape()),
                                 to_string(s)));
  const NodeId ins[1] = {a.id};
  return {a.g, a.g->add_node(OpKind::sum_to, ins, s, a.dtype())};
}

Tensor expand(Tensor a, const Shape& s) {
  if (a.shape() == s) return a;
  if (!broadcasts_to(a.shape(), s))
    throw ShapeError(fmt::format("shape mismatch in 'expand': {} does not broadcast to {}",
                                 to_string(a.shape()), to_string(s)));
  const NodeId ins[1] = {a.id};
  return {a.g, a.g->add_node(OpKind::expand, ins, s, a.dtype())};
}

}  // namespace hinge
