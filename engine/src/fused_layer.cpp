// Fused layers (Note [Fused layers] in fused_layer.hpp): matching the pattern in a
// replayed graph, and the forward and backward kernels.
#include "fused_layer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "cpu_dispatch.hpp"
#include "kernels.hpp"
#include "scalar_math.hpp"

namespace hinge::detail {

namespace {

// The activations: a forward the one unary.cpp computes, so a fused value equals
// the node-by-node one, and a slope that is a function of the output. Relu and
// leaky relu share their slope (Hinged): 1 where the output is positive, else a
// constant, 0 or alpha, the same number relu's 0 would be. kCallsLibm: the
// forward calls the C math library for every element, so no kernel set
// vectorises it (fused_layer_forward).
template <class T>
struct Relu {
  static constexpr bool kCallsLibm = false;
  T fwd(T a) const { return a > T(0) ? a : T(0); }
};
template <class T>
struct LeakyRelu {  // alpha > 0, so h > 0 exactly when a > 0
  static constexpr bool kCallsLibm = false;
  T alpha;
  T fwd(T a) const { return a > T(0) ? a : alpha * a; }
};
template <class T>
struct Hinged {  // relu' = 0 at 0, as unary.cpp
  T closed;      // the slope where h <= 0: relu's 0 or leaky relu's alpha
  // `closed` is read whichever side is taken: read only where h <= 0, it is a
  // conditional load, which GCC does not make a vector select, and the
  // backward's loop stayed scalar (a step of fit_curve N = 1000: 47 -> 250 us).
  T slope(T h) const {
    const T shut = closed;
    return h > T(0) ? T(1) : shut;
  }
};
template <class T>
struct Sigmoid {
  static constexpr bool kCallsLibm = true;
  T fwd(T a) const { return math::sigmoid(a); }
  T slope(T s) const { return s * (T(1) - s); }
};
template <class T>
struct Tanh {
  static constexpr bool kCallsLibm = true;
  T fwd(T a) const { return std::tanh(a); }
  T slope(T t) const { return T(1) - t * t; }
};

// Hinged's `closed` for a relu or leaky relu node h.
template <class T>
T closed_slope(const Node& h) {
  return h.op == OpKind::leaky_relu ? static_cast<T>(h.attr().f[0]) : T(0);
}

bool fusable_activation(const Node& h) {
  switch (h.op) {
    case OpKind::relu:
    case OpKind::sigmoid:
    case OpKind::tanh: return true;
    case OpKind::leaky_relu: return h.attr().f[0] > 0;
    default: return false;
  }
}

bool is_row(const Shape& s, int64_t n) {  // [n] or [1, n]
  return (s.rank == 1 && s.dims[0] == n) || (s.rank == 2 && s.dims[0] == 1 && s.dims[1] == n);
}
bool is_column(const Shape& s, int64_t n) {  // [n, 1] or [n]
  return (s.rank == 1 && s.dims[0] == n) || (s.rank == 2 && s.dims[0] == n && s.dims[1] == 1);
}

// The layer's arrays, typed. M points, N units, K input columns.
template <class T>
struct Arrays {
  int64_t M, N;
  const T *x, *w, *b, *v, *h, *dy;
  explicit Arrays(const FusedLayer& f)
      : M(f.h->shape().dims[0]),
        N(f.h->shape().dims[1]),
        x(f.X->v<T>()),
        w(f.W->v<T>()),
        b(f.b->v<T>()),
        v(f.V->v<T>()),
        h(f.h->v<T>()),
        dy(f.y->g<T>()) {}
};

template <class T, int K, class Act>
void forward_rows(const FusedLayer& f, const Act& act) {
  const Arrays<T> c(f);
  T* y = f.y->v<T>();
  for (int64_t i = 0; i < c.M; ++i) {
    T xi[K];
    for (int p = 0; p < K; ++p) xi[p] = c.x[i * K + p];
    T* __restrict hr = f.h->v<T>() + i * c.N;
    for (int64_t j = 0; j < c.N; ++j) {
      T z = xi[0] * c.w[j];
      for (int p = 1; p < K; ++p) z += xi[p] * c.w[p * c.N + j];
      hr[j] = act.fwd(z + c.b[j]);
    }
    y[i] = dot(hr, c.v, c.N);  // the row is still in L1
  }
}

// Columns [j0, j0 + nb) of the backward, nb <= BW: over every row, with the sums
// for dV, db and dW in BW-wide arrays. The full blocks pass nb = BW, a constant
// once inlined, so those sums stay in registers; the one block left over keeps
// them in L1.
// g[i, j] = dy[i] V[j] act'(h[i, j]) is the adjoint of a, as relu's backward
// computes it from dH = dy V^T.
template <class T, int K, int BW, class Act>
void backward_columns(const FusedLayer& f, const Arrays<T>& c, const Act& act, int64_t j0, int nb,
                      unsigned assign) {
  T sv[BW] = {}, sb[BW] = {}, sw[K][BW] = {}, vv[BW];
  for (int l = 0; l < nb; ++l) vv[l] = c.v[j0 + l];
  for (int64_t i = 0; i < c.M; ++i) {
    const T d = c.dy[i];
    T xi[K];
    for (int p = 0; p < K; ++p) xi[p] = c.x[i * K + p];
    const T* __restrict hr = c.h + i * c.N + j0;
    for (int l = 0; l < nb; ++l) {
      const T hv = hr[l];
      sv[l] += hv * d;
      const T s = act.slope(hv);
      const T g = d * vv[l] * s;
      sb[l] += g;
      for (int p = 0; p < K; ++p) sw[p][l] += xi[p] * g;
    }
  }
  auto put = [nb](bool assign, T* dst, const T* sums) {
    put_each(assign, dst, nb, [&](int64_t l) { return sums[l]; });
  };
  if (f.V->requires_grad()) put(assign & 8u, f.V->g<T>() + j0, sv);
  if (f.b->requires_grad()) put(assign & 4u, f.b->g<T>() + j0, sb);
  if (f.W->requires_grad())
    for (int p = 0; p < K; ++p) put(assign & 2u, f.W->g<T>() + p * c.N + j0, sw[p]);
}

// dX[i, p] = sum_j g[i, j] W[p, j], row by row (only when X needs it: usually the
// data, which does not). Each sum takes the columns in order, a reduction GCC does
// not vectorise without reassociation (and K <= 4 sums fill a 16-byte vector), so
// no wider set ran it faster: it is out of line, compiled once for baseline x86-64
// and called from every set's wrapper (Note [Kernels compiled once] in
// op_rows.hpp), instead of once more in each (fused_layer.cpp: 1,008,101 -> 939,397
// bytes of code).
template <class T, int K, class Act>
[[gnu::noinline]] void backward_input(const FusedLayer& f, const Arrays<T>& c, const Act& act, bool assign) {
  T* dx = f.X->g<T>();
  for (int64_t i = 0; i < c.M; ++i) {
    T s[K] = {};
    const T d = c.dy[i];
    const T* hr = c.h + i * c.N;
    for (int64_t j = 0; j < c.N; ++j) {
      const T g = d * c.v[j] * act.slope(hr[j]);
      for (int p = 0; p < K; ++p) s[p] += g * c.w[p * c.N + j];
    }
    put_each(assign, dx + i * K, K, [&](int64_t p) { return s[p]; });
  }
}

template <class T, int K, class Act>
void backward_all(const FusedLayer& f, const Act& act, unsigned assign) {
  const Arrays<T> c(f);
  // 256 bytes of columns: the three sums and V's block stay in registers.
  constexpr int kBlock = 256 / sizeof(T);
  int64_t j = 0;
  for (; j + kBlock <= c.N; j += kBlock) backward_columns<T, K, kBlock>(f, c, act, j, kBlock, assign);
  if (j < c.N) backward_columns<T, K, kBlock>(f, c, act, j, static_cast<int>(c.N - j), assign);
  if (f.X->requires_grad()) backward_input<T, K>(f, c, act, assign & 1u);
}

// Note [Sums in registers]
// The backward of a walked layer (fused_layer_backward_through) is a few flops per
// element of H and four streams (H read; the adjoints of h, a and z written), but
// it also keeps three running sums per column (for dV, db and dW). Kept in arrays
// indexed by column, GCC 12 left those sums on the stack: each element then cost a
// load and a store of each sum besides its own, and the loop ran at the speed of
// the stores (six per vector instead of three). Written with GCC's vector types,
// a block of columns is a few vectors whose sums are plain variables, which stay
// in registers across the rows. A block is four of the kernel set's widest
// vectors (run_sized_kernel in cpu_dispatch.hpp): twelve sums, which AVX-512's
// 32 registers hold with room to spare, and AVX2's and SSE2's 16 hold by
// reloading V's values (loads are cheap; stores were the limit). The columns left
// over take narrower blocks down to one column. Every operation is elementwise,
// as in the scalar loop, so the numbers are the same bit for bit. On tests/bench's
// fit_curve N = 100 rebuilt each step, the step went from 10.0-10.5 to 7.9-8.3 us.

template <class T, int Bytes>
using Vec [[gnu::vector_size(Bytes)]] = T;

// Columns [j0, j0 + NV * lanes of V) of fused_layer_backward_through (Note [Fused
// layers in backward]), V a vector type or T itself: over every row, writing the
// adjoints of h, a and z as it goes. Each number is the node-by-node one: dH =
// dy V^T as matmul's outer-product loop forms it, the slope (1 where h > 0, else
// `closed`: relu's 0 or leaky relu's alpha) times dH, dZ = dA (add passes its
// adjoint on), and each sum starts from the gradient it adds to (0 when
// assigned) and takes the rows in order, as matmul's thin loops and add's row
// sums do.
// The numbers of T in V, a vector of T or T itself (the discarded branch keeps
// sizeof(T) / sizeof(T) out of the scalar instantiation, which clang-tidy flags).
template <class T, class V>
constexpr int lanes_in() {
  if constexpr (std::is_same_v<V, T>)
    return 1;
  else
    return static_cast<int>(sizeof(V) / sizeof(T));
}

template <class T, class V, int NV>
void through_block(const FusedLayer& f, const Arrays<T>& c, T closed, int64_t j0, unsigned assign) {
  constexpr int kLanes = lanes_in<T, V>();
  V sv[NV], sb[NV], sw[NV], vv[NV];
  const V one = V{} + T(1), shut = V{} + closed;
  const bool wv = f.V->requires_grad(), wb = f.b->requires_grad(), ww = f.W->requires_grad();
  auto start = [&](bool needed, bool assign, const Node* n, V* sums) {
    for (int k = 0; k < NV; ++k) {
      sums[k] = V{};
      if (needed && !assign) std::memcpy(&sums[k], n->g<T>() + j0 + k * kLanes, sizeof(V));
    }
  };
  start(wv, assign & 8u, f.V, sv);
  start(wb, assign & 4u, f.b, sb);
  start(ww, assign & 2u, f.W, sw);
  for (int k = 0; k < NV; ++k) std::memcpy(&vv[k], c.v + j0 + k * kLanes, sizeof(V));
  T* dh = f.h->g<T>() + j0;
  T* da = f.a->g<T>() + j0;
  T* dz = f.z->g<T>() + j0;
  for (int64_t i = 0; i < c.M; ++i) {
    const T d = c.dy[i], x = c.x[i];
    const int64_t row = i * c.N;
#pragma GCC unroll 4
    for (int k = 0; k < NV; ++k) {
      const int64_t at = row + k * kLanes;
      V hv;
      std::memcpy(&hv, c.h + j0 + at, sizeof(V));
      sv[k] += hv * d;
      const V s = hv > T(0) ? one : shut;
      const V gh = d * vv[k];
      const V ga = gh * s;
      std::memcpy(dh + at, &gh, sizeof(V));
      std::memcpy(da + at, &ga, sizeof(V));
      std::memcpy(dz + at, &ga, sizeof(V));
      sb[k] += ga;
      sw[k] += x * ga;
    }
  }
  auto put = [&](bool needed, Node* n, const V* sums) {
    if (needed)
      for (int k = 0; k < NV; ++k) std::memcpy(n->g<T>() + j0 + k * kLanes, &sums[k], sizeof(V));
  };
  put(wv, f.V, sv);
  put(wb, f.b, sb);
  put(ww, f.W, sw);
}

// Every column of fused_layer_backward_through in blocks (Note [Sums in
// registers]): four vectors of `Bytes` at a time, then two and one, then 16-byte
// vectors and single columns for the rest.
template <class T, int Bytes>
void through_all(const FusedLayer& f, T closed, unsigned assign) {
  const Arrays<T> c(f);
  using Wide = Vec<T, Bytes>;
  using Narrow = Vec<T, 16>;
  constexpr int64_t kWide = Bytes / sizeof(T), kNarrow = 16 / sizeof(T);
  constexpr int kPerBlock = 4;
  int64_t j = 0;
  for (; j + kPerBlock * kWide <= c.N; j += kPerBlock * kWide)
    through_block<T, Wide, kPerBlock>(f, c, closed, j, assign);
  if (j + 2 * kWide <= c.N) {
    through_block<T, Wide, 2>(f, c, closed, j, assign);
    j += 2 * kWide;
  }
  if (j + kWide <= c.N) {
    through_block<T, Wide, 1>(f, c, closed, j, assign);
    j += kWide;
  }
  for (; j + kNarrow <= c.N; j += kNarrow) through_block<T, Narrow, 1>(f, c, closed, j, assign);
  for (; j < c.N; ++j) through_block<T, T, 1>(f, c, closed, j, assign);
}

// Calls fn.template operator()<K>() with the layer's input width as a compile-time
// choice, then the kernel set of this CPU (Note [One kernel per wrapper] in
// cpu_dispatch.hpp), or baseline's alone when EachSet is false (Note [Kernels
// compiled once] in op_rows.hpp).
template <bool EachSet, class Fn>
void run_layer_kernel(const FusedLayer& f, Fn&& fn) {
  auto run = [&]<int K>() {
    auto kernel = [&] { fn.template operator()<K>(); };
    if constexpr (EachSet)
      run_kernel(kernel);
    else
      kernel();
  };
  switch (f.K) {
    case 1: return run.template operator()<1>();
    case 2: return run.template operator()<2>();
    case 3: return run.template operator()<3>();
    default: return run.template operator()<4>();
  }
}

// The layer y = act(z + b) @ V, z = X @ W, over nodes found by a matcher, when its
// shapes and dtypes fit and its four inputs are distinct leaves of it.
std::optional<FusedLayer> layer_of(Graph& g, NodeId yid, NodeId zid, NodeId bid) {
  Node& y = g[yid];
  Node& h = g[y.in[0]];
  Node& a = g[h.in[0]];
  Node& z = g[zid];
  if (z.op != OpKind::matmul) return std::nullopt;
  FusedLayer f{&g[z.in[0]],
               &g[z.in[1]],
               &z,
               &g[bid],
               &a,
               &h,
               &g[y.in[1]],
               &y,
               0,
               {z.in[0], z.in[1], bid, y.in[1]},
               {zid, h.in[0], y.in[0]}};
  const Shape &xs = f.X->shape(), &zs = z.shape();
  if (xs.rank != 2 || zs.rank != 2 || f.W->shape().rank != 2) return std::nullopt;
  const int64_t M = zs.dims[0], N = zs.dims[1], K = xs.dims[1];
  if (K < 1 || K > kFusedMaxInputs || xs.dims[0] != M || a.shape() != zs || h.shape() != zs)
    return std::nullopt;
  if (!is_row(f.b->shape(), N) || !is_column(f.V->shape(), N)) return std::nullopt;
  bool same_dtype = true;
  for (const Node* n : {f.X, f.W, f.z, f.b, f.a, f.h, f.V, f.y}) same_dtype &= n->dtype == y.dtype;
  bool distinct = true;  // each input gradient is written once per step, none is interior
  for (int i = 0; i < 4; ++i) {
    for (int j = i + 1; j < 4; ++j) distinct &= f.inputs[i] != f.inputs[j];
    for (NodeId in : f.interior) distinct &= f.inputs[i] != in;
  }
  if (!same_dtype || !distinct) return std::nullopt;
  f.K = static_cast<int>(K);
  return f;
}

}  // namespace

std::optional<FusedLayer> match_fused_layer(Graph& g, NodeId yid, const std::vector<int>& uses, NodeId lo) {
  auto only_use = [&](NodeId id) { return id >= lo && id - lo < uses.size() && uses[id - lo] == 1; };
  Node& y = g[yid];
  if (y.op != OpKind::matmul) return std::nullopt;
  Node& h = g[y.in[0]];
  if (!fusable_activation(h) || !only_use(y.in[0])) return std::nullopt;
  Node& a = g[h.in[0]];
  if (a.op != OpKind::add || !only_use(h.in[0])) return std::nullopt;
  for (int side = 0; side < 2; ++side) {
    if (!only_use(a.in[side])) continue;
    if (auto f = layer_of(g, yid, a.in[side], a.in[1 - side])) return f;
  }
  return std::nullopt;
}

std::optional<FusedLayer> match_walked_layer(Graph& g, NodeId yid, uint32_t walk) {
  if (yid < 3) return std::nullopt;
  const NodeId hid = yid - 1, aid = yid - 2, zid = yid - 3;
  const Node& y = g[yid];
  const Node& h = g[hid];
  const Node& a = g[aid];
  if (y.op != OpKind::matmul || y.in[0] != hid || h.in[0] != aid) return std::nullopt;
  if (h.op != OpKind::relu && !(h.op == OpKind::leaky_relu && h.attr().f[0] > 0)) return std::nullopt;
  if (a.op != OpKind::add || (a.in[0] == zid) == (a.in[1] == zid)) return std::nullopt;
  auto f = layer_of(g, yid, zid, a.in[0] == zid ? a.in[1] : a.in[0]);
  if (!f || f->K != 1 || f->X->requires_grad()) return std::nullopt;
  if (f->z->shape().dims[0] * f->z->shape().dims[1] < kSmallProduct) return std::nullopt;
  for (const Node* n : {f->z, f->a, f->h})
    if (!n->requires_grad() || n->walk == walk) return std::nullopt;
  return f;
}

// Note [Fewer fused kernels]
// A fused kernel is compiled for each dtype, activation and input width, in each
// kernel set (Note [One kernel per wrapper] in cpu_dispatch.hpp): this file was
// the build's heaviest translation unit. Two cuts that change no number: relu's
// backward is leaky relu's with a slope of 0 where closed (Hinged), so the
// backward has three activations, not four; and sigmoid's and tanh's forwards,
// which call exp and tanh for every element and vectorise in no set, are
// compiled for baseline alone (Note [Kernels compiled once] in op_rows.hpp).
// Kernels 192 -> 136, code 954,811 -> 707,975 bytes, this file 20.7 -> 15.6 CPU
// seconds (best of three alternating compiles; the first cut is most of it, the
// second 1.5 of the 5). The price: relu's slope selects between two registers
// where it masked a constant. In the AVX2 set (callgrind, fit_curve N = 1000, 20
// steps forward and backward) the backward kernel ran 11,475,720 -> 11,560,040
// instructions, 0.7% more and 0.2% of the run, which step times do not show.
void fused_layer_forward(const FusedLayer& f) {
  dispatch(f.h->dtype, [&]<class T>() {
    auto forward = [&]<class Act>(const Act& act) {
      run_layer_kernel<!Act::kCallsLibm>(f, [&]<int K>() { forward_rows<T, K>(f, act); });
    };
    switch (f.h->op) {
      case OpKind::leaky_relu: return forward(LeakyRelu<T>{static_cast<T>(f.h->attr().f[0])});
      case OpKind::sigmoid: return forward(Sigmoid<T>{});
      case OpKind::tanh: return forward(Tanh<T>{});
      default: return forward(Relu<T>{});
    }
  });
}

void fused_layer_backward(const FusedLayer& f, unsigned assign) {
  dispatch(f.h->dtype, [&]<class T>() {
    auto backward = [&](const auto& act) {
      run_layer_kernel<true>(f, [&]<int K>() { backward_all<T, K>(f, act, assign); });
    };
    switch (f.h->op) {
      case OpKind::sigmoid: return backward(Sigmoid<T>{});
      case OpKind::tanh: return backward(Tanh<T>{});
      default: return backward(Hinged<T>{closed_slope<T>(*f.h)});  // relu, leaky relu
    }
  });
}

void fused_layer_backward_through(const FusedLayer& f, unsigned assign) {
  dispatch(f.h->dtype, [&]<class T>() {
    run_sized_kernel([&]<int Bytes>() { through_all<T, Bytes>(f, closed_slope<T>(*f.h), assign); });
  });
}

}  // namespace hinge::detail
