// Training builtins: the losses, and the optimizer descriptions (sgd, momentum,
// adam, adamw) that `train ... with OPT` turns into engine optimizers. Every
// option is checked here, with the error at the offending argument.
#include <fmt/format.h>

#include "builtins/family.hpp"

namespace hinge::lang::detail {

namespace {

// ---- losses ----

template <Tensor (*Op)(Tensor, Tensor)>
Value loss(BuiltinContext& ctx, const Args& args) {
  return Value(Op(args.tensor("pred", ctx), args.tensor("target", ctx)));
}

// ---- optimizer options ----

double positive(const Args& args, std::string_view name) {
  const double v = args.number(name);
  if (!(v > 0))
    args.fail(name, fmt::format("{}: '{}' must be greater than 0, got {}", args.builtin().name, name, v));
  return v;
}

double non_negative(const Args& args, std::string_view name) {
  const double v = args.number(name);
  if (!(v >= 0))
    args.fail(name, fmt::format("{}: '{}' must be at least 0, got {}", args.builtin().name, name, v));
  return v;
}

// A decay factor in [0, 1): momentum, beta1, beta2.
double fraction(const Args& args, std::string_view name) {
  const double v = args.number(name);
  if (!(v >= 0 && v < 1))
    args.fail(name, fmt::format("{}: '{}' must be in [0, 1), got {}", args.builtin().name, name, v));
  return v;
}

// schedule="constant" | "step" (step_size, gamma) | "cosine" (min_lr; decays over
// the train statement's steps). Options of another schedule are refused rather
// than silently ignored.
void read_schedule(const Args& args, OptimizerSpec& spec) {
  const std::string& s = args.string("schedule");
  const std::string_view name = args.builtin().name;
  if (s != "constant" && s != "step" && s != "cosine")
    args.fail("schedule",
              fmt::format("{}: 'schedule' must be \"constant\", \"step\" or \"cosine\", got \"{}\"", name,
                          escape_for_message(s)));
  spec.schedule = s;
  auto only_for = [&](std::string_view option, std::string_view schedule) {
    if (args.has(option) && s != schedule)
      args.fail(option, fmt::format("{}: '{}' is only used with schedule=\"{}\"", name, option, schedule));
  };
  only_for("step_size", "step");
  only_for("gamma", "step");
  only_for("min_lr", "cosine");
  if (s == "step") {
    if (!args.has("step_size"))
      args.fail("schedule",
                fmt::format("{}: schedule=\"step\" needs step_size=N (decay every N steps)", name));
    const int64_t n = args.integer("step_size");
    if (n < 1) args.fail("step_size", fmt::format("{}: 'step_size' must be at least 1, got {}", name, n));
    spec.schedule_options["step_size"] = static_cast<double>(n);
    spec.schedule_options["gamma"] = positive(args, "gamma");
  } else if (s == "cosine") {
    const double min_lr = non_negative(args, "min_lr");
    if (min_lr > spec.options["lr"])
      args.fail("min_lr",
                fmt::format("{}: 'min_lr' ({}) must not exceed 'lr' ({})", name, min_lr, spec.options["lr"]));
    spec.schedule_options["min_lr"] = min_lr;
  }
}

Value finish(OptimizerSpec spec) { return Value(std::make_shared<const OptimizerSpec>(std::move(spec))); }

Value sgd_like(const Args& args, std::string_view kind, std::string_view momentum_name) {
  OptimizerSpec spec;
  spec.kind = std::string(kind);
  spec.options["lr"] = positive(args, "lr");
  const double mu = fraction(args, momentum_name);
  const bool nesterov = args.boolean("nesterov");
  if (nesterov && mu == 0)
    args.fail("nesterov", fmt::format("{}: nesterov=true needs {} > 0", args.builtin().name, momentum_name));
  spec.options["momentum"] = mu;
  spec.options["nesterov"] = nesterov ? 1 : 0;
  spec.options["weight_decay"] = non_negative(args, "weight_decay");
  read_schedule(args, spec);
  return finish(std::move(spec));
}

Value sgd_fn(BuiltinContext&, const Args& args) { return sgd_like(args, "sgd", "momentum"); }
Value momentum_fn(BuiltinContext&, const Args& args) { return sgd_like(args, "momentum", "beta"); }

Value adam_like(const Args& args, std::string_view kind) {
  OptimizerSpec spec;
  spec.kind = std::string(kind);
  spec.options["lr"] = positive(args, "lr");
  spec.options["beta1"] = fraction(args, "beta1");
  spec.options["beta2"] = fraction(args, "beta2");
  spec.options["eps"] = positive(args, "eps");
  spec.options["weight_decay"] = non_negative(args, "weight_decay");
  read_schedule(args, spec);
  return finish(std::move(spec));
}

Value adam_fn(BuiltinContext&, const Args& args) { return adam_like(args, "adam"); }
Value adamw_fn(BuiltinContext&, const Args& args) { return adam_like(args, "adamw"); }

#define HINGE_SCHEDULE_PARAMS "schedule=\"constant\", step_size=none, gamma=0.1, min_lr=0"

using L = Tensor (*)(Tensor, Tensor);

// constinit: Note [Constant builtin tables] in builtins/table.cpp.
constinit const Builtin kTrain[] = {
    {"binary_cross_entropy", "pred, target",
     "mean(softplus(z) - y z) from logits z and labels y in [0, 1] (stable)",
     "binary_cross_entropy(linspace(-1, 1, 4), ones([4]))",
     loss<static_cast<L>(&hinge::binary_cross_entropy)>, "loss"},
    {"cross_entropy", "pred, target",
     "softmax cross-entropy of logits [N, C] with class indices [N] or probabilities [N, C]",
     "cross_entropy(zeros([2, 3]), linspace(0, 2, 2))", loss<static_cast<L>(&hinge::cross_entropy)>, "loss"},
    {"hinge_loss", "pred, target", "mean(relu(1 - y s)): max-margin loss, labels y in {-1, +1}",
     "hinge_loss(linspace(-1, 1, 4), ones([4]))", loss<static_cast<L>(&hinge::hinge_loss)>, "loss"},
    {"mse", "pred, target", "mean squared error mean((pred - target) ^ 2)",
     "mse(linspace(0, 1, 3), zeros([3]))", loss<static_cast<L>(&hinge::mse)>, "loss"},

    {"adam", "lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0, " HINGE_SCHEDULE_PARAMS,
     "Adam: per-parameter step sizes from running moments of the gradient", "adam(lr=0.01)", adam_fn,
     "optimizer"},
    {"adamw", "lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01, " HINGE_SCHEDULE_PARAMS,
     "AdamW: Adam with weight decay applied to the weights, not the gradient",
     "adamw(lr=0.01, weight_decay=0.01)", adamw_fn, "optimizer"},
    {"momentum", "lr, beta=0.9, nesterov=false, weight_decay=0, " HINGE_SCHEDULE_PARAMS,
     "SGD with momentum beta (heavy ball, or Nesterov)", "momentum(0.01, beta=0.9)", momentum_fn,
     "optimizer"},
    {"sgd", "lr, momentum=0, nesterov=false, weight_decay=0, " HINGE_SCHEDULE_PARAMS,
     "stochastic gradient descent: w -= lr * grad", "sgd(0.1, schedule=\"step\", step_size=100, gamma=0.5)",
     sgd_fn, "optimizer"},
};

#undef HINGE_SCHEDULE_PARAMS

}  // namespace

std::span<const Builtin> train_builtins() { return kTrain; }

}  // namespace hinge::lang::detail
