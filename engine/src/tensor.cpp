// Tensor handle accessors and the operators that mix tensors with numbers.
#include "hinge/tensor.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "hinge/errors.hpp"
#include "hinge/interrupt.hpp"

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

namespace {

// `count` numbers of type T from p as doubles, in room made once (not zeroed
// first), polling between pieces of kInterruptPollElements: a [10^6, 256] tensor
// is 2 GB of doubles, seconds to convert. A tensor of one piece is never stopped.
template <class T>
std::vector<double> as_doubles(const T* p, int64_t count) {
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(count));
  for (int64_t k = 0; k < count; k += kInterruptPollElements) {
    if (k > 0) throw_if_interrupted();
    out.insert(out.end(), p + k, p + std::min(count, k + kInterruptPollElements));
  }
  return out;
}

}  // namespace

std::vector<double> Tensor::values() const {
  const Node& n = node();
  return dispatch(n.dtype, [&]<class T>() { return as_doubles(n.v<T>(), n.numel()); });
}

std::vector<double> Tensor::grads() const {
  const Node& n = node();
  if (!n.grad) return std::vector<double>(static_cast<std::size_t>(n.numel()), 0.0);
  return dispatch(n.dtype, [&]<class T>() { return as_doubles(n.g<T>(), n.numel()); });
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
