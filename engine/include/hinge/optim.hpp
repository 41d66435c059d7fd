// Optimizers (SGD with momentum/Nesterov, Adam, AdamW) over parameter leaves, and
// learning-rate schedules (constant, step, cosine) giving lr(step).
//   Replay r(loss, {.fuse_layers = true});
//   Adam opt(r.params(), {.lr = 0.01});
//   for (int t = 0; t < 1000; ++t) { r.forward(); r.backward(); opt.step(); }
#pragma once
#include <cstdint>
#include <vector>

#include "hinge/tensor.hpp"

namespace hinge {

// Note [Optimizer semantics]
// Each update is exactly the algorithm box of PyTorch's torch.optim docs (SGD,
// Adam, AdamW), with t counting step() calls from 1. The arithmetic runs in each
// parameter's own dtype (float or double), like PyTorch does for its tensors.
// State buffers (momentum, first and second moments) are allocated when the
// optimizer is built, so step() allocates nothing: a training loop of ten
// thousand steps touches the heap only before the first one. A parameter whose
// gradient buffer does not exist yet (never reached by a backward pass) is
// skipped, as PyTorch skips parameters whose .grad is None.

// The common part: the parameter list, the learning rate, the step count.
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // Applies one update to every parameter from its current gradient.
  void step();
  // Zeroes every parameter's gradient (gradients accumulate otherwise).
  void zero_grad();

  double lr() const { return lr_; }
  // Takes effect at the next step(); a schedule drives it: opt.set_lr(sched.lr(t)).
  void set_lr(double lr);
  // Number of step() calls made so far (PyTorch's t - 1 before a step).
  int64_t steps() const { return t_; }
  const std::vector<Tensor>& params() const { return params_; }

 protected:
  // Checks that every parameter is a leaf that requires grad, with no repeats,
  // and that lr >= 0; throws DomainError naming the optimizer otherwise.
  Optimizer(const char* name, std::vector<Tensor> params, double lr);
  // Updates parameter k; `t` is the 1-based step number.
  virtual void update(std::size_t k, int64_t t) = 0;

  // A per-parameter state buffer in the parameter's dtype.
  struct Buffer {
    std::vector<float> f;
    std::vector<double> d;
    template <class T>
    T* data() {
      if constexpr (sizeof(T) == 4)
        return f.data();
      else
        return d.data();
    }
  };
  // One zeroed buffer per parameter, sized and typed like it.
  std::vector<Buffer> make_buffers() const;

  const char* name_;
  std::vector<Tensor> params_;
  double lr_;
  int64_t t_ = 0;
};

// SGD, optionally with momentum (PyTorch's form: b = mu b + (1 - dampening) g,
// with b = g on the first step), Nesterov momentum (g + mu b) and L2 weight decay
// added to the gradient (g + weight_decay * theta).
struct SgdOptions {
  double lr = 0.01;
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;  // needs momentum > 0 and dampening == 0
};

class Sgd : public Optimizer {
 public:
  explicit Sgd(std::vector<Tensor> params, const SgdOptions& opt = {});
  const SgdOptions& options() const { return opt_; }

 private:
  void update(std::size_t k, int64_t t) override;
  SgdOptions opt_;
  std::vector<Buffer> momentum_;  // empty when momentum == 0
};

// Adam: m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2, theta -= lr mhat / (sqrt(vhat) + eps)
// with the bias corrections mhat = m / (1 - b1^t), vhat = v / (1 - b2^t).
// weight_decay here is an L2 penalty added to the gradient (g + wd theta), so it
// passes through the moments; AdamW decouples it.
struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
};

class Adam : public Optimizer {
 public:
  explicit Adam(std::vector<Tensor> params, const AdamOptions& opt = {});
  const AdamOptions& options() const { return opt_; }

 protected:
  Adam(const char* name, std::vector<Tensor> params, const AdamOptions& opt, bool decoupled);

 private:
  void update(std::size_t k, int64_t t) override;
  AdamOptions opt_;
  bool decoupled_;             // AdamW: decay the weights, not the gradient
  std::vector<Buffer> m_, v_;  // first and second moments
};

// AdamW: before the Adam update, theta -= lr * weight_decay * theta; the moments
// see the raw gradient. PyTorch's default weight_decay for AdamW is 1e-2.
struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;
};

class AdamW : public Adam {
 public:
  explicit AdamW(std::vector<Tensor> params, const AdamWOptions& opt = {});
};

// ---- learning-rate schedules: lr(step) for step = 0, 1, 2, ... (the number of
//      updates done before this one, as PyTorch's schedulers count epochs) ----
class LrSchedule {
 public:
  virtual ~LrSchedule() = default;
  virtual double lr(int64_t step) const = 0;
};

// The same rate at every step.
class ConstantLr : public LrSchedule {
 public:
  explicit ConstantLr(double lr) : lr_(lr) {}
  double lr(int64_t) const override { return lr_; }

 private:
  double lr_;
};

// base * gamma^floor(step / step_size) (PyTorch's StepLR): decays every step_size steps.
class StepLr : public LrSchedule {
 public:
  StepLr(double base, int64_t step_size, double gamma = 0.1);
  double lr(int64_t step) const override;

 private:
  double base_;
  int64_t step_size_;
  double gamma_;
};

// min + (base - min) (1 + cos(pi step / total)) / 2 (PyTorch's CosineAnnealingLR
// without restarts); stays at min once step >= total.
class CosineLr : public LrSchedule {
 public:
  CosineLr(double base, int64_t total, double min_lr = 0);
  double lr(int64_t step) const override;

 private:
  double base_;
  int64_t total_;
  double min_;
};

}  // namespace hinge
