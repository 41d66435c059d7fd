// softmax and log_softmax along one axis, computed stably (the max is subtracted
// before exponentiating so large logits do not overflow).
#include <cmath>

#include <fmt/format.h>

#include "hinge/errors.hpp"
#include "hinge/interrupt.hpp"
#include "kernels.hpp"
#include "op_rows.hpp"

namespace hinge {
namespace detail {
namespace {

Tensor self_t(Graph& g, NodeId self) { return {&g, self}; }

// The elements along axis attr.i[0] form `len` values `inner` apart; there are
// outer * inner such lines. Calls f(first, len, inner) for each.
template <class F>
void for_each_line(const Node& n, F&& f, bool poll = false) {
  const int axis = n.attr().i[0];
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= n.shape().dims[i];
  for (int i = axis + 1; i < n.shape().rank; ++i) inner *= n.shape().dims[i];
  const int64_t len = n.shape().rank == 0 ? 1 : n.shape().dims[axis];
  if (n.numel() == 0) return;  // no lines (and `outer * inner` may be huge)
  int64_t next_poll = kInterruptPollElements;
  for (int64_t o = 0; o < outer; ++o) {
    if (poll && (o + 1) * len * inner >= next_poll) {  // forward only: backward never throws
      throw_if_interrupted();
      next_poll = (o + 1) * len * inner + kInterruptPollElements;
    }
    for (int64_t j = 0; j < inner; ++j) f(o * len * inner + j, len, inner);
  }
}

// out = a - max - log(sum(exp(a - max))) on each line; softmax exponentiates it.
template <class T>
void log_softmax_into(const T* a, T* out, const Node& n) {
  for_each_line(
      n,
      [&](int64_t first, int64_t len, int64_t step) {
        T mx = -INFINITY;
        for (int64_t t = 0; t < len; ++t) mx = std::max(mx, a[first + t * step]);
        T s = 0;
        for (int64_t t = 0; t < len; ++t) s += std::exp(a[first + t * step] - mx);
        const T lse = mx + std::log(s);
        for (int64_t t = 0; t < len; ++t) out[first + t * step] = a[first + t * step] - lse;
      },
      /*poll=*/true);
}

// ---- softmax: ga = s * (g - sum(g * s)) along the axis ----
template <class T>
void softmax_fwd(Graph& g, Node& n) {
  T* o = n.v<T>();
  log_softmax_into(in(g, n, 0).v<T>(), o, n);
  for (int64_t k = 0, count = n.numel(); k < count; ++k) o[k] = std::exp(o[k]);
}
template <class T>
void softmax_bwd(Graph& g, Node& n) {
  const T* s = n.v<T>();
  const T* go = n.g<T>();
  T* ga = in(g, n, 0).g<T>();
  for_each_line(n, [&](int64_t first, int64_t len, int64_t step) {
    T dot = 0;
    for (int64_t t = 0; t < len; ++t) dot += go[first + t * step] * s[first + t * step];
    for (int64_t t = 0; t < len; ++t) {
      const int64_t k = first + t * step;
      ga[k] += s[k] * (go[k] - dot);
    }
  });
}
void softmax_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor s = self_t(g, self);
  const int axis[1] = {g[self].attr().i[0]};
  c[0] = s * (adj - sum(adj * s, axis, true));
}

// ---- log_softmax: ga = g - exp(out) * sum(g) along the axis ----
template <class T>
void log_softmax_fwd(Graph& g, Node& n) {
  log_softmax_into(in(g, n, 0).v<T>(), n.v<T>(), n);
}
template <class T>
void log_softmax_bwd(Graph& g, Node& n) {
  const T* o = n.v<T>();
  const T* go = n.g<T>();
  T* ga = in(g, n, 0).g<T>();
  for_each_line(n, [&](int64_t first, int64_t len, int64_t step) {
    T total = 0;
    for (int64_t t = 0; t < len; ++t) total += go[first + t * step];
    for (int64_t t = 0; t < len; ++t) {
      const int64_t k = first + t * step;
      ga[k] += go[k] - std::exp(o[k]) * total;
    }
  });
}
void log_softmax_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  const int axis[1] = {g[self].attr().i[0]};
  c[0] = adj - exp(self_t(g, self)) * sum(adj, axis, true);
}

constexpr OpImplRow kRows[] = {HINGE_ROW(softmax), HINGE_ROW(log_softmax)};

Tensor make_softmax(OpKind op, Tensor a, int axis) {
  Attr attr;
  // A scalar is a line of one element along its only "axis" (0 or -1).
  if (a.rank() == 0 && (axis == 0 || axis == -1))
    attr.i[0] = 0;
  else
    attr.i[0] = normalize_axis(axis, a.rank(), op_name(op));
  const NodeId ins[1] = {a.id};
  return {a.g, a.g->add_node(op, ins, a.shape(), a.dtype(), attr)};
}

}  // namespace

const std::span<const OpImplRow> kSoftmaxImpls = kRows;

}  // namespace detail

Tensor softmax(Tensor a, int axis) { return detail::make_softmax(OpKind::softmax, a, axis); }
Tensor log_softmax(Tensor a, int axis) { return detail::make_softmax(OpKind::log_softmax, a, axis); }

}  // namespace hinge
