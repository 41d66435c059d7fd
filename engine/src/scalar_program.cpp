// The scalar program (Note [Scalar programs]): compile, forward and backward.
// Every formula matches the tensor kernels (binary.cpp, unary.cpp, scalar_math.hpp).
#include "scalar_program.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <utility>

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

// Note [Scalar program instructions]
// The program is two instruction lists, one per pass, walked by one pointer each.
// The forward list has an instruction per computed node (a leaf computes nothing);
// the backward list, in reverse tape order, one per node that gives its inputs a
// gradient, with what the derivative needs (which inputs require a gradient)
// folded into its opcode when the program is compiled: a micrograd-style graph is
// mostly +, * and relu, whose backward then tests nothing. Both switches list only
// the opcodes compile() admits and mark every other value unreachable, so the
// compiler jumps through its table without a range check.
//
// Note [Sums of products in registers]
// A neuron is built as `act = act + w * x`, one multiply then one add per input,
// and each add reads the sum the add before it wrote. Through memory that chain
// costs a store-to-load forwarding (several cycles) plus the add per input, in both
// passes, whatever else the loop does. So a multiply followed by the add of its
// product to a running sum compiles into one instruction, and the sum travels in
// a register between such instructions:
// - forward, when the sum is the previous instruction's result, that result (held
//   in a register) is the sum: v[m] = w * x, v[s] = last + v[m];
// - backward, the pair gives add's gradient to the sum and the product, then the
//   product's to w and x, the same operations in the same order as the two nodes
//   apart; when the next instruction is the pair that made the sum, the gradient
//   it just stored there (held in a register) is that pair's incoming gradient.
// Every node's value and gradient is still stored; only the reloads are gone.
//
// Note [Pairs give first shares]
// Clearing the whole gradient array before each backward pass writes every node's
// slot once more than the pass needs. A pair is only made where its add is the
// last consumer of both the sum and the product, so in the backward order it
// gives them their first shares: it stores T(0) + g where it would have added g
// to a cleared slot (the same value to the bit, a -0 share included), and those
// slots, most of a micrograd graph's, are never cleared. The pass clears only the
// others, from a list made when the program is compiled.

// Note [Branch-free relu]
// A relu's gate is open for about half of a network's nodes, in an order no
// branch predictor learns, and GCC makes a branch of `a > 0 ? a : 0` in the
// program's switch (of std::max(T(0), a) and of a comparison converted to T too).
// So the gate is applied through a bit mask: x when open, +0 when closed, the
// same numbers as the kernels' `a > 0 ? a : 0` and `a > 0 ? 1 : 0`, NaN (a closed
// gate) included. On tests/bench's scalar MLP the branch cost about an eighth of
// the training step.
template <class T>
T zero_unless(bool open, T x) {
  using Bits = std::conditional_t<sizeof(T) == sizeof(uint32_t), uint32_t, uint64_t>;
  return std::bit_cast<T>(std::bit_cast<Bits>(x) & (Bits(0) - Bits(open)));
}

// The forward opcodes: the graph's ops, with the same values, then a multiply
// and the add of its product to the previous instruction's result (Note [Sums of
// products in registers]).
enum class FwdOp : uint8_t {
#define HINGE_OP_ENUM(name, arity) name,
  HINGE_OPS(HINGE_OP_ENUM)
#undef HINGE_OP_ENUM
  // the program's own:
  mul_add,
};

// The backward opcodes: +, -, * by the inputs that take a gradient (a, b or both),
// relu (one input, which takes one), and every other op by the general path.
enum class BackOp : uint8_t {
  // a multiply and the add of its product to a sum (Note [Sums of products in
  // registers]), by the multiply's inputs that take a gradient; `carried`: the
  // add's gradient is the one the previous instruction gave the sum it makes
  pair_a,
  pair_b,
  pair_ab,
  pair_a_carried,
  pair_b_carried,
  pair_ab_carried,
  add_a,
  add_b,
  add_ab,
  sub_a,
  sub_b,
  sub_ab,
  mul_a,
  mul_b,
  mul_ab,
  relu,
  general
};

// need: bit 0 when input a takes a gradient, bit 1 when input b does (not 0).
BackOp back_op(OpKind op, unsigned need) {
  const int k = need == 1 ? 0 : need == 2 ? 1 : 2;
  switch (op) {
    case OpKind::add: return static_cast<BackOp>(static_cast<int>(BackOp::add_a) + k);
    case OpKind::sub: return static_cast<BackOp>(static_cast<int>(BackOp::sub_a) + k);
    case OpKind::mul: return static_cast<BackOp>(static_cast<int>(BackOp::mul_a) + k);
    case OpKind::relu: return BackOp::relu;
    default: return BackOp::general;
  }
}

// The backward opcode of a pair (Note [Sums of products in registers]) whose
// multiply's inputs `need` a gradient (bits as in back_op).
BackOp pair_op(unsigned need) {
  return static_cast<BackOp>(static_cast<int>(BackOp::pair_a) + (need == 1 ? 0 : need == 2 ? 1 : 2));
}

// Whether op is a pair's, carried or not.
bool is_pair(BackOp op) { return op <= BackOp::pair_ab_carried; }

template <class T>
class Program final : public ScalarProgram {
 public:
  Program(Graph& g, std::span<const NodeId> nodes) : g_(g), ids_(nodes.begin(), nodes.end()) {
    const std::size_t n = ids_.size();
    val_.resize(n);
    grad_.assign(n, T(0));
    c_.resize(n);
    old_val_.resize(n);
    old_grad_.resize(n);
    old_bits_.resize(n);
    // Dense index of each node: its position in `nodes` (tape order).
    auto index_of = [&](NodeId id) {
      return static_cast<uint32_t>(std::lower_bound(ids_.begin(), ids_.end(), id) - ids_.begin());
    };
    // Each node's last consumer (Note [Pairs give first shares]); n: none.
    std::vector<uint32_t> last_use(n, static_cast<uint32_t>(n));
    for (std::size_t k = 0; k < n; ++k) {
      const Node& node = g_[ids_[k]];
      for (int i = 0; i < node.nin; ++i) last_use[index_of(node.in[i])] = static_cast<uint32_t>(k);
    }
    std::vector<char> assigned(n, 0);           // slots a pair gives their first share
    bool fused_fwd = false, fused_bwd = false;  // node k is the add of a pair just compiled
    for (std::size_t k = 0; k < n; ++k) {
      Node& node = g_[ids_[k]];
      const auto out = static_cast<uint32_t>(k);
      const uint32_t a = node.nin > 0 ? index_of(node.in[0]) : out;
      const uint32_t b = node.nin > 1 ? index_of(node.in[1]) : a;
      c_[k] = static_cast<T>(node.attr().f[0]);
      unsigned need = 0;
      if (node.nin > 0 && g_[node.in[0]].requires_grad()) need |= 1;
      if (node.nin > 1 && g_[node.in[1]].requires_grad()) need |= 2;
      // A multiply whose product the next node adds to a sum (Note [Sums of
      // products in registers]); sum: that add's first input.
      uint32_t sum = out;
      const bool pair = node.op == OpKind::mul && k + 1 < n && g_[ids_[k + 1]].op == OpKind::add &&
                        g_[ids_[k + 1]].in[1] == ids_[k] && (sum = index_of(g_[ids_[k + 1]].in[0])) != out;
      const bool was_fused_fwd = std::exchange(fused_fwd, false),
                 was_fused_bwd = std::exchange(fused_bwd, false);
      if (pair && !fwd_.empty() && fwd_.back().out == sum) {
        fwd_.push_back({FwdOp::mul_add, out + 1, a, b});
        fused_fwd = true;
      } else if (node.op != OpKind::leaf && !was_fused_fwd) {
        fwd_.push_back({static_cast<FwdOp>(node.op), out, a, b});
      }
      if (pair && need != 0 && node.requires_grad() && g_[ids_[sum]].requires_grad() &&
          last_use[out] == out + 1 && last_use[sum] == out + 1) {
        bwd_.push_back({pair_op(need), OpKind::mul, static_cast<uint8_t>(need), out + 1, a, b, sum});
        assigned[out] = assigned[sum] = 1;
        fused_bwd = true;
      } else if (need != 0 && !was_fused_bwd) {
        bwd_.push_back({back_op(node.op, need), node.op, static_cast<uint8_t>(need), out, a, b, 0});
      }
      val_[k] = *node.v<T>();
      old_val_[k] = node.val;
      old_grad_[k] = node.grad;
      // The paths that read a node's inline slots must pass it by while its
      // numbers are in this program's arrays (Note [Inline scalars]).
      old_bits_[k] = node.flags & kHeldElsewhere;
      node.flags &= ~kHeldElsewhere;
      if (node.grad) grad_[k] = *node.g<T>();
      node.val = &val_[k];
      if (node.requires_grad()) node.grad = &grad_[k];
    }
    std::reverse(bwd_.begin(), bwd_.end());
    for (std::size_t k = 0; k < n; ++k)
      if (!assigned[k]) cleared_.push_back(static_cast<uint32_t>(k));
    // A pair whose add's gradient the pair before it (in the backward order) just
    // stored in the sum, and left in the register: that pair did not give w or x a
    // share after it, which they would be if one of them were the sum.
    for (std::size_t i = 1; i < bwd_.size(); ++i) {
      const Bwd& prev = bwd_[i - 1];
      Bwd& I = bwd_[i];
      if (is_pair(prev.op) && is_pair(I.op) && prev.sum == I.out && prev.sum != prev.a && prev.sum != prev.b)
        I.op = static_cast<BackOp>(static_cast<int>(I.op) + static_cast<int>(BackOp::pair_a_carried) -
                                   static_cast<int>(BackOp::pair_a));
    }
  }

  ~Program() override {
    for (std::size_t k = 0; k < ids_.size(); ++k) {
      Node& node = g_[ids_[k]];
      node.val = old_val_[k];
      node.flags |= old_bits_[k];
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
  // One instruction of the forward pass: v[out] = op(v[a], v[b]) (unary: b == a);
  // mul_add: v[out - 1] = v[a] * v[b], v[out] = the previous result + v[out - 1].
  struct Fwd {
    FwdOp op;
    uint32_t out, a, b;
  };
  // One instruction of the backward pass: gives gr[out]'s shares to gr[a], gr[b].
  // A pair: out is the add, out - 1 the multiply of a and b, sum the
  // add's other input.
  struct Bwd {
    BackOp op;
    OpKind kind;   // the node's op, for BackOp::general
    uint8_t need;  // bit 0: input a takes a gradient; bit 1: input b does
    uint32_t out, a, b, sum;
  };

  void run_forward() {
    T* v = val_.data();
    const T* c = c_.data();
    T last = 0;  // the previous instruction's result (Note [Sums of products in registers])
    for (const Fwd *I = fwd_.data(), *end = I + fwd_.size(); I != end; ++I) {
      const T a = v[I->a], b = v[I->b];
      T o;
      switch (I->op) {
        case FwdOp::add: o = a + b; break;
        case FwdOp::sub: o = a - b; break;
        case FwdOp::mul: o = a * b; break;
        case FwdOp::div: o = a / b; break;
        case FwdOp::pow: o = std::pow(a, b); break;
        case FwdOp::minimum: o = b < a ? b : a; break;
        case FwdOp::maximum: o = b > a ? b : a; break;
        case FwdOp::eq: o = a == b ? T(1) : T(0); break;
        case FwdOp::ne: o = a != b ? T(1) : T(0); break;
        case FwdOp::lt: o = a < b ? T(1) : T(0); break;
        case FwdOp::le: o = a <= b ? T(1) : T(0); break;
        case FwdOp::gt: o = a > b ? T(1) : T(0); break;
        case FwdOp::ge: o = a >= b ? T(1) : T(0); break;
        case FwdOp::neg: o = -a; break;
        case FwdOp::abs: o = std::abs(a); break;
        case FwdOp::sign: o = a > T(0) ? T(1) : a < T(0) ? T(-1) : a == T(0) ? T(0) : a; break;
        case FwdOp::exp: o = std::exp(a); break;
        case FwdOp::log: o = std::log(a); break;
        case FwdOp::sqrt: o = std::sqrt(a); break;
        case FwdOp::sin: o = std::sin(a); break;
        case FwdOp::cos: o = std::cos(a); break;
        case FwdOp::erf: o = std::erf(a); break;
        case FwdOp::powc: o = math::powc(a, c[I->out]); break;
        case FwdOp::relu: o = zero_unless(a > T(0), a); break;  // Note [Branch-free relu]
        case FwdOp::leaky_relu: o = a > T(0) ? a : c[I->out] * a; break;
        case FwdOp::elu: o = a > T(0) ? a : c[I->out] * std::expm1(a); break;
        case FwdOp::gelu: o = math::gelu(a); break;
        case FwdOp::softplus: o = math::softplus(a); break;
        case FwdOp::sigmoid: o = math::sigmoid(a); break;
        case FwdOp::tanh: o = std::tanh(a); break;
        case FwdOp::step: o = a > T(0) ? T(1) : T(0); break;
        case FwdOp::sum:  // of one number, these pass it on
        case FwdOp::mean:
        case FwdOp::max:
        case FwdOp::sum_to:
        case FwdOp::expand:
        case FwdOp::reshape:
        case FwdOp::detach: o = a; break;
        case FwdOp::mul_add: {
          const T product = a * b;
          v[I->out - 1] = product;
          o = last + product;
          break;
        }
        default: __builtin_unreachable();  // compile() admits no other op
      }
      v[I->out] = o;
      last = o;
    }
  }

  void run_backward() {
    const T* v = val_.data();
    T* gr = grad_.data();
    for (uint32_t k : cleared_) gr[k] = T(0);  // Note [Pairs give first shares]
    gr[grad_.size() - 1] = T(1);
    // The ops of a micrograd-style graph read only what their derivative needs.
    T carry = 0;  // what the last pair gave its sum (Note [Sums of products in registers])
    for (const Bwd *I = bwd_.data(), *end = I + bwd_.size(); I != end; ++I) {
      const T go = gr[I->out];
      switch (I->op) {
        case BackOp::pair_a: carry = pair_backward<1>(*I, go, v, gr); break;
        case BackOp::pair_b: carry = pair_backward<2>(*I, go, v, gr); break;
        case BackOp::pair_ab: carry = pair_backward<3>(*I, go, v, gr); break;
        case BackOp::pair_a_carried: carry = pair_backward<1>(*I, carry, v, gr); break;
        case BackOp::pair_b_carried: carry = pair_backward<2>(*I, carry, v, gr); break;
        case BackOp::pair_ab_carried: carry = pair_backward<3>(*I, carry, v, gr); break;
        case BackOp::add_a: gr[I->a] += go; break;
        case BackOp::add_b: gr[I->b] += go; break;
        case BackOp::add_ab:
          gr[I->a] += go;
          gr[I->b] += go;
          break;
        case BackOp::sub_a: gr[I->a] += go; break;
        case BackOp::sub_b: gr[I->b] += -go; break;
        case BackOp::sub_ab:
          gr[I->a] += go;
          gr[I->b] += -go;
          break;
        case BackOp::mul_a: gr[I->a] += go * v[I->b]; break;
        case BackOp::mul_b: gr[I->b] += go * v[I->a]; break;
        case BackOp::mul_ab:
          gr[I->a] += go * v[I->b];
          gr[I->b] += go * v[I->a];
          break;
        case BackOp::relu: gr[I->a] += go * zero_unless(v[I->a] > T(0), T(1)); break;
        case BackOp::general: general_backward(*I, go, v, gr); break;
        default: __builtin_unreachable();  // every BackOp has its case
      }
    }
  }

  // The backward of a pair (Note [Sums of products in registers]) given the add's
  // gradient `go`: the add's shares, the first its sum and product get (Note
  // [Pairs give first shares]), then the multiply's, as apart. Returns the sum's
  // gradient.
  template <unsigned need>
  static T pair_backward(const Bwd& I, T go, const T* v, T* gr) {
    const T share = T(0) + go;
    gr[I.sum] = share;
    gr[I.out - 1] = share;  // the product's gradient
    if (need & 1) gr[I.a] += share * v[I.b];
    if (need & 2) gr[I.b] += share * v[I.a];
    return share;
  }

  // The backward of every op but +, -, * and relu.
  void general_backward(const Bwd& I, T go, const T* v, T* gr) const {
    const T a = v[I.a], b = v[I.b], o = v[I.out], c = c_[I.out];
    T da = 0, db = 0;  // local derivatives
    switch (I.kind) {
      case OpKind::div:
        if (I.need & 1) gr[I.a] += go / b;
        if (I.need & 2) gr[I.b] += -go * o / b;
        return;
      case OpKind::pow:
        if (I.need & 1) gr[I.a] += go * b * std::pow(a, b - T(1));
        if (I.need & 2) gr[I.b] += go * o * std::log(a);
        return;
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
      case OpKind::detach: return;  // no gradient (step: zero on purpose)
      case OpKind::neg: da = -1; break;
      case OpKind::abs: da = a > T(0) ? T(1) : a < T(0) ? T(-1) : T(0); break;
      case OpKind::exp: da = o; break;
      case OpKind::log: da = T(1) / a; break;
      case OpKind::sqrt: da = T(0.5) / o; break;
      case OpKind::sin: da = std::cos(a); break;
      case OpKind::cos: da = -std::sin(a); break;
      case OpKind::erf: da = math::erf_slope(a); break;
      case OpKind::powc:
        if (c == T(0)) return;  // constant: adds exactly 0
        da = math::powc_slope(a, c);
        break;
      case OpKind::leaky_relu: da = a > T(0) ? T(1) : c; break;
      case OpKind::elu: da = a > T(0) ? T(1) : o + c; break;
      case OpKind::gelu: da = math::gelu_slope(a); break;
      case OpKind::softplus: da = math::sigmoid(a); break;
      case OpKind::sigmoid: da = o * (T(1) - o); break;
      case OpKind::tanh: da = T(1) - o * o; break;
      default: da = 1; break;  // sum, mean, max, sum_to, expand, reshape of one number
    }
    if (I.need & 1) gr[I.a] += go * da;
    if (I.need & 2) gr[I.b] += go * db;
  }

  Graph& g_;
  std::vector<NodeId> ids_;
  std::vector<Fwd> fwd_;
  std::vector<Bwd> bwd_;  // in reverse tape order
  std::vector<T> val_, grad_;
  std::vector<uint32_t> cleared_;          // slots cleared before each backward pass
  std::vector<T> c_;                       // each node's constant (alpha, exponent)
  std::vector<void*> old_val_, old_grad_;  // restored when the program dies
  std::vector<uint8_t> old_bits_;          // each node's kHeldElsewhere bits, restored likewise
};

}  // namespace

std::unique_ptr<ScalarProgram> ScalarProgram::compile(Graph& g, std::span<const NodeId> nodes) {
  if (nodes.size() < 2) return nullptr;
  const DType t = g[nodes.front()].dtype;
  for (NodeId id : nodes) {
    const Node& n = g[id];
    if (n.numel() != 1 || n.dtype != t || n.nin > 2 || !has_scalar_kernel(n.op)) return nullptr;
  }
  if (t == DType::f32) return std::make_unique<Program<float>>(g, nodes);
  return std::make_unique<Program<double>>(g, nodes);
}

}  // namespace hinge::detail
