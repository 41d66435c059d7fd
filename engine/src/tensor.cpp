// Tensor handle accessors and the operators that mix tensors with numbers.
#include "hinge/tensor.hpp"

#include <fmt/format.h>

#include "hinge/errors.hpp"

namespace hinge {

double Tensor::item() const {
  if (numel() != 1)
    throw DomainError(fmt::format("item() needs a one-element tensor, not shape {}", to_string(shape())));
  return at(0);
}

double Tensor::at(int64_t k) const {
  const Node& n = node();
  return dispatch(n.dtype, [&]<class T>() { return static_cast<double>(n.v<T>()[k]); });
}

double Tensor::grad_at(int64_t k) const {
  const Node& n = node();
  if (!n.grad) return 0.0;
  return dispatch(n.dtype, [&]<class T>() { return static_cast<double>(n.g<T>()[k]); });
}

std::vector<double> Tensor::values() const {
  std::vector<double> out(static_cast<std::size_t>(numel()));
  for (int64_t k = 0; k < numel(); ++k) out[k] = at(k);
  return out;
}

std::vector<double> Tensor::grads() const {
  std::vector<double> out(static_cast<std::size_t>(numel()));
  for (int64_t k = 0; k < numel(); ++k) out[k] = grad_at(k);
  return out;
}

void Tensor::set_values(std::span<const double> v) const {
  Node& n = node();
  if (!n.is_leaf()) throw DomainError("set_values() on a computed node; only leaves hold data");
  if (static_cast<int64_t>(v.size()) != n.numel())
    throw ShapeError(fmt::format("{} values given for a tensor of shape {}", v.size(), to_string(n.shape())));
  dispatch(n.dtype, [&]<class T>() {
    for (int64_t k = 0, count = n.numel(); k < count; ++k) n.v<T>()[k] = static_cast<T>(v[k]);
  });
  g->touch(id);  // what was computed from this leaf is stale (Note [Live values])
}

// A number next to a tensor becomes a scalar constant of the tensor's dtype.
static Tensor lift(Tensor like, double c) { return like.g->scalar(c, like.dtype()); }

Tensor operator+(Tensor a, double c) { return add(a, lift(a, c)); }
Tensor operator-(Tensor a, double c) { return sub(a, lift(a, c)); }
Tensor operator*(Tensor a, double c) { return mul(a, lift(a, c)); }
Tensor operator/(Tensor a, double c) { return div(a, lift(a, c)); }
Tensor operator+(double c, Tensor a) { return add(lift(a, c), a); }
Tensor operator-(double c, Tensor a) { return sub(lift(a, c), a); }
Tensor operator*(double c, Tensor a) { return mul(lift(a, c), a); }
Tensor operator/(double c, Tensor a) { return div(lift(a, c), a); }

}  // namespace hinge
