// matmul through OpenBLAS: vectors, matrices and batches of matrices (a rank-2 or
// rank-1 side broadcasts over the batch). Backward uses gemm's transpose flags and
// beta = 1 to accumulate straight into the gradient buffers.
#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "blas.hpp"
#include "cpu_dispatch.hpp"
#include "hinge/errors.hpp"
#include "hinge/interrupt.hpp"
#include "kernels.hpp"
#include "op_rows.hpp"
#include "operand_errors.hpp"
#include "parallel.hpp"

namespace hinge {
namespace detail {
namespace {

// Note [Sixteen dot products at once]
// A product with one output column (a layer's output, H @ V, on fit_curve) is a
// dot product per row, and dot() (kernels.hpp) ends each with a sum of its 16
// lanes taken in order: with AVX-512 the lanes sit in one register, and taking
// them out one by one cost more instructions than the multiply-adds of a row of
// 100 (on tests/bench's fit_curve N = 100 rebuilt each step, about 60% of the
// forward products' time). dot16 computes sixteen rows at once: each row's 16
// lane sums in a register, as dot() forms them; then the 16 x 16 block is
// transposed, so that register l holds lane l of every row, and adding the 16
// registers in order adds each row's lanes in dot()'s order; the rows' last
// elements follow one by one, as in dot(). The numbers are dot()'s bit for bit.
// Only the AVX-512 set runs it (run_if_avx512 in cpu_dispatch.hpp): with
// narrower registers its 64-byte vectors are split and the transpose costs more
// than it saves. f32 only: 16 doubles take two registers.

template <class T>
using Vec16 [[gnu::vector_size(16 * sizeof(T))]] = T;

// One step of the transpose of m[0..16): the off-diagonal S x S blocks of every
// 2S x 2S block change places. __builtin_shufflevector (GCC 12 and clang) takes its
// lane indices as constants, hence the index pack J = 0..15.
template <class T, int S, int... J>
void swap_blocks(Vec16<T>* m, std::integer_sequence<int, J...>) {
  for (int r = 0; r < 16; ++r) {
    if (r & S) continue;
    const Vec16<T> x = m[r], y = m[r + S];
    m[r] = __builtin_shufflevector(x, y, ((J & S) ? 16 + J - S : J)...);
    m[r + S] = __builtin_shufflevector(x, y, ((J & S) ? 16 + J : J + S)...);
  }
}

template <class T, int S>
void swap_blocks(Vec16<T>* m) {
  swap_blocks<T, S>(m, std::make_integer_sequence<int, 16>{});
}

// The transpose of the 16 x 16 block m[0..16) (row r, lane l -> row l, lane r).
inline void transpose16(Vec16<float>* m) {
  swap_blocks<float, 8>(m);
  swap_blocks<float, 4>(m);
  swap_blocks<float, 2>(m);
  swap_blocks<float, 1>(m);
}

// out[r * ldo] = dot(A + r * lda, B, K) (kernels.hpp) for r in [0, 16), to the bit
// (Note [Sixteen dot products at once]); with `add`, added to out instead. The
// rows' last K % 16 products come from one more 16 x 16 block, the last 16
// products of each row, transposed: its last K % 16 registers are those products
// in dot()'s order.
inline void dot16(const float* A, int64_t lda, const float* B, int64_t K, bool add, float* out, int64_t ldo) {
  using V = Vec16<float>;
  const int64_t body = K - K % 16;
  V m[16];
  for (int r = 0; r < 16; ++r) {
    const float* a = A + r * lda;
    V sum = V{};
    for (int64_t p = 0; p < body; p += 16) {
      V x, y;
      std::memcpy(&x, a + p, sizeof x);
      std::memcpy(&y, B + p, sizeof y);
      sum += x * y;
    }
    m[r] = sum;
  }
  transpose16(m);
  V s = V{};
  for (const V& lane : m) s += lane;
  if (body < K && body > 0) {
    V y;
    std::memcpy(&y, B + K - 16, sizeof y);
    for (int r = 0; r < 16; ++r) {
      V x;
      std::memcpy(&x, A + r * lda + K - 16, sizeof x);
      m[r] = x * y;
    }
    transpose16(m);
    for (int64_t l = 16 - (K - body); l < 16; ++l) s += m[l];
  } else if (body < K) {  // K < 16: every product is a last one
    for (int r = 0; r < 16; ++r)
      for (int64_t q = 0; q < K; ++q) s[r] += A[r * lda + q] * B[q];
  }
  if (ldo == 1) {
    V o = s;
    if (add) {
      std::memcpy(&o, out, sizeof o);
      o += s;
    }
    std::memcpy(out, &o, sizeof o);
    return;
  }
  for (int r = 0; r < 16; ++r) out[r * ldo] = add ? out[r * ldo] + s[r] : s[r];
}

// C = op(A) @ op(B) + beta C (beta 0 or 1) when one of M, N, K is 1; false when the
// layout does not fit these loops. Such products are memory-bound: a GEMM call packs
// both operands and, for beta = 0, clears C before adding to it (with OpenBLAS 0.3.21
// the clearing alone was a quarter of tests/bench's fit_curve N=1000 step). These
// loops read each operand once and write C once.
template <class T>
bool gemm_thin(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B,
               int64_t ldb, T beta, T* __restrict C, int64_t ldc) {
  const bool assign = beta == T(0);
  if (K == 1) {  // outer product: C[i, j] = a_i b_j
    if (tb && ldb != 1 && N > 1) return false;
    for (int64_t i = 0; i < M; ++i) {
      const T ai = ta ? A[i] : A[i * lda];
      put_each(assign, C + i * ldc, N, [&](int64_t j) { return ai * B[j]; });
    }
    return true;
  }
  if (N == 1) {  // C[i] = sum_p op(A)[i, p] b_p
    if (!tb && ldb != 1) return false;
    if (!ta) {
      int64_t i = 0;
      if constexpr (std::is_same_v<T, float>)
        run_if_avx512([&] {
          for (; i + 16 <= M; i += 16) dot16(A + i * lda, lda, B, K, !assign, C + i * ldc, ldc);
        });
      for (; i < M; ++i) {
        const T v = dot(A + i * lda, B, K);
        C[i * ldc] = assign ? v : C[i * ldc] + v;
      }
      return true;
    }
    if (ldc != 1) return false;
    // op(A)[i, p] = A[p, i]: the rows of A times b_p, summed
    sum_rows(assign, C, K, M, [&](int64_t p, int64_t i) { return A[p * lda + i] * B[p]; });
    return true;
  }
  if (M == 1) {  // C[j] = sum_p a_p op(B)[p, j]
    if (!tb) {   // the rows of B times a_p, summed
      sum_rows(assign, C, K, N,
               [&](int64_t p, int64_t j) { return (ta ? A[p * lda] : A[p]) * B[p * ldb + j]; });
      return true;
    }
    if (ta && lda != 1) return false;
    for (int64_t j = 0; j < N; ++j) {
      const T v = dot(B + j * ldb, A, K);
      C[j] = assign ? v : C[j] + v;
    }
    return true;
  }
  return false;
}

// C = op(A) @ op(B) + beta C, row-major, with op = transpose when the flag is set.
// M x N result, inner dimension K; lda/ldb/ldc are the stored row lengths.
// C = op(A) @ op(B) + beta C as plain loops: the tiny products, and every product
// when OpenBLAS cannot have its buffers (Note [BLAS under a memory limit] in
// blas.cpp). With `may_stop` (a forward product, whose output is not yet anyone's)
// a long one polls the stop flag between rows.
template <class T>
void gemm_loop(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B,
               int64_t ldb, T beta, T* __restrict C, int64_t ldc, bool may_stop) {
  int64_t since_poll = 0;
  for (int64_t i = 0; i < M; ++i) {
    if (may_stop && (since_poll += N * K + 1) >= kInterruptPollElements) {
      since_poll = 0;
      throw_if_interrupted();
    }
    T* c = C + i * ldc;
    if (beta == T(0))
      for (int64_t j = 0; j < N; ++j) c[j] = T(0);
    for (int64_t p = 0; p < K; ++p) {
      const T a = ta ? A[p * lda + i] : A[i * lda + p];
      if (tb)
        for (int64_t j = 0; j < N; ++j) c[j] += a * B[j * ldb + p];
      else
        for (int64_t j = 0; j < N; ++j) c[j] += a * B[p * ldb + j];
    }
  }
}

// A product is cut into parts (Note [The engine splits its products] in
// parallel.cpp) of at least two million multiply-adds (about 20 us on one core,
// against a hand-over of about a microsecond) and 16 rows of C, at multiples of
// kRowsPerCut rows.
constexpr double kProductWorkPerPart = 1 << 21;

// Note [Cuts that keep the numbers]
// OpenBLAS's kernels take the rows of a row-major output in blocks, and compute the
// rows of a short block with other code than a full block's, whose sums round
// otherwise. A product cut at a row where no block begins gives other last digits
// near the cut than the whole product does. Cutting at every row of a few shapes
// showed blocks of 12 rows in Haswell's sgemm (Zen runs Haswell's kernels), 2 in
// its dgemm, 4 in SkylakeX's sgemm, 12 in its dgemm. So products are cut at
// multiples of 12 rows, and then the numbers do not depend on the thread count:
// with each OPENBLAS_CORETYPE this CPU can run (OpenBLAS 0.3.21), 1,960 such cuts
// of 15 shapes, both dtypes and all four transposes, gave the whole product's
// numbers bit for bit with Haswell, SkylakeX, Cooperlake, Zen, Sandybridge and
// Prescott; with Nehalem's kernels 376 did not (there the last digits can depend
// on the thread count). SkylakeX also has small-matrix kernels with other
// arithmetic, below a million multiply-adds: every part stays above that
// (kProductWorkPerPart, less at most 6 rows of rounding). tests/engine/
// threads_test.cpp checks this on the machine it runs on.
constexpr int64_t kRowsPerCut = 12;
constexpr int64_t kProductRowsPerPart = 16;

// Note [Stopping a long product]
// OpenBLAS cannot be stopped inside a call, and one call can run for seconds: a
// [10^6, 256] x [256, 256] product (plot regions over a fine grid of a wide
// network) took 9 s to answer Ctrl-C. So a forward product (`may_stop`, whose
// output is not yet anyone's) above 2 kWorkBetweenPolls multiply-adds runs in
// blocks of rows of about kWorkBetweenPolls each (some milliseconds), with a poll
// of the stop flag before each. The blocks begin at multiples of kRowsPerCut and
// the last takes the remainder, so each is large and the numbers are the whole
// product's (Note [Cuts that keep the numbers]).
constexpr double kWorkBetweenPolls = 1 << 26;

// C = op(A) @ op(B) + beta C, row-major, with op = transpose when the flag is set.
// M x N result, inner dimension K; lda/ldb/ldc are the stored row lengths.
template <class T>
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B, int64_t ldb,
          T beta, T* __restrict C, int64_t ldc, bool may_stop = false) {
  if (M * N * K < kSmallProduct) {  // also every empty case (BLAS rejects ld = 0)
    gemm_loop(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, false);
    return;
  }
  if (gemm_thin(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc)) return;
  int parts = parts_for(static_cast<double>(M) * N * K, kProductWorkPerPart);
  parts = static_cast<int>(std::clamp<int64_t>(M / kProductRowsPerPart, 1, parts));
  const Blas* blas = usable_blas(parts);
  if (!blas) {
    gemm_loop(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, may_stop);
    return;
  }
  const auto opa = ta ? CblasTrans : CblasNoTrans, opb = tb ? CblasTrans : CblasNoTrans;
  // Rows [first, last) of C, on one thread (Note [The engine splits its products]).
  auto rows = [&](int64_t first, int64_t last) {
    T b = beta;
    // For beta = 0 OpenBLAS 0.3.21 first clears C in its own loop (sgemm_beta), which
    // with 2 threads took 9% of tests/bench's MLP step; a memset and beta = 1 do the
    // same work at memory speed (measured again in 20 alternating rounds with
    // OpenBLAS's threads: the step took 1.55 ms best-median with every clearing left
    // to OpenBLAS against 1.36 with the memset). Each part clears its own rows.
    if (b == T(0)) {
      // One call for contiguous rows: with a call per row, the forward of tests/
      // bench's scalar MLP as tensors (rows of 16 floats) took 2.14-2.34 us against
      // 1.85-1.95 (best of 40, alternating runs).
      if (ldc == N)
        std::memset(C + first * ldc, 0, static_cast<std::size_t>((last - first) * N) * sizeof(T));
      else
        for (int64_t i = first; i < last; ++i)
          std::memset(C + i * ldc, 0, static_cast<std::size_t>(N) * sizeof(T));
      b = T(1);
    }
    const T* a = ta ? A + first : A + first * lda;
    const auto m = static_cast<blasint>(last - first), n = static_cast<blasint>(N),
               k = static_cast<blasint>(K);
    if constexpr (std::is_same_v<T, float>)
      blas->sgemm(CblasRowMajor, opa, opb, m, n, k, 1.0f, a, static_cast<blasint>(lda), B,
                  static_cast<blasint>(ldb), b, C + first * ldc, static_cast<blasint>(ldc));
    else
      blas->dgemm(CblasRowMajor, opa, opb, m, n, k, 1.0, a, static_cast<blasint>(lda), B,
                  static_cast<blasint>(ldb), b, C + first * ldc, static_cast<blasint>(ldc));
  };
  const double row_work = static_cast<double>(N) * static_cast<double>(K);
  if (!may_stop || static_cast<double>(M) * row_work < 2 * kWorkBetweenPolls) {
    for_parts(M, parts, kRowsPerCut, rows);
    return;
  }
  // Note [Stopping a long product]
  const int64_t block = std::max<int64_t>(
      kRowsPerCut, static_cast<int64_t>(kWorkBetweenPolls / row_work) / kRowsPerCut * kRowsPerCut);
  const int64_t blocks = std::max<int64_t>(1, M / block);
  for (int64_t k = 0; k < blocks; ++k) {
    throw_if_interrupted();
    const int64_t first = k * block, last = k + 1 == blocks ? M : first + block;
    const int block_parts =
        std::clamp<int>(parts_for(static_cast<double>(last - first) * row_work, kProductWorkPerPart), 1,
                        static_cast<int>(std::max<int64_t>(1, (last - first) / kProductRowsPerPart)));
    for_parts(last - first, block_parts, kRowsPerCut,
              [&](int64_t f, int64_t l) { rows(first + f, first + l); });
  }
}

// Every operand seen as a batch of matrices: a is [batch?, m, k], b is [batch?, k, n]
// (a vector a is one row, a vector b one column). A side of rank < 3 is shared by
// every batch (its batch stride is 0).
struct MatmulDims {
  int64_t batch = 1, m = 1, k = 1, n = 1;
  bool a3 = false, b3 = false;
  int64_t a_stride() const { return a3 ? m * k : 0; }
  int64_t b_stride() const { return b3 ? k * n : 0; }
  bool batched() const { return a3 || b3; }
};

// The dims of a @ b, or nothing when the shapes do not fit.
std::optional<MatmulDims> matmul_dims(const Shape& a, const Shape& b) {
  if (a.rank < 1 || a.rank > 3 || b.rank < 1 || b.rank > 3) return std::nullopt;
  MatmulDims d;
  d.a3 = a.rank == 3;
  d.b3 = b.rank == 3;
  d.k = a.dims[a.rank - 1];
  if (a.rank >= 2) d.m = a.dims[a.rank - 2];
  const int64_t kb = b.rank == 1 ? b.dims[0] : b.dims[b.rank - 2];
  if (b.rank >= 2) d.n = b.dims[b.rank - 1];
  if (kb != d.k) return std::nullopt;
  if (d.a3 && d.b3 && a.dims[0] != b.dims[0]) return std::nullopt;
  d.batch = d.a3 ? a.dims[0] : d.b3 ? b.dims[0] : 1;
  return d;
}

MatmulDims dims_of(Graph& g, const Node& n) { return *matmul_dims(in(g, n, 0).shape(), in(g, n, 1).shape()); }

template <class T>
void matmul_fwd(Graph& g, Node& n) {
  const MatmulDims d = dims_of(g, n);
  const T* a = in(g, n, 0).v<T>();
  const T* b = in(g, n, 1).v<T>();
  T* c = n.v<T>();
  if (!d.b3) {  // a shared b: the batch folds into the rows of one product
    gemm<T>(false, false, d.batch * d.m, d.n, d.k, a, d.k, b, d.n, T(0), c, d.n, true);
    return;
  }
  for (int64_t i = 0; i < d.batch; ++i)
    gemm<T>(false, false, d.m, d.n, d.k, a + i * d.a_stride(), d.k, b + i * d.b_stride(), d.n, T(0),
            c + i * d.m * d.n, d.n, true);
}

// dA += G @ B^T and dB += A^T @ G, each only when that side requires grad. A side
// with its `assign` bit set (Note [Assigning backward]) is overwritten: beta = 0 for
// its first product (a side shared by the batch accumulates from the second on).
template <class T>
void matmul_bwd(Graph& g, Node& n, unsigned assign) {
  const MatmulDims d = dims_of(g, n);
  Node& A = in(g, n, 0);
  Node& B = in(g, n, 1);
  const T* gc = n.g<T>();
  auto beta = [](bool first) { return first ? T(0) : T(1); };
  if (A.requires_grad()) {
    const bool sa = assign & 1u;
    if (!d.b3)
      gemm<T>(false, true, d.batch * d.m, d.k, d.n, gc, d.n, B.v<T>(), d.n, beta(sa), A.g<T>(), d.k);
    else
      for (int64_t i = 0; i < d.batch; ++i)
        gemm<T>(false, true, d.m, d.k, d.n, gc + i * d.m * d.n, d.n, B.v<T>() + i * d.b_stride(), d.n,
                beta(sa && (d.a3 || i == 0)), A.g<T>() + i * d.a_stride(), d.k);
  }
  if (B.requires_grad()) {
    const bool sb = assign & 2u;
    if (!d.b3)  // a shared b sums over the batch: the batch folds into the inner dimension
      gemm<T>(true, false, d.k, d.n, d.batch * d.m, A.v<T>(), d.k, gc, d.n, beta(sb), B.g<T>(), d.n);
    else
      for (int64_t i = 0; i < d.batch; ++i)
        gemm<T>(true, false, d.k, d.n, d.m, A.v<T>() + i * d.a_stride(), d.k, gc + i * d.m * d.n, d.n,
                beta(sb), B.g<T>() + i * d.b_stride(), d.n);
  }
}

// The last two axes swapped.
Tensor swap_last(Tensor t) {
  if (t.rank() == 3) {
    const int perm[3] = {0, 2, 1};
    return transpose(t, perm);
  }
  return transpose(t);
}

std::vector<int64_t> dims_vec(const Shape& s) { return {s.dims.begin(), s.dims.begin() + s.rank}; }

// The same products as matmul_bwd, built from matmul, transpose, reshape and sum
// so they can be differentiated again.
void matmul_vjp(Graph& g, NodeId self, Tensor adj, std::span<Tensor> c) {
  Tensor a{&g, g[self].in[0]}, b{&g, g[self].in[1]};
  const MatmulDims d = *matmul_dims(a.shape(), b.shape());
  auto as = [&](Tensor t, bool batched, int64_t rows, int64_t cols) {
    return batched ? reshape(t, {d.batch, rows, cols}) : reshape(t, {rows, cols});
  };
  Tensor G = as(adj, d.batched(), d.m, d.n);
  if (a.requires_grad()) {
    Tensor da = matmul(G, swap_last(as(b, d.b3, d.k, d.n)));
    if (!d.a3 && d.batched()) da = sum(da, {0});
    c[0] = reshape(da, dims_vec(a.shape()));
  }
  if (b.requires_grad()) {
    Tensor db = d.a3 && !d.b3
                    ? matmul(swap_last(reshape(a, {d.batch * d.m, d.k})), reshape(adj, {d.batch * d.m, d.n}))
                    : matmul(swap_last(as(a, d.a3, d.m, d.k)), G);
    c[1] = reshape(db, dims_vec(b.shape()));
  }
}

constexpr OpImplRow kRows[] = {HINGE_ASSIGN_ROW(matmul)};

}  // namespace

const std::span<const OpImplRow> kLinalgImpls = kRows;

}  // namespace detail

Tensor matmul(Tensor a, Tensor b) {
  if (a.g != b.g) detail::throw_graph_error("matmul");
  if (a.dtype() != b.dtype()) detail::throw_dtype_error("matmul", a.dtype(), b.dtype());
  const auto d = detail::matmul_dims(a.shape(), b.shape());
  if (!d) detail::throw_matmul_error(a.shape(), b.shape());
  // The output's dims in an array, not a vector: a graph rebuilt each step
  // allocates nothing per product.
  std::array<int64_t, 3> out{};
  std::size_t rank = 0;
  if (d->batched()) out[rank++] = d->batch;
  if (a.rank() >= 2) out[rank++] = d->m;
  if (b.rank() >= 2) out[rank++] = d->n;
  const NodeId ins[2] = {a.id, b.id};
  return {a.g, a.g->add_node(OpKind::matmul, ins, Shape::of(std::span(out.data(), rank)), a.dtype())};
}

}  // namespace hinge
