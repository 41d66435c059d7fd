// Loop helpers shared by the op families: broadcasting iteration over up to
// kMaxRank axes, and small utilities for writing kernels once for f32 and f64;
// and the attribute of the families' out-of-line rare paths.
#pragma once
#include <array>
#include <cstdint>

#include "hinge/graph.hpp"

// An op's rare path (make_binary_rarely, make_unary_rarely) is reached by a jump
// only if the compiler neither inlines it nor makes a copy specialised for its
// callers: GCC's noipa (Note [Building scalar nodes] in graph.cpp). Clang knows no
// noipa and would warn; it gets noinline (its builds are the fuzzers', whose
// speed is not measured).
#if defined(__clang__)
#define HINGE_RARE_PATH [[gnu::noinline]]
#else
#define HINGE_RARE_PATH [[gnu::noipa]]
#endif

namespace hinge::detail {

using Index4 = std::array<int64_t, kMaxRank>;

// Sizes of `s` right-aligned into a rank-kMaxRank frame (leading axes of size 1).
inline Index4 frame_dims(const Shape& s) {
  Index4 d;
  d.fill(1);
  for (int i = 0; i < s.rank; ++i) d[kMaxRank - s.rank + i] = s.dims[i];
  return d;
}

// Row-major strides of `s` seen in the frame of `out`: 0 on axes where `s`
// has size 1 (or is missing) so that it broadcasts.
inline Index4 frame_strides(const Shape& s, const Shape& out) {
  Index4 d = frame_dims(s), o = frame_dims(out), st{};
  int64_t stride = 1;
  for (int i = kMaxRank - 1; i >= 0; --i) {
    st[i] = (d[i] == 1 && o[i] != 1) ? 0 : stride;
    stride *= d[i];
  }
  return st;
}

// Calls f(k, ia, ib) for every element k of `out` in row-major order, with ia and
// ib the offsets of the matching (broadcast) elements of a and b.
template <class F>
inline void for_each_broadcast(const Shape& out, const Shape& a, const Shape& b, F&& f) {
  const Index4 n = frame_dims(out), sa = frame_strides(a, out), sb = frame_strides(b, out);
  int64_t k = 0;
  for (int64_t i0 = 0; i0 < n[0]; ++i0)
    for (int64_t i1 = 0; i1 < n[1]; ++i1)
      for (int64_t i2 = 0; i2 < n[2]; ++i2) {
        int64_t oa = i0 * sa[0] + i1 * sa[1] + i2 * sa[2];
        int64_t ob = i0 * sb[0] + i1 * sb[1] + i2 * sb[2];
        for (int64_t i3 = 0; i3 < n[3]; ++i3, ++k) f(k, oa + i3 * sa[3], ob + i3 * sb[3]);
      }
}

// The same over three operands (where).
template <class F>
inline void for_each_broadcast3(const Shape& out, const Shape& a, const Shape& b, const Shape& c, F&& f) {
  const Index4 n = frame_dims(out), sa = frame_strides(a, out), sb = frame_strides(b, out),
               sc = frame_strides(c, out);
  int64_t k = 0;
  for (int64_t i0 = 0; i0 < n[0]; ++i0)
    for (int64_t i1 = 0; i1 < n[1]; ++i1)
      for (int64_t i2 = 0; i2 < n[2]; ++i2)
        for (int64_t i3 = 0; i3 < n[3]; ++i3, ++k) {
          int64_t j[3] = {0, 0, 0};
          const int64_t idx[4] = {i0, i1, i2, i3};
          for (int ax = 0; ax < kMaxRank; ++ax) {
            j[0] += idx[ax] * sa[ax];
            j[1] += idx[ax] * sb[ax];
            j[2] += idx[ax] * sc[ax];
          }
          f(k, j[0], j[1], j[2]);
        }
}

// dst[k] = f(k) when `assign` (the first gradient contribution, Note [Assigning
// backward]), else dst[k] += f(k), for k in [0, n). The branch is outside the loop.
template <class T, class F>
inline void put_each(bool assign, T* __restrict dst, int64_t n, F&& f) {
  if (assign)
    for (int64_t k = 0; k < n; ++k) dst[k] = f(k);
  else
    for (int64_t k = 0; k < n; ++k) dst[k] += f(k);
}

// Zeroes n elements when `assign`: for kernels that can only accumulate into a
// gradient (broadcast sums), so a stale buffer starts from 0.
template <class T>
inline void clear_if(bool assign, T* dst, int64_t n) {
  if (assign)
    for (int64_t k = 0; k < n; ++k) dst[k] = T(0);
}

// Note [Column sums in registers]
// Summing the rows of a short matrix into one row (a bias's gradient over the
// batch, A^T b) as `dst[j] += f(r, j)` row after row makes every row's load of
// dst wait for the previous row's store (store forwarding, then the add): about 9
// cycles a row, however short the row. On tests/bench's scalar MLP as tensors
// (rows of 16 floats) the bias's backward spent 42% of its time on that store.
// sum_rows keeps the sums of a block of columns, one 64-byte register, in a
// register while it walks the rows, then the next block; each column is still
// summed in row order, so the numbers are the loop's bit for bit (-ffp-contract=off:
// Note [Kernel sets]). When the row is not a whole number of blocks, the last block
// overlaps the one before it and stores only its new columns. The blocks win only
// on short rows. A bias's gradient and A^T g over 4096 rows (the engine alone,
// best of 30) took 9.5 us against the loop's 33.6 at rows of 16 floats, 30 against
// 41 at 48, 42 against 44 at 64; on wider rows, blocks of four registers took 76
// against 58 at 96 and 207 against 153 at 256, where a row's many independent
// stores hide the wait and the loop reads memory in order. So rows of one to four
// registers take the blocks, and the rest the plain loop.
template <class T>
inline constexpr int kSumColumns = 64 / sizeof(T);  // one 64-byte register

// Columns [j0, j0 + W) of sum_rows; only those from `fresh` on are stored.
template <int W, class T, class F>
inline void sum_rows_block(bool assign, T* dst, int64_t rows, int64_t j0, int64_t fresh, F& f) {
  T acc[W];
  for (int c = 0; c < W; ++c) acc[c] = assign ? T(0) : dst[j0 + c];
  for (int64_t r = 0; r < rows; ++r)
    for (int c = 0; c < W; ++c) acc[c] += f(r, j0 + c);
  for (int c = 0; c < W; ++c)
    if (j0 + c >= fresh) dst[j0 + c] = acc[c];
}

// dst[j] = (assign ? 0 : dst[j]) + f(0, j) + f(1, j) + ... + f(rows - 1, j) for j in
// [0, len), added in that order (Note [Column sums in registers]).
template <class T, class F>
inline void sum_rows(bool assign, T* dst, int64_t rows, int64_t len, F&& f) {
  constexpr int W = kSumColumns<T>;
  if (len >= W && len <= 4 * W) {
    int64_t j = 0;
    for (; j + W <= len; j += W) sum_rows_block<W>(assign, dst, rows, j, j, f);
    if (j < len) sum_rows_block<W>(assign, dst, rows, len - W, j, f);
    return;
  }
  clear_if(assign, dst, len);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < len; ++j) dst[j] += f(r, j);
}

// sum_p a[p] b[p] with independent partial sums, so the loop vectorizes without
// reassociation flags.
template <class T>
T dot(const T* a, const T* b, int64_t n) {
  constexpr int kLanes = 16;
  T acc[kLanes] = {};
  int64_t p = 0;
  for (; p + kLanes <= n; p += kLanes)
    for (int l = 0; l < kLanes; ++l) acc[l] += a[p + l] * b[p + l];
  T s = 0;
  for (int l = 0; l < kLanes; ++l) s += acc[l];
  for (; p < n; ++p) s += a[p] * b[p];
  return s;
}

// Products with m*n*k below this run as a plain loop (matmul.cpp; a fused layer in
// backward() relies on the same split, fused_layer.cpp). Measured on the dev box
// (OpenBLAS 0.3, -O3 -march=native, f32 and f64, min of 40 runs): a BLAS call costs
// 13-60 ns before any arithmetic (most with a transposed B), the loop wins below
// about 64 multiply-adds (NN, TN) to 256 (NT), and from 512 on BLAS is 2-5x faster
// (at 4096, 3-20x). 128 splits the difference; the tiny products of scalar-style
// models (2x2, 1x8x8) stay in the loop.
inline constexpr int64_t kSmallProduct = 128;

// The node's inputs as references.
inline Node& in(Graph& g, const Node& n, int k) { return g[n.input(k)]; }

}  // namespace hinge::detail
