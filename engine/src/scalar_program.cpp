// The scalar program (Note [Scalar programs]): compile, forward and backward.
// Every formula matches the tensor kernels (binary.cpp, unary.cpp, scalar_math.hpp).
#include "scalar_program.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "cpu_dispatch.hpp"
#include "scalar_math.hpp"

namespace hinge::detail {

namespace {

// Ops with a scalar kernel below (ORDER OPKIND within the switches).
bool has_scalar_kernel(OpKind op) {
  switch (op) {
    case OpKind::leaf:
    case OpKind::add:
    case OpKind::sub:
    case OpKind::mul:
    case OpKind::div:
    case OpKind::pow:
    case OpKind::minimum:
    case OpKind::maximum:
    case OpKind::eq:
    case OpKind::ne:
    case OpKind::lt:
    case OpKind::le:
    case OpKind::gt:
    case OpKind::ge:
    case OpKind::neg:
    case OpKind::abs:
    case OpKind::sign:
    case OpKind::exp:
    case OpKind::log:
    case OpKind::sqrt:
    case OpKind::sin:
    case OpKind::cos:
    case OpKind::erf:
    case OpKind::powc:
    case OpKind::relu:
    case OpKind::leaky_relu:
    case OpKind::elu:
    case OpKind::gelu:
    case OpKind::softplus:
    case OpKind::sigmoid:
    case OpKind::tanh:
    case OpKind::step:
    case OpKind::sum:
    case OpKind::mean:
    case OpKind::max:
    case OpKind::sum_to:
    case OpKind::expand:
    case OpKind::reshape:
    case OpKind::detach: return true;
    default: return false;
  }
}

template <class T>
class Program final : public ScalarProgram {
 public:
  Program(Graph& g, std::span<const NodeId> nodes) : g_(g), ids_(nodes.begin(), nodes.end()) {
    const std::size_t n = ids_.size();
    code_.resize(n);
    val_.resize(n);
    grad_.assign(n, T(0));
    old_val_.resize(n);
    old_grad_.resize(n);
    // Dense index of each node: its position in `nodes` (tape order).
    auto index_of = [&](NodeId id) {
      return static_cast<uint32_t>(std::lower_bound(ids_.begin(), ids_.end(), id) - ids_.begin());
    };
    for (std::size_t k = 0; k < n; ++k) {
      Node& node = g_[ids_[k]];
      Ins& ins = code_[k];
      ins.op = node.op;
      ins.a = node.nin > 0 ? index_of(node.in[0]) : static_cast<uint32_t>(k);
      ins.b = node.nin > 1 ? index_of(node.in[1]) : ins.a;
      ins.c = static_cast<T>(node.attr.f[0]);
      if (node.nin > 0 && g_[node.in[0]].requires_grad()) ins.need |= 1;
      if (node.nin > 1 && g_[node.in[1]].requires_grad()) ins.need |= 2;
      val_[k] = *node.v<T>();
      old_val_[k] = node.val;
      old_grad_[k] = node.grad;
      if (node.grad) grad_[k] = *node.g<T>();
      node.val = &val_[k];
      if (node.requires_grad()) node.grad = &grad_[k];
    }
  }

  ~Program() override {
    for (std::size_t k = 0; k < ids_.size(); ++k) {
      Node& node = g_[ids_[k]];
      node.val = old_val_[k];
      *node.v<T>() = val_[k];
      node.grad = old_grad_[k];
      if (node.requires_grad()) {
        if (!node.grad) g_.ensure_grad(ids_[k]);
        *node.g<T>() = grad_[k];
      }
    }
  }

  void forward() override {
    run_kernel([&] { run_forward(); });
  }
  void backward() override {
    run_kernel([&] { run_backward(); });
  }

 private:
  void run_forward() {
    T* v = val_.data();
    const std::size_t n = code_.size();
    for (std::size_t k = 0; k < n; ++k) {
      const Ins& I = code_[k];
      const T a = v[I.a], b = v[I.b];
      T& o = v[k];
      switch (I.op) {
        case OpKind::leaf: break;
        case OpKind::add: o = a + b; break;
        case OpKind::sub: o = a - b; break;
        case OpKind::mul: o = a * b; break;
        case OpKind::div: o = a / b; break;
        case OpKind::pow: o = std::pow(a, b); break;
        case OpKind::minimum: o = b < a ? b : a; break;
        case OpKind::maximum: o = b > a ? b : a; break;
        case OpKind::eq: o = a == b ? T(1) : T(0); break;
        case OpKind::ne: o = a != b ? T(1) : T(0); break;
        case OpKind::lt: o = a < b ? T(1) : T(0); break;
        case OpKind::le: o = a <= b ? T(1) : T(0); break;
        case OpKind::gt: o = a > b ? T(1) : T(0); break;
        case OpKind::ge: o = a >= b ? T(1) : T(0); break;
        case OpKind::neg: o = -a; break;
        case OpKind::abs: o = std::abs(a); break;
        case OpKind::sign: o = a > T(0) ? T(1) : a < T(0) ? T(-1) : a == T(0) ? T(0) : a; break;
        case OpKind::exp: o = std::exp(a); break;
        case OpKind::log: o = std::log(a); break;
        case OpKind::sqrt: o = std::sqrt(a); break;
        case OpKind::sin: o = std::sin(a); break;
        case OpKind::cos: o = std::cos(a); break;
        case OpKind::erf: o = std::erf(a); break;
        case OpKind::powc: o = math::powc(a, I.c); break;
        case OpKind::relu: o = a > T(0) ? a : T(0); break;
        case OpKind::leaky_relu: o = a > T(0) ? a : I.c * a; break;
        case OpKind::elu: o = a > T(0) ? a : I.c * std::expm1(a); break;
        case OpKind::gelu: o = math::gelu(a); break;
        case OpKind::softplus: o = math::softplus(a); break;
        case OpKind::sigmoid: o = math::sigmoid(a); break;
        case OpKind::tanh: o = std::tanh(a); break;
        case OpKind::step: o = a > T(0) ? T(1) : T(0); break;
        default: o = a; break;  // sum, mean, max, sum_to, expand, reshape, detach of one number
      }
    }
  }

  void run_backward() {
    T* v = val_.data();
    T* gr = grad_.data();
    const std::size_t n = code_.size();
    std::fill(grad_.begin(), grad_.end(), T(0));
    gr[n - 1] = T(1);
    for (std::size_t k = n; k-- > 0;) {
      const Ins& I = code_[k];
      if (I.need == 0) continue;
      const T go = gr[k];
      // The ops of a micrograd-style graph read only what their derivative needs.
      switch (I.op) {
        case OpKind::add:
          if (I.need & 1) gr[I.a] += go;
          if (I.need & 2) gr[I.b] += go;
          continue;
        case OpKind::sub:
          if (I.need & 1) gr[I.a] += go;
          if (I.need & 2) gr[I.b] += -go;
          continue;
        case OpKind::mul:
          if (I.need & 1) gr[I.a] += go * v[I.b];
          if (I.need & 2) gr[I.b] += go * v[I.a];
          continue;
        case OpKind::relu: gr[I.a] += go * (v[I.a] > T(0) ? T(1) : T(0)); continue;  // need is 1
        default: break;
      }
      const T a = v[I.a], b = v[I.b], o = v[k];
      T da = 0, db = 0;  // local derivatives
      switch (I.op) {
        case OpKind::div:
          if (I.need & 1) gr[I.a] += go / b;
          if (I.need & 2) gr[I.b] += -go * o / b;
          continue;
        case OpKind::pow:
          if (I.need & 1) gr[I.a] += go * b * std::pow(a, b - T(1));
          if (I.need & 2) gr[I.b] += go * o * std::log(a);
          continue;
        case OpKind::minimum:  // a tie splits the gradient (binary.cpp)
          da = a == b ? T(0.5) : a < b ? T(1) : T(0);
          db = a == b ? T(0.5) : b < a ? T(1) : T(0);
          break;
        case OpKind::maximum:
          da = a == b ? T(0.5) : a > b ? T(1) : T(0);
          db = a == b ? T(0.5) : b > a ? T(1) : T(0);
          break;
        case OpKind::eq:
        case OpKind::ne:
        case OpKind::lt:
        case OpKind::le:
        case OpKind::gt:
        case OpKind::ge:
        case OpKind::sign:
        case OpKind::step:
        case OpKind::detach: continue;  // no gradient (step: zero on purpose)
        case OpKind::neg: da = -1; break;
        case OpKind::abs: da = a > T(0) ? T(1) : a < T(0) ? T(-1) : T(0); break;
        case OpKind::exp: da = o; break;
        case OpKind::log: da = T(1) / a; break;
        case OpKind::sqrt: da = T(0.5) / o; break;
        case OpKind::sin: da = std::cos(a); break;
        case OpKind::cos: da = -std::sin(a); break;
        case OpKind::erf: da = math::erf_slope(a); break;
        case OpKind::powc:
          if (I.c == T(0)) continue;  // constant: adds exactly 0
          da = math::powc_slope(a, I.c);
          break;
        case OpKind::leaky_relu: da = a > T(0) ? T(1) : I.c; break;
        case OpKind::elu: da = a > T(0) ? T(1) : o + I.c; break;
        case OpKind::gelu: da = math::gelu_slope(a); break;
        case OpKind::softplus: da = math::sigmoid(a); break;
        case OpKind::sigmoid: da = o * (T(1) - o); break;
        case OpKind::tanh: da = T(1) - o * o; break;
        default: da = 1; break;  // sum, mean, max, sum_to, expand, reshape of one number
      }
      if (I.need & 1) gr[I.a] += go * da;
      if (I.need & 2) gr[I.b] += go * db;
    }
  }

  struct Ins {
    OpKind op = OpKind::leaf;
    uint8_t need = 0;       // bit 0: input a requires grad; bit 1: input b does
    uint32_t a = 0, b = 0;  // dense indices of the inputs (unary: b == a)
    T c = 0;                // the op's constant (alpha, exponent)
  };
  Graph& g_;
  std::vector<NodeId> ids_;
  std::vector<Ins> code_;
  std::vector<T> val_, grad_;
  std::vector<void*> old_val_, old_grad_;  // restored when the program dies
};

}  // namespace

std::unique_ptr<ScalarProgram> ScalarProgram::compile(Graph& g, std::span<const NodeId> nodes) {
  if (nodes.size() < 2) return nullptr;
  const DType t = g[nodes.front()].dtype;
  for (NodeId id : nodes) {
    const Node& n = g[id];
    if (n.numel != 1 || n.dtype != t || n.nin > 2 || !has_scalar_kernel(n.op)) return nullptr;
  }
  if (t == DType::f32) return std::make_unique<Program<float>>(g, nodes);
  return std::make_unique<Program<double>>(g, nodes);
}

}  // namespace hinge::detail
