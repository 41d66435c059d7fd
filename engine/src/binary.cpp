// Elementwise binary ops with numpy broadcasting: + - * / pow minimum maximum and
// the comparisons. Forward kernel, numeric backward and graph-building backward
// of each op sit together (ORDER OPKIND).
#include <cmath>
#include <cstdint>
#include <type_traits>

#include <fmt/format.h>

#include "hinge/errors.hpp"
#include "kernels.hpp"
#include "op_rows.hpp"
#include "operand_errors.hpp"

namespace hinge {
namespace detail {

// make_binary's every case but builds_scalar_binary's: operands of different
// graphs or dtypes (errors), a one-number operand with an attribute, a tape out of
// room, and operands that are not both one number, whose shapes broadcast. Out of
// line with the ops' own signature, so that add, sub and mul reach it by a jump (a
// sibling call) and keep no frame of their own (Note [Building scalar nodes] in
// graph.cpp); noipa, as a copy specialised for its callers would take other
// arguments and need a call. Not cold: every tensor op takes it.
HINGE_RARE_PATH static Tensor make_binary_rarely(OpKind op, Tensor a, Tensor b) {
  if (a.g != b.g) throw_graph_error(op_name(op));
  Graph& g = *a.g;
  const Node& A = g[a.id];
  const Node& B = g[b.id];
  if (A.dtype != B.dtype) throw_dtype_error(op_name(op), A.dtype, B.dtype);
  if (A.shape().rank == 0 && B.shape().rank == 0) return {&g, g.add_scalar_node(op, a.id, A, b.id, &B)};
  const Shape s = broadcast_shapes(A.shape(), B.shape(), op_name(op));
  const NodeId ins[2] = {a.id, b.id};
  return {&g, g.add_node(op, ins, s, A.dtype)};
}

// True when a op b is a node that build_scalar_binary builds: a and b are of one
// graph, one number each of one dtype, without attributes, their values inline
// (both carry one dtype's kInlineOf bit: one test of their flags, Note [Inline
// scalars]), and the tape has a slot. The graphs are compared first: the records
// are read only from the graph they belong to.
[[gnu::always_inline]] inline bool builds_scalar_binary(Tensor a, Tensor b) {
  if (a.g != b.g) return false;
  const Graph& g = *a.g;
  return g.builds_inline_scalar(g[a.id], &g[b.id]);
}

// The node a op b, when builds_scalar_binary(a, b). With `op` a constant where it
// is inlined, the switch over the op in Graph::scalar_forward and the node's
// flags are decided when the engine is compiled, not per node, and nothing is
// called (Note [Building scalar nodes]).
[[gnu::always_inline]] inline NodeId build_scalar_binary(OpKind op, Tensor a, Tensor b) {
  Graph& g = *a.g;
  return g.build_inline_scalar_node(op, a.id, g[a.id], b.id, &g[b.id]);
}

// Checks that a and b can meet in `op` and returns the node a op b: the inline
// path when builds_scalar_binary(a, b), else make_binary_rarely. For the ops that
// a scalar graph is seldom made of; add, sub and mul spell the same two steps out
// themselves (Note [Building scalar nodes]).
[[gnu::always_inline]] inline Tensor make_binary(OpKind op, Tensor a, Tensor b) {
  if (builds_scalar_binary(a, b)) [[likely]]
    return {a.g, build_scalar_binary(op, a, b)};
  return make_binary_rarely(op, a, b);
}

namespace {

// When `small` broadcasts to `out` only by repeating whole rows (its shape, less
// leading 1s, is out's trailing shape: a bias [n] added to [batch, n]), the row
// length; else 0. Such operands get a plain nested loop instead of index arithmetic.
int64_t row_length(const Shape& small, const Shape& out) {
  int lead = 0;
  while (lead < small.rank && small.dims[lead] == 1) ++lead;
  const int r = small.rank - lead;
  if (r == 0 || r > out.rank) return 0;
  int64_t len = 1;
  for (int i = 0; i < r; ++i) {
    if (small.dims[lead + i] != out.dims[out.rank - r + i]) return 0;
    len *= small.dims[lead + i];
  }
  return len;
}

// Note [Broadcasting out of line]
// The general broadcast (neither equal shapes, nor a scalar, nor a repeated row:
// [n, 1] against [1, m], say) walks four nested index loops that no vector unit
// speeds up. Inlined, it was half of what each op's kernels cost to compile in
// every kernel set's wrapper (binary.cpp: 42 -> 21 CPU seconds out of line).
// It stays out of line, compiled once for baseline x86-64 and called from every
// set: the same numbers, since no set fuses or reorders arithmetic (Note [Kernel
// sets] in cpu_dispatch.hpp).
template <class F>
[[gnu::noinline]] void broadcast_general(const Shape& out, const Shape& a, const Shape& b, F&& f) {
  for_each_broadcast(out, a, b, f);
}

// out[k] = f(a, b) over the broadcast elements, with fast paths for equal shapes,
// a scalar on either side and a repeated row (the common cases: no index arithmetic).
template <class T, class F>
void forward_binary(Graph& g, Node& n, F f) {
  const Node& A = in(g, n, 0);
  const Node& B = in(g, n, 1);
  T* o = n.v<T>();
  const T* a = A.v<T>();
  const T* b = B.v<T>();
  const int64_t N = n.numel();
  if (A.numel() == N && B.numel() == N) {
    for (int64_t k = 0; k < N; ++k) o[k] = f(a[k], b[k]);
  } else if (A.numel() == N && B.numel() == 1) {
    const T bv = b[0];
    for (int64_t k = 0; k < N; ++k) o[k] = f(a[k], bv);
  } else if (B.numel() == N && A.numel() == 1) {
    const T av = a[0];
    for (int64_t k = 0; k < N; ++k) o[k] = f(av, b[k]);
  } else if (int64_t len = A.numel() == N ? row_length(B.shape(), n.shape()) : 0) {
    for (int64_t r = 0; r < N; r += len)
      for (int64_t j = 0; j < len; ++j) o[r + j] = f(a[r + j], b[j]);
  } else if (int64_t len = B.numel() == N ? row_length(A.shape(), n.shape()) : 0) {
    for (int64_t r = 0; r < N; r += len)
      for (int64_t j = 0; j < len; ++j) o[r + j] = f(a[j], b[r + j]);
  } else {
    broadcast_general(n.shape(), A.shape(), B.shape(),
                      [&](int64_t k, int64_t ia, int64_t ib) { o[k] = f(a[ia], b[ib]); });
  }
}

// The derivative of + on either side and of - on the left: the output's gradient
// unchanged. backward_binary copies it over a full-size operand's gradient in one
// loop; a loop per row (the other operand a repeated row, a bias) became a call to
// memmove per row, which on tests/bench's scalar MLP as tensors (rows of 16
// floats) cost about 4% of its forward + backward.
template <class T>
struct PassGradient {
  T operator()(T, T, T, T go) const { return go; }
};

// grad_a[ia] += da(a, b, out, gout) and grad_b[ib] += db(...) for every element,
// skipping an input that does not require grad. Broadcast inputs accumulate, which
// is the sum over the broadcast axes their adjoint needs. Bit 0 / 1 of `assign`:
// a's / b's gradient is overwritten instead (Note [Assigning backward]); when a and
// b are the same node only bit 0 is set and a's pass runs first.
template <class T, class DA, class DB>
void backward_binary(Graph& g, Node& n, unsigned assign, DA da, DB db) {
  Node& A = in(g, n, 0);
  Node& B = in(g, n, 1);
  const T* a = A.v<T>();
  const T* b = B.v<T>();
  const T* o = n.v<T>();
  const T* go = n.g<T>();
  const bool wa = A.requires_grad(), wb = B.requires_grad();
  const bool sa = assign & 1u, sb = assign & 2u;
  T* ga = wa ? A.g<T>() : nullptr;
  T* gb = wb ? B.g<T>() : nullptr;
  const int64_t N = n.numel();
  if (A.numel() == N && B.numel() == N) {
    if (wa) put_each(sa, ga, N, [&](int64_t k) { return da(a[k], b[k], o[k], go[k]); });
    if (wb) put_each(sb, gb, N, [&](int64_t k) { return db(a[k], b[k], o[k], go[k]); });
  } else if (A.numel() == N && B.numel() == 1) {
    const T bv = b[0];
    if (wa) put_each(sa, ga, N, [&](int64_t k) { return da(a[k], bv, o[k], go[k]); });
    if (wb) {
      T s = 0;
      for (int64_t k = 0; k < N; ++k) s += db(a[k], bv, o[k], go[k]);
      gb[0] = sb ? s : gb[0] + s;
    }
  } else if (B.numel() == N && A.numel() == 1) {
    const T av = a[0];
    if (wa) {
      T s = 0;
      for (int64_t k = 0; k < N; ++k) s += da(av, b[k], o[k], go[k]);
      ga[0] = sa ? s : ga[0] + s;
    }
    if (wb) put_each(sb, gb, N, [&](int64_t k) { return db(av, b[k], o[k], go[k]); });
  } else if (int64_t len = A.numel() == N ? row_length(B.shape(), n.shape()) : 0) {
    // The row operand's gradient sums over rows (Note [Column sums in registers]).
    if (wa) {
      if constexpr (std::is_same_v<DA, PassGradient<T>>)
        put_each(sa, ga, N, [&](int64_t k) { return go[k]; });
      else
        for (int64_t r = 0; r < N; r += len)
          put_each(sa, ga + r, len, [&](int64_t j) { return da(a[r + j], b[j], o[r + j], go[r + j]); });
    }
    if (wb)
      sum_rows(sb, gb, N / len, len, [&](int64_t r, int64_t j) {
        const int64_t k = r * len + j;
        return db(a[k], b[j], o[k], go[k]);
      });
  } else if (int64_t len = B.numel() == N ? row_length(A.shape(), n.shape()) : 0) {
    if (wa)
      sum_rows(sa, ga, N / len, len, [&](int64_t r, int64_t j) {
        const int64_t k = r * len + j;
        return da(a[j], b[k], o[k], go[k]);
      });
    if (wb) {
      if constexpr (std::is_same_v<DB, PassGradient<T>>)
        put_each(sb, gb, N, [&](int64_t k) { return go[k]; });
      else
        for (int64_t r = 0; r < N; r += len)
          put_each(sb, gb + r, len, [&](int64_t j) { return db(a[j], b[r + j], o[r + j], go[r + j]); });
    }
  } else {
    if (wa) clear_if(sa, ga, A.numel());
    if (wb) clear_if(sb, gb, B.numel());
    broadcast_general(n.shape(), A.shape(), B.shape(), [&](int64_t k, int64_t ia, int64_t ib) {
      if (wa) ga[ia] += da(a[ia], b[ib], o[k], go[k]);
      if (wb) gb[ib] += db(a[ia], b[ib], o[k], go[k]);
    });
  }
}

// The inputs of node `self` as tensors.
Tensor arg(Graph& g, NodeId self, int k) { return {&g, g[self].input(k)}; }
Tensor out(Graph& g, NodeId self) { return {&g, self}; }

// ---- add ----
template <class T>
void add_fwd(Graph& g, Node& n) {
  forward_binary<T>(g, n, [](T a, T b) { return a + b; });
}
template <class T>
void add_bwd(Graph& g, Node& n, unsigned as) {
  backward_binary<T>(g, n, as, PassGradient<T>{}, PassGradient<T>{});
}
void add_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  c[0] = sum_to(adj, arg(g, self, 0).shape());
  c[1] = sum_to(adj, arg(g, self, 1).shape());
}

// ---- sub ----
template <class T>
void sub_fwd(Graph& g, Node& n) {
  forward_binary<T>(g, n, [](T a, T b) { return a - b; });
}
template <class T>
void sub_bwd(Graph& g, Node& n, unsigned as) {
  backward_binary<T>(g, n, as, PassGradient<T>{}, [](T, T, T, T go) { return -go; });
}
void sub_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  c[0] = sum_to(adj, arg(g, self, 0).shape());
  c[1] = sum_to(neg(adj), arg(g, self, 1).shape());
}

// ---- mul ----
template <class T>
void mul_fwd(Graph& g, Node& n) {
  forward_binary<T>(g, n, [](T a, T b) { return a * b; });
}
template <class T>
void mul_bwd(Graph& g, Node& n, unsigned as) {
  backward_binary<T>(
      g, n, as, [](T, T b, T, T go) { return go * b; }, [](T a, T, T, T go) { return go * a; });
}
void mul_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor a = arg(g, self, 0), b = arg(g, self, 1);
  if (a.requires_grad()) c[0] = sum_to(adj * b, a.shape());
  if (b.requires_grad()) c[1] = sum_to(adj * a, b.shape());
}

// ---- div ----
template <class T>
void div_fwd(Graph& g, Node& n) {
  forward_binary<T>(g, n, [](T a, T b) { return a / b; });
}
template <class T>
void div_bwd(Graph& g, Node& n, unsigned as) {
  backward_binary<T>(
      g, n, as, [](T, T b, T, T go) { return go / b; }, [](T, T b, T o, T go) { return -go * o / b; });
}
void div_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor a = arg(g, self, 0), b = arg(g, self, 1);
  if (a.requires_grad()) c[0] = sum_to(adj / b, a.shape());
  if (b.requires_grad()) c[1] = sum_to(neg(adj * a) / (b * b), b.shape());
}

// ---- pow: d/da = b a^(b-1), d/db = a^b log a (only asked for when b needs it) ----
template <class T>
void pow_fwd(Graph& g, Node& n) {
  forward_binary<T>(g, n, [](T a, T b) { return std::pow(a, b); });
}
template <class T>
void pow_bwd(Graph& g, Node& n, unsigned as) {
  backward_binary<T>(
      g, n, as, [](T a, T b, T, T go) { return go * b * std::pow(a, b - T(1)); },
      [](T a, T, T o, T go) { return go * o * std::log(a); });
}
void pow_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor a = arg(g, self, 0), b = arg(g, self, 1);
  if (a.requires_grad()) c[0] = sum_to(adj * b * pow(a, b - 1.0), a.shape());
  if (b.requires_grad()) c[1] = sum_to(adj * out(g, self) * log(a), b.shape());
}

// ---- minimum / maximum: the gradient goes to the chosen side; at a tie (a == b)
// each side gets half, as PyTorch does and as max() splits among equal elements:
// the mean of the two one-sided derivatives. ----
template <class T>
T chosen_share(T mine, T other, bool smaller) {
  if (mine == other) return T(0.5);
  return (smaller ? mine < other : mine > other) ? T(1) : T(0);
}
template <class T>
void minimum_fwd(Graph& g, Node& n) {
  forward_binary<T>(g, n, [](T a, T b) { return b < a ? b : a; });
}
template <class T>
void minimum_bwd(Graph& g, Node& n, unsigned as) {
  backward_binary<T>(
      g, n, as, [](T a, T b, T, T go) { return go * chosen_share(a, b, true); },
      [](T a, T b, T, T go) { return go * chosen_share(b, a, true); });
}
// The share of the side `mine` as nodes: 1 where chosen, 0.5 at a tie.
Tensor share_t(Tensor chosen, Tensor mine, Tensor other) { return chosen + eq(mine, other) * 0.5; }
void minimum_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor a = arg(g, self, 0), b = arg(g, self, 1);
  if (a.requires_grad()) c[0] = sum_to(adj * share_t(lt(a, b), a, b), a.shape());
  if (b.requires_grad()) c[1] = sum_to(adj * share_t(lt(b, a), b, a), b.shape());
}
template <class T>
void maximum_fwd(Graph& g, Node& n) {
  forward_binary<T>(g, n, [](T a, T b) { return b > a ? b : a; });
}
template <class T>
void maximum_bwd(Graph& g, Node& n, unsigned as) {
  backward_binary<T>(
      g, n, as, [](T a, T b, T, T go) { return go * chosen_share(a, b, false); },
      [](T a, T b, T, T go) { return go * chosen_share(b, a, false); });
}
void maximum_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor a = arg(g, self, 0), b = arg(g, self, 1);
  if (a.requires_grad()) c[0] = sum_to(adj * share_t(gt(a, b), a, b), a.shape());
  if (b.requires_grad()) c[1] = sum_to(adj * share_t(gt(b, a), b, a), b.shape());
}

// ---- comparisons: 1 or 0, no gradient ----
template <class T, class Cmp>
void compare_fwd(Graph& g, Node& n) {
  forward_binary<T>(g, n, [](T a, T b) { return Cmp{}(a, b) ? T(1) : T(0); });
}

// A comparison: its kernel takes the comparison as a type; it has no gradient, and
// is compiled for baseline alone (Note [Kernels compiled once] in op_rows.hpp).
// Cmp names a template, which cannot be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define HINGE_COMPARE_ROW(op, Cmp)                                                                       \
  OpImplRow {                                                                                            \
    OpKind::op, op_impl_of<&kKernels<&compare_fwd<float, Cmp<float>>, &compare_fwd<double, Cmp<double>>, \
                                     nullptr, nullptr, nullptr, nullptr, false, RowSets::baseline>,      \
                           RowBackward::none>(no_vjp)                                                    \
  }
// NOLINTEND(bugprone-macro-parentheses)

constexpr OpImplRow kRows[] = {
    HINGE_ELEMENTWISE_ROW(add),
    HINGE_ELEMENTWISE_ROW(sub),
    HINGE_ELEMENTWISE_ROW(mul),
    HINGE_ELEMENTWISE_ROW(div),
    HINGE_LIBM_ROW(pow),
    HINGE_ASSIGN_ROW_OF(minimum, true, baseline),  // Note [Kernels compiled once]
    HINGE_ASSIGN_ROW_OF(maximum, true, baseline),  // Note [Kernels compiled once]
    HINGE_COMPARE_ROW(eq, std::equal_to),
    HINGE_COMPARE_ROW(ne, std::not_equal_to),
    HINGE_COMPARE_ROW(lt, std::less),
    HINGE_COMPARE_ROW(le, std::less_equal),
    HINGE_COMPARE_ROW(gt, std::greater),
    HINGE_COMPARE_ROW(ge, std::greater_equal),
};

// A comparison's result carries no gradient, whatever its inputs.
Tensor compare(OpKind op, Tensor a, Tensor b) {
  Tensor t = make_binary(op, a, b);
  t.node().flags &= ~kRequiresGrad;
  return t;
}

}  // namespace

const std::span<const OpImplRow> kBinaryImpls = kRows;

}  // namespace detail

// make_binary with its two returns here, not in an inlined function: returned
// from there, the out-of-line call's result is taken apart and put together again
// and the call is no longer the last thing done (Note [Building scalar nodes]).
Tensor add(Tensor a, Tensor b) {
  if (!detail::builds_scalar_binary(a, b)) [[unlikely]]
    return detail::make_binary_rarely(OpKind::add, a, b);
  return {a.g, detail::build_scalar_binary(OpKind::add, a, b)};
}
Tensor sub(Tensor a, Tensor b) {
  if (!detail::builds_scalar_binary(a, b)) [[unlikely]]
    return detail::make_binary_rarely(OpKind::sub, a, b);
  return {a.g, detail::build_scalar_binary(OpKind::sub, a, b)};
}
Tensor mul(Tensor a, Tensor b) {
  if (!detail::builds_scalar_binary(a, b)) [[unlikely]]
    return detail::make_binary_rarely(OpKind::mul, a, b);
  return {a.g, detail::build_scalar_binary(OpKind::mul, a, b)};
}
Tensor div(Tensor a, Tensor b) { return detail::make_binary(OpKind::div, a, b); }
Tensor pow(Tensor a, Tensor b) { return detail::make_binary(OpKind::pow, a, b); }
Tensor minimum(Tensor a, Tensor b) { return detail::make_binary(OpKind::minimum, a, b); }
Tensor maximum(Tensor a, Tensor b) { return detail::make_binary(OpKind::maximum, a, b); }
Tensor eq(Tensor a, Tensor b) { return detail::compare(OpKind::eq, a, b); }
Tensor ne(Tensor a, Tensor b) { return detail::compare(OpKind::ne, a, b); }
Tensor lt(Tensor a, Tensor b) { return detail::compare(OpKind::lt, a, b); }
Tensor le(Tensor a, Tensor b) { return detail::compare(OpKind::le, a, b); }
Tensor gt(Tensor a, Tensor b) { return detail::compare(OpKind::gt, a, b); }
Tensor ge(Tensor a, Tensor b) { return detail::compare(OpKind::ge, a, b); }

}  // namespace hinge
