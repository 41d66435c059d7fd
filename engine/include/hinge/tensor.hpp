// Tensor: a cheap handle {Graph*, NodeId} to a node, and every op as a free function.
//   Graph g;
//   auto w = g.param(0.5), b = g.param(-1.0), x = g.scalar(3.0);
//   auto y = relu(w * x + b);
//   backward(y);            // w.grad_item() == 3, b.grad_item() == 1
#pragma once
#include <initializer_list>
#include <span>
#include <vector>

#include "hinge/graph.hpp"

namespace hinge {

struct Tensor {
  Graph* g = nullptr;
  NodeId id = kNoNode;

  bool valid() const { return g != nullptr && id != kNoNode; }
  Node& node() const { return (*g)[id]; }
  const Shape& shape() const { return node().shape(); }
  int rank() const { return node().shape().rank; }
  int64_t numel() const { return node().numel(); }
  DType dtype() const { return node().dtype; }
  bool requires_grad() const { return node().requires_grad(); }

  // The value of a one-element tensor.
  double item() const;
  // Element `k` (row-major) of the value / gradient (0 when there is no gradient).
  double at(int64_t k) const;
  double grad_at(int64_t k) const;
  double grad_item() const { return grad_at(0); }
  // All elements as doubles, row-major.
  std::vector<double> values() const;
  std::vector<double> grads() const;
  // Overwrites the value of a leaf (data or parameter) in place; shapes must match.
  void set_values(std::span<const double> v) const;
};

// ---- elementwise binary, numpy broadcasting (shape mismatch -> ShapeError) ----
Tensor add(Tensor a, Tensor b);
Tensor sub(Tensor a, Tensor b);
Tensor mul(Tensor a, Tensor b);
Tensor div(Tensor a, Tensor b);
Tensor pow(Tensor a, Tensor b);
Tensor pow(Tensor a, double c);  // powc: a ^ c with a constant exponent (c = 2 is exact a*a;
                                 // a < 0 with a non-integer c gives NaN)
Tensor minimum(Tensor a, Tensor b);
Tensor maximum(Tensor a, Tensor b);
// Comparisons give 1 or 0 in the inputs' dtype and carry no gradient.
Tensor eq(Tensor a, Tensor b);
Tensor ne(Tensor a, Tensor b);
Tensor lt(Tensor a, Tensor b);
Tensor le(Tensor a, Tensor b);
Tensor gt(Tensor a, Tensor b);
Tensor ge(Tensor a, Tensor b);

// ---- elementwise unary (abs'(0) = 0; sign carries no gradient) ----
Tensor neg(Tensor a);
Tensor abs(Tensor a);
Tensor sign(Tensor a);
Tensor exp(Tensor a);
Tensor log(Tensor a);
Tensor sqrt(Tensor a);
Tensor sin(Tensor a);
Tensor cos(Tensor a);
Tensor erf(Tensor a);
// The gradient passes where lo <= a <= hi (bounds included), 0 outside; lo > hi is a DomainError.
Tensor clamp(Tensor a, double lo, double hi);
// cond != 0 ? a : b, broadcasting all three; cond (either dtype) gets no gradient.
Tensor where(Tensor cond, Tensor a, Tensor b);

// ---- activations (derivatives at kinks: relu'(0) = 0, leaky_relu'(0) = alpha,
//      elu'(0) = alpha, step' = 0 everywhere) ----
Tensor relu(Tensor a);
Tensor leaky_relu(Tensor a, double alpha = 0.01);
Tensor elu(Tensor a, double alpha = 1.0);
Tensor gelu(Tensor a);
Tensor softplus(Tensor a);
Tensor sigmoid(Tensor a);
Tensor tanh(Tensor a);
Tensor step(Tensor a);

// ---- reductions; axes may be negative; empty axes = all axes ----
Tensor sum(Tensor a, std::span<const int> axes = {}, bool keepdims = false);
Tensor mean(Tensor a, std::span<const int> axes = {}, bool keepdims = false);
Tensor max(Tensor a, std::span<const int> axes = {}, bool keepdims = false);
inline Tensor sum(Tensor a, std::initializer_list<int> axes, bool keepdims = false) {
  return sum(a, std::span<const int>(axes.begin(), axes.size()), keepdims);
}
inline Tensor mean(Tensor a, std::initializer_list<int> axes, bool keepdims = false) {
  return mean(a, std::span<const int>(axes.begin(), axes.size()), keepdims);
}
inline Tensor max(Tensor a, std::initializer_list<int> axes, bool keepdims = false) {
  return max(a, std::span<const int>(axes.begin(), axes.size()), keepdims);
}
// Sum down to `s` (which must broadcast to a's shape) / broadcast up to `s`.
Tensor sum_to(Tensor a, const Shape& s);
Tensor expand(Tensor a, const Shape& s);

// ---- shape ----
// One dimension may be -1 (inferred).
Tensor reshape(Tensor a, std::span<const int64_t> dims);
inline Tensor reshape(Tensor a, std::initializer_list<int64_t> dims) {
  return reshape(a, std::span<const int64_t>(dims.begin(), dims.size()));
}
// Reverses the axes when `perm` is empty (a matrix's transpose).
Tensor transpose(Tensor a, std::span<const int> perm = {});
// Python-style slicing on each axis (step may be negative; bounds clipped as
// slice.indices() does). Missing trailing specs take the whole axis. Python's
// "None" bounds are INT64_MAX / INT64_MIN: a[::-1] is {INT64_MAX, INT64_MIN, -1}
// (the defaults below are a[0:] and suit positive steps only).
struct SliceSpec {
  int64_t start = 0, stop = INT64_MAX, step = 1;
};
Tensor slice(Tensor a, std::span<const SliceSpec> per_axis);
// a[k] along axis 0 (negative k counts from the end): rank drops by one.
Tensor index(Tensor a, int64_t k);
Tensor concat(std::span<const Tensor> parts, int axis = 0);
Tensor stack(std::span<const Tensor> parts, int axis = 0);

// ---- linear algebra: [m,k]@[k,n], [k]@[k,n], [m,k]@[k], [k]@[k], [B,m,k]@[B,k,n]
//      (a rank-2 side broadcasts over the batch) ----
Tensor matmul(Tensor a, Tensor b);

// ---- softmax ----
Tensor softmax(Tensor a, int axis = -1);
Tensor log_softmax(Tensor a, int axis = -1);

// ---- misc ----
Tensor cast(Tensor a, DType t);  // the gradient is cast back; the same dtype returns a itself
Tensor detach(Tensor a);         // same value, no gradient path

// ---- losses (scalar results, mean over the batch; no broadcasting: a [N, 1]
//      prediction against [N] targets is a ShapeError, not an [N, N] loss) ----
Tensor mse(Tensor pred, Tensor target);
// logits [N, C]; target either class indices [N] (checked to be 0..C-1) or
// probabilities [N, C].
Tensor cross_entropy(Tensor logits, Tensor target);
// From logits, numerically stable: mean(softplus(z) - y z); y in [0, 1].
Tensor binary_cross_entropy(Tensor logits, Tensor target);
// mean(relu(1 - y s)) with labels y in {-1, +1}; a margin y s of exactly 1
// gets no gradient (relu'(0) = 0).
Tensor hinge_loss(Tensor scores, Tensor labels);

// ---- operators ----
inline Tensor operator+(Tensor a, Tensor b) { return add(a, b); }
inline Tensor operator-(Tensor a, Tensor b) { return sub(a, b); }
inline Tensor operator*(Tensor a, Tensor b) { return mul(a, b); }
inline Tensor operator/(Tensor a, Tensor b) { return div(a, b); }
inline Tensor operator-(Tensor a) { return neg(a); }
Tensor operator+(Tensor a, double c);
Tensor operator-(Tensor a, double c);
Tensor operator*(Tensor a, double c);
Tensor operator/(Tensor a, double c);
Tensor operator+(double c, Tensor a);
Tensor operator-(double c, Tensor a);
Tensor operator*(double c, Tensor a);
Tensor operator/(double c, Tensor a);

}  // namespace hinge
