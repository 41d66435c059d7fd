// Losses, each a composite of differentiable ops (so gradients and grad of grad
// come for free) reducing to a scalar mean over the batch. Targets are checked
// when the loss is built; a replay with new target values is not re-checked.
#include <cmath>

#include <fmt/format.h>

#include "hinge/errors.hpp"
#include "hinge/graph.hpp"
#include "hinge/tensor.hpp"
#include "operand_errors.hpp"

namespace hinge {
namespace {

void check_pair(Tensor a, Tensor b, std::string_view op) {
  if (a.g != b.g) detail::throw_graph_error(op);
  if (a.dtype() != b.dtype()) detail::throw_dtype_error(op, a.dtype(), b.dtype());
}

// Losses do not broadcast: a [N, 1] prediction against [N] targets would silently
// become an [N, N] comparison.
void check_same_shape(Tensor a, Tensor b, std::string_view op) {
  check_pair(a, b, op);
  if (!(a.shape() == b.shape())) detail::throw_broadcast_error(op, a.shape(), b.shape());
}

// Throws DomainError naming `op` for the first target value `ok` rejects.
template <class Ok>
void check_values(Tensor t, std::string_view op, std::string_view noun, std::string_view what, Ok ok) {
  for (int64_t k = 0; k < t.numel(); ++k) {
    const double v = t.at(k);
    if (!ok(v)) throw DomainError(fmt::format("'{}': {} {} at position {} {}", op, noun, v, k, what));
  }
}

}  // namespace

Tensor mse(Tensor pred, Tensor target) {
  check_same_shape(pred, target, "mse");
  Tensor d = pred - target;
  return mean(d * d);
}

// The constant row [0, 1, ..., classes - 1], written in its node: a loss rebuilt
// each step allocates no list of class ids.
Tensor class_ids(Graph& g, int64_t classes, DType t) {
  Tensor row = g.full(Shape{1, classes}, 0.0, t);
  Node& n = g[row.id];
  dispatch(t, [&]<class T>() {
    for (int64_t c = 0; c < classes; ++c) n.v<T>()[c] = static_cast<T>(c);
  });
  return row;
}

Tensor cross_entropy(Tensor logits, Tensor target) {
  check_pair(logits, target, "cross_entropy");
  if (logits.rank() != 2)
    throw ShapeError(
        fmt::format("'cross_entropy' needs logits of shape [N, C], not {}", to_string(logits.shape())));
  const int64_t n = logits.shape()[0], classes = logits.shape()[1];
  if (classes == 0)
    throw ShapeError(fmt::format("'cross_entropy' needs at least one class: logits {} have none",
                                 to_string(logits.shape())));
  Tensor probs = target;
  if (target.rank() == 1) {  // class indices: compare with 0..C-1 to get one-hot rows
    if (target.shape()[0] != n)
      throw ShapeError(fmt::format("shape mismatch in 'cross_entropy': {} vs {}", to_string(logits.shape()),
                                   to_string(target.shape())));
    for (int64_t k = 0; k < n; ++k) {
      const double v = target.at(k);
      if (!(v >= 0 && v < static_cast<double>(classes) && v == std::floor(v)))
        throw DomainError(fmt::format("'cross_entropy': label {} (row {}) is not a class index in 0..{}", v,
                                      k, classes - 1));
    }
    probs = eq(reshape(target, {n, 1}), class_ids(*logits.g, classes, logits.dtype()));
  } else if (!(target.shape() == logits.shape())) {
    throw ShapeError(fmt::format("shape mismatch in 'cross_entropy': {} vs {}", to_string(logits.shape()),
                                 to_string(target.shape())));
  }
  return -mean(sum(probs * log_softmax(logits, 1), {1}));
}

Tensor binary_cross_entropy(Tensor logits, Tensor target) {
  check_same_shape(logits, target, "binary_cross_entropy");
  check_values(target, "binary_cross_entropy", "target", "is outside [0, 1]",
               [](double v) { return v >= 0 && v <= 1; });
  return mean(softplus(logits) - target * logits);
}

Tensor hinge_loss(Tensor scores, Tensor labels) {
  check_same_shape(scores, labels, "hinge_loss");
  check_values(labels, "hinge_loss", "label", "is not -1 or +1", [](double v) { return v == -1 || v == 1; });
  return mean(relu(1.0 - labels * scores));
}

}  // namespace hinge
