// Optimizer updates (SGD, Adam, AdamW) and learning-rate schedules.
// See Note [Optimizer semantics].
#include "hinge/optim.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

#include <fmt/format.h>

#include "cpu_dispatch.hpp"
#include "hinge/errors.hpp"
#include "parallel.hpp"

namespace hinge {

namespace {

void require(bool ok, const char* name, const std::string& what) {
  if (!ok) throw DomainError(fmt::format("{}: {}", name, what));
}

}  // namespace

// ---- Optimizer ----

Optimizer::Optimizer(const char* name, std::vector<Tensor> params, double lr)
    : name_(name), params_(std::move(params)), lr_(lr) {
  require(lr >= 0, name, fmt::format("invalid learning rate {} (must be >= 0)", lr));
  for (std::size_t k = 0; k < params_.size(); ++k) {
    const Tensor& p = params_[k];
    require(p.valid(), name, fmt::format("parameter {} is not a tensor", k));
    require(p.node().is_leaf(), name,
            fmt::format("parameter {} is a computed value ('{}'); only leaves can be updated", k,
                        op_name(p.node().op)));
    require(p.requires_grad(), name, fmt::format("parameter {} does not require grad", k));
    for (std::size_t j = 0; j < k; ++j)
      require(params_[j].g != p.g || params_[j].id != p.id, name,
              fmt::format("parameter {} appears twice in the list", k));
  }
}

void Optimizer::set_lr(double lr) {
  require(lr >= 0, name_, fmt::format("invalid learning rate {} (must be >= 0)", lr));
  lr_ = lr;
}

void Optimizer::step() {
  ++t_;
  for (std::size_t k = 0; k < params_.size(); ++k)
    if (params_[k].node().has_grad()) {
      update(k, t_);
      params_[k].g->touch(params_[k].id);  // Note [Live values]
    }
}

void Optimizer::zero_grad() {
  for (const Tensor& p : params_) {
    Node& n = p.node();
    if (n.grad) std::memset(n.grad, 0, static_cast<std::size_t>(n.numel()) * dtype_size(n.dtype));
  }
}

std::vector<Optimizer::Buffer> Optimizer::make_buffers() const {
  std::vector<Buffer> out(params_.size());
  for (std::size_t k = 0; k < params_.size(); ++k) {
    const auto n = static_cast<std::size_t>(params_[k].numel());
    if (params_[k].dtype() == DType::f32)
      out[k].f.assign(n, 0.0f);
    else
      out[k].d.assign(n, 0.0);
  }
  return out;
}

// ---- SGD ----

Sgd::Sgd(std::vector<Tensor> params, const SgdOptions& opt)
    : Optimizer("sgd", std::move(params), opt.lr), opt_(opt) {
  require(opt.momentum >= 0, name_, fmt::format("invalid momentum {} (must be >= 0)", opt.momentum));
  require(opt.weight_decay >= 0, name_,
          fmt::format("invalid weight_decay {} (must be >= 0)", opt.weight_decay));
  require(!opt.nesterov || (opt.momentum > 0 && opt.dampening == 0), name_,
          "Nesterov momentum needs momentum > 0 and zero dampening");
  if (opt.momentum != 0) momentum_ = make_buffers();
}

void Sgd::update(std::size_t k, int64_t t) {
  Node& n = params_[k].node();
  detail::each_part(n.numel(), [&](int64_t first, int64_t last) {
    detail::dispatch_kernel(n.dtype, [&]<class T>() {
      T* __restrict p = n.v<T>();
      const T* __restrict g = n.g<T>();
      const T lr = T(lr_), wd = T(opt_.weight_decay), mu = T(opt_.momentum);
      const T keep = T(1) - T(opt_.dampening);
      T* __restrict b = momentum_.empty() ? nullptr : momentum_[k].data<T>();
      if (!b && wd == T(0)) {  // plain SGD: its own loop, so it vectorizes
        for (int64_t i = first; i < last; ++i) p[i] -= lr * g[i];
        return;
      }
      for (int64_t i = first; i < last; ++i) {
        T gi = g[i];
        if (wd != T(0)) gi += wd * p[i];
        if (b) {
          b[i] = t > 1 ? mu * b[i] + keep * gi : gi;
          gi = opt_.nesterov ? gi + mu * b[i] : b[i];
        }
        p[i] -= lr * gi;
      }
    });
  });
}

// ---- Adam / AdamW ----

Adam::Adam(std::vector<Tensor> params, const AdamOptions& opt)
    : Adam("adam", std::move(params), opt, false) {}

Adam::Adam(const char* name, std::vector<Tensor> params, const AdamOptions& opt, bool decoupled)
    : Optimizer(name, std::move(params), opt.lr), opt_(opt), decoupled_(decoupled) {
  require(opt.beta1 >= 0 && opt.beta1 < 1, name_,
          fmt::format("invalid beta1 {} (must be in [0, 1))", opt.beta1));
  require(opt.beta2 >= 0 && opt.beta2 < 1, name_,
          fmt::format("invalid beta2 {} (must be in [0, 1))", opt.beta2));
  require(opt.eps >= 0, name_, fmt::format("invalid eps {} (must be >= 0)", opt.eps));
  require(opt.weight_decay >= 0, name_,
          fmt::format("invalid weight_decay {} (must be >= 0)", opt.weight_decay));
  m_ = make_buffers();
  v_ = make_buffers();
}

void Adam::update(std::size_t k, int64_t t) {
  Node& n = params_[k].node();
  // Bias corrections in double, then rounded once to the parameter's type.
  const double c1 = 1 - std::pow(opt_.beta1, static_cast<double>(t));
  const double c2 = 1 - std::pow(opt_.beta2, static_cast<double>(t));
  detail::each_part(n.numel(), [&](int64_t first, int64_t last) {
    detail::dispatch_kernel(n.dtype, [&]<class T>() {
      // Four distinct buffers: with __restrict the loop vectorizes.
      T* __restrict p = n.v<T>();
      const T* __restrict g = n.g<T>();
      T* __restrict m = m_[k].data<T>();
      T* __restrict v = v_[k].data<T>();
      const T lr = T(lr_), wd = T(opt_.weight_decay), eps = T(opt_.eps);
      // 1 - beta in double first: in float, 1 - 0.999f is off by 1e-5 relative.
      const T b1 = T(opt_.beta1), b2 = T(opt_.beta2), nb1 = T(1 - opt_.beta1), nb2 = T(1 - opt_.beta2);
      const T bc1 = T(c1), bc2 = T(c2);
      for (int64_t i = first; i < last; ++i) {
        T gi = g[i];
        if (wd != T(0)) {
          if (decoupled_)
            p[i] -= lr * wd * p[i];
          else
            gi += wd * p[i];
        }
        m[i] = b1 * m[i] + nb1 * gi;
        v[i] = b2 * v[i] + nb2 * gi * gi;
        const T mhat = m[i] / bc1;
        const T vhat = v[i] / bc2;
        p[i] -= lr * mhat / (std::sqrt(vhat) + eps);
      }
    });
  });
}

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& o)
    : Adam("adamw", std::move(params),
           AdamOptions{
               .lr = o.lr, .beta1 = o.beta1, .beta2 = o.beta2, .eps = o.eps, .weight_decay = o.weight_decay},
           true) {}

// ---- schedules ----

StepLr::StepLr(double base, int64_t step_size, double gamma)
    : base_(base), step_size_(step_size), gamma_(gamma) {
  if (step_size <= 0)
    throw DomainError(fmt::format("step schedule: step_size must be > 0, not {}", step_size));
}

double StepLr::lr(int64_t step) const {
  const int64_t periods = std::max<int64_t>(step, 0) / step_size_;  // whole periods: a staircase
  return base_ * std::pow(gamma_, static_cast<double>(periods));
}

CosineLr::CosineLr(double base, int64_t total, double min_lr) : base_(base), total_(total), min_(min_lr) {
  if (total <= 0) throw DomainError(fmt::format("cosine schedule: total steps must be > 0, not {}", total));
}

double CosineLr::lr(int64_t step) const {
  const double s = static_cast<double>(std::clamp<int64_t>(step, 0, total_));
  return min_ + (base_ - min_) * (1 + std::cos(std::numbers::pi * s / static_cast<double>(total_))) / 2;
}

}  // namespace hinge
