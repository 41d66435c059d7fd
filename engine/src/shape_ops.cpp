// Shape ops: reshape, transpose, slice (and unslice, its adjoint), concat, stack, index.
// Transpose and slice are strided views of their input: one copy loop serves both.
#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hinge/errors.hpp"
#include "hinge/interrupt.hpp"
#include "kernels.hpp"
#include "op_rows.hpp"

namespace hinge {
namespace detail {

// Creates the slice node (`out` is its shape) / its adjoint from the arena-held
// bounds `aux` (SliceAux layout below); shared by slice() and the vjps.
Tensor make_slice(Tensor a, const Shape& out, const int64_t* aux);
Tensor make_unslice(Tensor a, const Shape& out, const int64_t* aux);

namespace {

Tensor arg0(Graph& g, NodeId self) { return {&g, g[self].in[0]}; }

std::vector<int64_t> dims_of(const Shape& s) { return {s.dims.begin(), s.dims.begin() + s.rank}; }

// Row-major strides of `s`, one per axis.
Index4 strides_of(const Shape& s) {
  Index4 st{};
  int64_t stride = 1;
  for (int i = s.rank - 1; i >= 0; --i) {
    st[i] = stride;
    stride *= s.dims[i];
  }
  return st;
}

// A strided view: element (i0..i3) of a rank-4 frame sits at base + sum(i * strides)
// in the viewed buffer. Shapes of lower rank are right-aligned with leading 1s.
struct View {
  Index4 dims;
  Index4 strides{};
  int64_t base = 0;
};

// Calls f(k, src) for every element k (row-major) of the view.
template <class F>
void for_each_view(const View& v, F&& f, bool poll = false) {
  const Index4& n = v.dims;
  const Index4& s = v.strides;
  // An empty view returns at once: [0, 1e5, 1e5, 1e3] would otherwise run its outer
  // loops 1e13 times to visit nothing.
  if (n[0] == 0 || n[1] == 0 || n[2] == 0 || n[3] == 0) return;
  int64_t k = 0, next_poll = kInterruptPollElements;
  for (int64_t i0 = 0; i0 < n[0]; ++i0)
    for (int64_t i1 = 0; i1 < n[1]; ++i1)
      for (int64_t i2 = 0; i2 < n[2]; ++i2) {
        if (poll && k >= next_poll) {  // forward only: backward never throws
          throw_if_interrupted();
          next_poll = k + kInterruptPollElements;
        }
        const int64_t o = v.base + i0 * s[0] + i1 * s[1] + i2 * s[2];
        for (int64_t i3 = 0; i3 < n[3]; ++i3, ++k) f(k, o + i3 * s[3]);
      }
}

// ---- reshape: the same elements in the same order ----
template <class T>
void reshape_fwd(Graph& g, Node& n) {
  std::memcpy(n.val, in(g, n, 0).val, static_cast<std::size_t>(n.numel()) * sizeof(T));
}
template <class T>
void reshape_bwd(Graph& g, Node& n, unsigned as) {
  const T* go = n.g<T>();
  put_each(as & 1u, in(g, n, 0).g<T>(), n.numel(), [go](int64_t k) { return go[k]; });
}
void reshape_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  c[0] = reshape(adj, dims_of(arg0(g, self).shape()));
}

// ---- transpose: output axis i is input axis attr.i[i] ----
View transpose_view(const Node& n, const Shape& in_shape) {
  const Index4 st = strides_of(in_shape);
  View v;
  v.dims = frame_dims(n.shape());
  const int off = kMaxRank - n.shape().rank;
  for (int i = 0; i < n.shape().rank; ++i) v.strides[off + i] = st[n.attr().i[i]];
  return v;
}
template <class T>
void transpose_fwd(Graph& g, Node& n) {
  const Node& a = in(g, n, 0);
  const T* av = a.v<T>();
  T* o = n.v<T>();
  for_each_view(
      transpose_view(n, a.shape()), [&](int64_t k, int64_t src) { o[k] = av[src]; }, true);
}
template <class T>
void transpose_bwd(Graph& g, Node& n) {
  Node& a = in(g, n, 0);
  T* ga = a.g<T>();
  const T* go = n.g<T>();
  for_each_view(transpose_view(n, a.shape()), [&](int64_t k, int64_t src) { ga[src] += go[k]; });
}
void transpose_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  const Node& n = g[self];
  int inv[kMaxRank] = {};
  for (int i = 0; i < n.shape().rank; ++i) inv[n.attr().i[i]] = i;
  c[0] = transpose(adj, std::span<const int>(inv, static_cast<std::size_t>(n.shape().rank)));
}

// ---- slice / unslice ----
// SliceAux: int64_t[2 * kMaxRank] in the arena: the normalized start of each
// input axis, then its step. The output length of each axis is the node's shape.
constexpr int kSliceAuxLen = 2 * kMaxRank;

// The slice of `big` (the sliced tensor) that `small` (the slice) occupies.
View slice_view(const Shape& big, const Shape& small, const void* aux) {
  const auto* b = static_cast<const int64_t*>(aux);
  const Index4 st = strides_of(big);
  View v;
  v.dims = frame_dims(small);
  const int off = kMaxRank - big.rank;
  for (int i = 0; i < big.rank; ++i) {
    v.base += b[i] * st[i];
    v.strides[off + i] = b[kMaxRank + i] * st[i];
  }
  return v;
}
template <class T>
void slice_fwd(Graph& g, Node& n) {
  const Node& a = in(g, n, 0);
  const T* av = a.v<T>();
  T* o = n.v<T>();
  for_each_view(
      slice_view(a.shape(), n.shape(), n.attr().aux), [&](int64_t k, int64_t src) { o[k] = av[src]; }, true);
}
template <class T>
void slice_bwd(Graph& g, Node& n) {
  Node& a = in(g, n, 0);
  T* ga = a.g<T>();
  const T* go = n.g<T>();
  for_each_view(slice_view(a.shape(), n.shape(), n.attr().aux),
                [&](int64_t k, int64_t src) { ga[src] += go[k]; });
}
void slice_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  c[0] = make_unslice(adj, arg0(g, self).shape(), static_cast<const int64_t*>(g[self].attr().aux));
}

// unslice: the slice's elements placed into zeros of the sliced shape.
template <class T>
void unslice_fwd(Graph& g, Node& n) {
  const Node& a = in(g, n, 0);
  const T* av = a.v<T>();
  T* o = n.v<T>();
  std::fill(o, o + n.numel(), T(0));
  for_each_view(slice_view(n.shape(), a.shape(), n.attr().aux),
                [&](int64_t k, int64_t dst) { o[dst] = av[k]; });
}
template <class T>
void unslice_bwd(Graph& g, Node& n) {
  Node& a = in(g, n, 0);
  T* ga = a.g<T>();
  const T* go = n.g<T>();
  for_each_view(slice_view(n.shape(), a.shape(), n.attr().aux),
                [&](int64_t k, int64_t dst) { ga[k] += go[dst]; });
}
void unslice_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  c[0] = make_slice(adj, arg0(g, self).shape(), static_cast<const int64_t*>(g[self].attr().aux));
}

// ---- concat: parts laid side by side along attr.i[0] ----
// Calls f(part, part_offset, out_offset, count) for each contiguous run: on every
// "row" outside the axis, part p's block of count elements lands at out_offset.
template <class F>
void for_each_concat_run(Graph& g, const Node& n, F&& f) {
  const int axis = n.attr().i[0];
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= n.shape().dims[i];
  for (int i = axis + 1; i < n.shape().rank; ++i) inner *= n.shape().dims[i];
  const int64_t row = n.shape().dims[axis] * inner;
  int64_t at = 0;
  for (int p = 0; p < n.nin; ++p) {
    Node& part = in(g, n, p);
    const int64_t count = part.shape().dims[axis] * inner;
    for (int64_t o = 0; o < outer; ++o) f(part, o * count, o * row + at, count);
    at += count;
  }
}
template <class T>
void concat_fwd(Graph& g, Node& n) {
  T* out = n.v<T>();
  for_each_concat_run(g, n, [&](Node& part, int64_t src, int64_t dst, int64_t count) {
    std::memcpy(out + dst, part.v<T>() + src, static_cast<std::size_t>(count) * sizeof(T));
  });
}
template <class T>
void concat_bwd(Graph& g, Node& n) {
  const T* go = n.g<T>();
  for_each_concat_run(g, n, [&](Node& part, int64_t dst, int64_t src, int64_t count) {
    if (!part.requires_grad()) return;
    T* gp = part.g<T>() + dst;
    for (int64_t k = 0; k < count; ++k) gp[k] += go[src + k];
  });
}
void concat_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  const Node& n = g[self];
  const int axis = n.attr().i[0];
  std::vector<SliceSpec> spec(static_cast<std::size_t>(n.shape().rank));
  int64_t at = 0;
  for (int p = 0; p < n.nin; ++p) {
    const Node& part = g[n.input(p)];
    const int64_t len = part.shape().dims[axis];
    if (part.requires_grad()) {
      spec[axis] = {at, at + len, 1};
      c[p] = slice(adj, spec);
    }
    at += len;
  }
}

// reshape can also assign (Note [Assigning backward]).
constexpr OpImplRow kRows[] = {HINGE_ASSIGN_ROW(reshape), HINGE_ROW(transpose), HINGE_ROW(slice),
                               HINGE_ROW(unslice), HINGE_ROW(concat)};

// The most inputs one node records (Node::nin is a byte); longer concats nest.
constexpr std::size_t kMaxConcatParts = 255;

void check_same_graph_and_dtype(std::span<const Tensor> parts, std::string_view op) {
  for (const Tensor& t : parts) {
    if (t.g != parts[0].g) throw DomainError(fmt::format("'{}' of tensors from different graphs", op));
    if (t.dtype() != parts[0].dtype())
      throw DomainError(fmt::format("dtype mismatch in '{}': {} vs {} (use cast)", op,
                                    dtype_name(parts[0].dtype()), dtype_name(t.dtype())));
  }
}

}  // namespace

Tensor make_slice(Tensor a, const Shape& out, const int64_t* aux) {
  Attr attr;
  attr.aux = aux;  // add_node copies the bounds into storage the node owns
  attr.aux_bytes = detail::kSliceAuxLen * sizeof(int64_t);
  const NodeId ins[1] = {a.id};
  return {a.g, a.g->add_node(OpKind::slice, ins, out, a.dtype(), attr)};
}

Tensor make_unslice(Tensor a, const Shape& out, const int64_t* aux) {
  Attr attr;
  attr.aux = aux;  // add_node copies the bounds into storage the node owns
  attr.aux_bytes = detail::kSliceAuxLen * sizeof(int64_t);
  const NodeId ins[1] = {a.id};
  return {a.g, a.g->add_node(OpKind::unslice, ins, out, a.dtype(), attr)};
}

const std::span<const OpImplRow> kShapeImpls = kRows;

}  // namespace detail

Tensor reshape(Tensor a, std::span<const int64_t> dims) {
  int64_t known = 1;
  int infer = -1;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1 && infer < 0) {
      infer = static_cast<int>(i);
    } else if (dims[i] < 0) {
      throw ShapeError(fmt::format("reshape: bad dimension {} in the new shape", dims[i]));
    } else {
      known *= dims[i];
    }
  }
  const bool inferred = infer >= 0 && known > 0 && a.numel() % known == 0;
  if ((infer >= 0 && !inferred) || (infer < 0 && known != a.numel()))
    throw ShapeError(fmt::format("shape mismatch in 'reshape': {} ({} elements) cannot become [{}]",
                                 to_string(a.shape()), a.numel(), fmt::join(dims, ", ")));
  // The new dims in an array, not a vector: a graph rebuilt each step allocates
  // nothing here. Too many of them is Shape::of's error.
  std::array<int64_t, kMaxRank> d{};
  if (dims.size() > d.size()) Shape::of(dims);
  const std::size_t rank = std::min(dims.size(), d.size());  // dims.size(), after the check
  std::copy_n(dims.begin(), rank, d.begin());
  if (inferred) d[infer] = a.numel() / known;
  Shape s = Shape::of(std::span(d.data(), rank));
  if (s == a.shape()) return a;
  const NodeId ins[1] = {a.id};
  return {a.g, a.g->add_node(OpKind::reshape, ins, s, a.dtype())};
}

Tensor transpose(Tensor a, std::span<const int> perm) {
  const int r = a.rank();
  Attr attr;
  if (perm.empty()) {
    for (int i = 0; i < r; ++i) attr.i[i] = r - 1 - i;
  } else {
    bool seen[kMaxRank] = {};
    bool ok = static_cast<int>(perm.size()) == r;
    for (std::size_t i = 0; ok && i < perm.size(); ++i) {
      const int p = perm[i] < 0 ? perm[i] + r : perm[i];
      ok = p >= 0 && p < r && !seen[p];
      if (ok) seen[p] = true, attr.i[i] = p;
    }
    if (!ok)
      throw DomainError(fmt::format("'transpose': [{}] is not a permutation of the {} axes of {}",
                                    fmt::join(perm, ", "), r, to_string(a.shape())));
  }
  bool identity = true;
  Shape s;
  s.rank = r;
  for (int i = 0; i < r; ++i) {
    s.dims[i] = a.shape().dims[attr.i[i]];
    identity &= attr.i[i] == i;
  }
  if (identity) return a;
  const NodeId ins[1] = {a.id};
  return {a.g, a.g->add_node(OpKind::transpose, ins, s, a.dtype(), attr)};
}

Tensor slice(Tensor a, std::span<const SliceSpec> per_axis) {
  const int r = a.rank();
  if (static_cast<int>(per_axis.size()) > r)
    throw DomainError(
        fmt::format("'slice' of {} axes on a rank-{} tensor {}", per_axis.size(), r, to_string(a.shape())));
  int64_t aux[detail::kSliceAuxLen] = {};
  Shape s = a.shape();
  bool whole = true;
  for (int i = 0; i < r; ++i) {
    const SliceSpec sp = i < static_cast<int>(per_axis.size()) ? per_axis[i] : SliceSpec{};
    const int64_t n = a.shape().dims[i], step = sp.step;
    if (step == 0) throw DomainError(fmt::format("'slice': the step of axis {} is zero", i));
    // Python's slice.indices(): negative bounds count from the end, then clip.
    auto clip = [&](int64_t x) {
      if (x < 0) {
        x += n;
        if (x < 0) x = step < 0 ? -1 : 0;  // -1: before the first element, going down
      } else if (x >= n) {
        x = step < 0 ? n - 1 : n;
      }
      return x;
    };
    const int64_t start = clip(sp.start), stop = clip(sp.stop);
    int64_t len = 0;
    if (step > 0 && start < stop) len = (stop - start - 1) / step + 1;
    if (step < 0 && stop < start) len = (start - stop - 1) / (-step) + 1;
    aux[i] = len > 0 ? start : 0;
    aux[kMaxRank + i] = step;
    s.dims[i] = static_cast<int32_t>(len);
    whole &= len == n && step == 1;
  }
  if (whole) return a;
  return detail::make_slice(a, s, aux);
}

Tensor index(Tensor a, int64_t k) {
  if (a.rank() == 0) throw DomainError("'index' of a rank-0 tensor (a scalar has no axis 0)");
  const int64_t n = a.shape().dims[0];
  if (k < -n || k >= n)
    throw DomainError(fmt::format("index {} is out of range for axis 0 of size {}", k, n));
  if (k < 0) k += n;
  const SliceSpec spec[1] = {{k, k + 1, 1}};
  std::vector<int64_t> rest(a.shape().dims.begin() + 1, a.shape().dims.begin() + a.rank());
  return reshape(slice(a, spec), rest);
}

Tensor concat(std::span<const Tensor> parts, int axis) {
  if (parts.empty()) throw DomainError("'concat' of no tensors");
  detail::check_same_graph_and_dtype(parts, "concat");
  const Shape& first = parts[0].shape();
  if (first.rank == 0) throw ShapeError("'concat' of rank-0 tensors (use stack)");
  const int ax = normalize_axis(axis, first.rank, "concat");
  int64_t total = 0;
  for (const Tensor& t : parts) {
    const Shape& s = t.shape();
    bool fits = s.rank == first.rank;
    for (int i = 0; fits && i < s.rank; ++i) fits = i == ax || s.dims[i] == first.dims[i];
    if (!fits)
      throw ShapeError(fmt::format("shape mismatch in 'concat': {} vs {}", to_string(first), to_string(s)));
    total += s.dims[ax];
  }
  if (parts.size() == 1) return parts[0];
  if (parts.size() > detail::kMaxConcatParts) {  // nest: concat of concats
    std::vector<Tensor> groups;
    for (std::size_t i = 0; i < parts.size(); i += detail::kMaxConcatParts)
      groups.push_back(concat(parts.subspan(i, std::min(detail::kMaxConcatParts, parts.size() - i)), ax));
    return concat(groups, ax);
  }
  Shape s = first;
  s.dims[ax] = static_cast<int32_t>(std::min<int64_t>(total, INT32_MAX));
  if (total > INT32_MAX)
    throw ShapeError(fmt::format("'concat' makes axis {} of size {}, too large", ax, total));
  Attr attr;
  attr.i[0] = ax;
  std::vector<NodeId> ins;
  for (const Tensor& t : parts) ins.push_back(t.id);
  return {parts[0].g, parts[0].g->add_node(OpKind::concat, ins, s, parts[0].dtype(), attr)};
}

Tensor stack(std::span<const Tensor> parts, int axis) {
  if (parts.empty()) throw DomainError("'stack' of no tensors");
  detail::check_same_graph_and_dtype(parts, "stack");
  const Shape& first = parts[0].shape();
  for (const Tensor& t : parts)
    if (!(t.shape() == first))
      throw ShapeError(
          fmt::format("shape mismatch in 'stack': {} vs {}", to_string(first), to_string(t.shape())));
  if (axis < -(first.rank + 1) || axis > first.rank)
    throw DomainError(
        fmt::format("axis {} is out of range for 'stack' of rank-{} tensors", axis, first.rank));
  const int ax = axis < 0 ? axis + first.rank + 1 : axis;
  std::vector<int64_t> dims = detail::dims_of(first);
  dims.insert(dims.begin() + ax, 1);
  std::vector<Tensor> grown;
  for (const Tensor& t : parts) grown.push_back(reshape(t, dims));
  return concat(grown, ax);
}

}  // namespace hinge
