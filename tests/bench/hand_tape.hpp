// A hand-written tape of one-number values, with no engine: a graph recorded anew
// each step the way a program written for one graph records it. The reference of
// the scalar MLP's dynamic row (README.md, "The hand-written tape").
#pragma once
#include <cstdint>
#include <vector>

namespace bench {

enum class TapeOp : uint8_t { leaf, add, sub, mul, relu };

// One recorded value: its value, gradient, op and inputs (b is unused by relu and
// leaves), in 20 bytes.
struct TapeEntry {
  float val;
  float grad;
  uint32_t a, b;
  TapeOp op;
};

class HandTape {
 public:
  using Id = uint32_t;

  Id leaf(float v) { return push({v, 0.0f, 0, 0, TapeOp::leaf}); }
  Id add(Id a, Id b) { return push({val(a) + val(b), 0.0f, a, b, TapeOp::add}); }
  Id sub(Id a, Id b) { return push({val(a) - val(b), 0.0f, a, b, TapeOp::sub}); }
  Id mul(Id a, Id b) { return push({val(a) * val(b), 0.0f, a, b, TapeOp::mul}); }
  Id relu(Id a) { return push({val(a) > 0.0f ? val(a) : 0.0f, 0.0f, a, 0, TapeOp::relu}); }

  float& val(Id i) { return entries_[i].val; }
  float& grad(Id i) { return entries_[i].grad; }
  bool is_leaf(Id i) const { return entries_[i].op == TapeOp::leaf; }
  std::size_t size() const { return entries_.size(); }
  // Drops the entries from `n` on (what the last step built) and keeps their
  // memory: once the first step has run, a step allocates nothing.
  void rewind(std::size_t n) { entries_.resize(n); }

  // Adds d root / d value to each entry's gradient, from the root down: an
  // entry's gradient is complete when the walk reaches it. The shares are hinge's
  // (Note [Scalar steps in backward] in engine/src/backward.cpp), added in the
  // same order, so the two agree bit for bit.
  void backward(Id root) {
    grad(root) = 1.0f;
    for (Id i = root + 1; i-- > 0;) {
      const TapeEntry& e = entries_[i];
      const float g = e.grad;
      switch (e.op) {
        case TapeOp::leaf: break;
        case TapeOp::add:
          grad(e.a) += g;
          grad(e.b) += g;
          break;
        case TapeOp::sub:
          grad(e.a) += g;
          grad(e.b) += -g;
          break;
        case TapeOp::mul: {
          const float share_a = g * val(e.b), share_b = g * val(e.a);
          grad(e.a) += share_a;
          grad(e.b) += share_b;
          break;
        }
        case TapeOp::relu: grad(e.a) += g * (val(e.a) > 0.0f ? 1.0f : 0.0f); break;
      }
    }
  }

 private:
  Id push(const TapeEntry& e) {
    entries_.push_back(e);
    return static_cast<Id>(entries_.size() - 1);
  }
  std::vector<TapeEntry> entries_;
};

// A value on a tape, with the operators a model is written with: the bench's
// scalar model, written once for hinge's Tensor, runs on the tape unchanged.
// A number in an expression becomes a leaf, as hinge makes it a constant node.
struct TapeValue {
  HandTape* tape = nullptr;
  HandTape::Id id = 0;
};

inline TapeValue operator+(TapeValue a, TapeValue b) { return {a.tape, a.tape->add(a.id, b.id)}; }
inline TapeValue operator*(TapeValue a, TapeValue b) { return {a.tape, a.tape->mul(a.id, b.id)}; }
inline TapeValue operator-(double c, TapeValue a) {
  return {a.tape, a.tape->sub(a.tape->leaf(static_cast<float>(c)), a.id)};
}
inline TapeValue operator*(TapeValue a, double c) {
  return {a.tape, a.tape->mul(a.id, a.tape->leaf(static_cast<float>(c)))};
}
inline TapeValue operator*(double c, TapeValue a) {
  return {a.tape, a.tape->mul(a.tape->leaf(static_cast<float>(c)), a.id)};
}
inline TapeValue relu(TapeValue a) { return {a.tape, a.tape->relu(a.id)}; }

}  // namespace bench
