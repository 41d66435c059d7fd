// Shape ops: reshape, transpose, slice (and unslice, its adjoint), concat, stack, index.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "hinge/errors.hpp"
#include "kernels.hpp"
#include "op_table.hpp"

namespace hinge {
namespace detail {
namespace {

Tensor arg0(Graph& g, NodeId self) { return {&g, g[self].in[0]}; }

std::vector<int64_t> dims_of(const Shape& s) { return {s.dims.begin(), s.dims.begin() + s.rank}; }

// ---- reshape: the same elements in the same order ----
template <class T> void reshape_fwd(Graph& g, Node& n) {
  std::memcpy(n.val, in(g, n, 0).val, static_cast<std::size_t>(n.numel) * sizeof(T));
}
template <class T> void reshape_bwd(Graph& g, Node& n) {
  T* ga = in(g, n, 0).g<T>();
  const T* go = n.g<T>();
  for (int64_t k = 0; k < n.numel; ++k) ga[k] += go[k];
}
void reshape_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  c[0] = reshape(adj, dims_of(arg0(g, self).shape()));
}

#define HINGE_ROW(op)                                                                        \
  OpImplRow {                                                                                \
    OpKind::op, OpImpl {                                                                     \
      [](Graph& g, Node& n) { dispatch(n.dtype, [&]<class T>() { op##_fwd<T>(g, n); }); },   \
      [](Graph& g, Node& n) { dispatch(n.dtype, [&]<class T>() { op##_bwd<T>(g, n); }); },   \
      op##_vjp                                                                               \
    }                                                                                        \
  }
constexpr OpImplRow kRows[] = {HINGE_ROW(reshape)};
#undef HINGE_ROW

}  // namespace

const std::span<const OpImplRow> kShapeImpls = kRows;

}  // namespace detail

Tensor reshape(Tensor a, std::span<const int64_t> dims) {
  std::vector<int64_t> d(dims.begin(), dims.end());
  int64_t known = 1;
  int infer = -1;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (d[i] == -1 && infer < 0) {
      infer = static_cast<int>(i);
    } else if (d[i] < 0) {
      throw ShapeError(fmt::format("reshape: bad dimension {} in the new shape", d[i]));
    } else {
      known *= d[i];
    }
  }
  if (infer >= 0 && known > 0 && a.numel() % known == 0) d[infer] = a.numel() / known;
  Shape s = Shape::of(d);
  if (s.numel() != a.numel() || (infer >= 0 && known == 0))
    throw ShapeError(fmt::format("shape mismatch in 'reshape': {} ({} elements) cannot become {}",
                                 to_string(a.shape()), a.numel(), to_string(s)));
  if (s == a.shape()) return a;
  const NodeId ins[1] = {a.id};
  return {a.g, a.g->add_node(OpKind::reshape, ins, s, a.dtype())};
}

}  // namespace hinge
