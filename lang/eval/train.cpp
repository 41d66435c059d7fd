// The train statement: builds the optimizer, replays the loss's graph each step
// (no re-interpretation), draws mini-batches, stops on NaN/Inf with the parameters
// of the last finite step, honours Ctrl-C, records gradient norms, reports progress.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "eval/format_value.hpp"
#include "eval/interpreter.hpp"
#include "eval/progress.hpp"
#include "explain/explain.hpp"
#include "hinge/atomic_file.hpp"
#include "hinge/backward.hpp"
#include "hinge/errors.hpp"
#include "hinge/optim.hpp"

namespace hinge::lang {

using namespace syntax;

namespace {

double option(const OptimizerSpec& o, const char* key, double fallback) {
  auto it = o.options.find(key);
  return it == o.options.end() ? fallback : it->second;
}

std::unique_ptr<Optimizer> make_optimizer(const OptimizerSpec& o, std::vector<Tensor> params, Span span) {
  return at_span(span, [&]() -> std::unique_ptr<Optimizer> {
    if (o.kind == "sgd" || o.kind == "momentum") {
      SgdOptions s;
      s.lr = option(o, "lr", s.lr);
      s.momentum = option(o, "momentum", o.kind == "momentum" ? 0.9 : 0.0);
      s.dampening = option(o, "dampening", 0);
      s.weight_decay = option(o, "weight_decay", 0);
      s.nesterov = option(o, "nesterov", 0) != 0;
      return std::make_unique<Sgd>(std::move(params), s);
    }
    // Adam and AdamW take the same options (their defaults differ in weight_decay).
    auto adam_options = [&](auto a) {
      a.lr = option(o, "lr", a.lr);
      a.beta1 = option(o, "beta1", a.beta1);
      a.beta2 = option(o, "beta2", a.beta2);
      a.eps = option(o, "eps", a.eps);
      a.weight_decay = option(o, "weight_decay", a.weight_decay);
      return a;
    };
    if (o.kind == "adam") return std::make_unique<Adam>(std::move(params), adam_options(AdamOptions{}));
    if (o.kind == "adamw") return std::make_unique<AdamW>(std::move(params), adam_options(AdamWOptions{}));
    throw Error(span, fmt::format("unknown optimizer '{}' (use sgd, momentum, adam or adamw)", o.kind));
  });
}

std::unique_ptr<LrSchedule> make_schedule(const OptimizerSpec& o, double lr, int64_t steps, Span span) {
  auto opt = [&](const char* k, double d) {
    auto it = o.schedule_options.find(k);
    return it == o.schedule_options.end() ? d : it->second;
  };
  return at_span(span, [&]() -> std::unique_ptr<LrSchedule> {
    if (o.schedule == "constant") return nullptr;
    if (o.schedule == "step")
      return std::make_unique<StepLr>(
          lr, static_cast<int64_t>(opt("step_size", std::max<int64_t>(1, steps / 3))), opt("gamma", 0.1));
    if (o.schedule == "cosine") return std::make_unique<CosineLr>(lr, steps, opt("min_lr", 0));
    throw Error(span, fmt::format("unknown schedule '{}' (use constant, step or cosine)", o.schedule));
  });
}

bool all_finite(const Node& n, bool grads) {
  const void* p = grads ? n.grad : n.val;
  if (!p) return true;
  return dispatch(n.dtype, [&]<class T>() {
    const T* v = static_cast<const T*>(p);
    for (int64_t k = 0; k < n.numel(); ++k)
      if (!std::isfinite(v[k])) return false;
    return true;
  });
}

// The flat index of the first inf or NaN in a node's values, or -1.
int64_t first_non_finite(const Node& n) {
  if (!n.val) return -1;
  return dispatch(n.dtype, [&]<class T>() -> int64_t {
    const T* v = static_cast<const T*>(n.val);
    for (int64_t k = 0; k < n.numel(); ++k)
      if (!std::isfinite(v[k])) return k;
    return -1;
  });
}

double value_at(const Node& n, int64_t k) {
  return dispatch(n.dtype, [&]<class T>() { return static_cast<double>(static_cast<const T*>(n.val)[k]); });
}

double grad_norm(const Node& n) {
  if (!n.grad) return 0;
  return dispatch(n.dtype, [&]<class T>() {
    const T* g = n.g<T>();
    double s = 0;
    for (int64_t k = 0; k < n.numel(); ++k) s += static_cast<double>(g[k]) * static_cast<double>(g[k]);
    return std::sqrt(s);
  });
}

// Every name an expression mentions (for the mini-batch dependency check).
void collect_names(const Expr& e, std::vector<std::string>& out) {
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, Name>) {
          out.push_back(n.text);
        } else if constexpr (std::is_same_v<T, String>) {
          for (const StringPart& p : n.parts)
            if (p.expr) collect_names(*p.expr, out);
        } else if constexpr (std::is_same_v<T, List>) {
          for (const Expr& x : n.items) collect_names(x, out);
        } else if constexpr (std::is_same_v<T, Unary>) {
          collect_names(*n.operand, out);
        } else if constexpr (std::is_same_v<T, Binary>) {
          collect_names(*n.lhs, out);
          collect_names(*n.rhs, out);
        } else if constexpr (std::is_same_v<T, Call>) {
          collect_names(*n.callee, out);
          for (const Expr& x : n.args) collect_names(x, out);
          for (const KeywordArg& k : n.kwargs) collect_names(*k.value, out);
        } else if constexpr (std::is_same_v<T, Index>) {
          collect_names(*n.target, out);
          for (const Subscript& s : n.subscripts) {
            if (s.start) collect_names(*s.start, out);
            if (s.stop) collect_names(*s.stop, out);
            if (s.step) collect_names(*s.step, out);
          }
        }
      },
      e.node);
}

std::size_t value_bytes(const Node& n) { return static_cast<std::size_t>(n.numel()) * dtype_size(n.dtype); }

// Copies of the parameters' values: the last finite step is restored from here.
class Snapshot {
 public:
  explicit Snapshot(const std::vector<Tensor>& params) : params_(params) {
    for (const Tensor& p : params) bytes_.emplace_back(value_bytes(p.node()));
  }
  // An empty param (ones([0])) has no value buffer: memcpy must not see its null pointer.
  void take() {
    for (std::size_t k = 0; k < params_.size(); ++k)
      if (!bytes_[k].empty()) std::memcpy(bytes_[k].data(), params_[k].node().val, bytes_[k].size());
  }
  void restore() {
    for (std::size_t k = 0; k < params_.size(); ++k) {
      if (!bytes_[k].empty()) std::memcpy(params_[k].node().val, bytes_[k].data(), bytes_[k].size());
      params_[k].g->touch(params_[k].id);  // Note [Live bindings]
    }
  }

 private:
  std::vector<Tensor> params_;
  std::vector<std::vector<unsigned char>> bytes_;
};

// Mini-batches: leaves of B rows standing in for each data tensor, refilled from
// random rows (without repeats inside a batch) before every step.
struct Batcher {
  std::vector<Tensor> full, leaf;
  std::vector<int64_t> order;  // a permutation of the rows, partially shuffled per step
  int64_t rows = 0, size = 0;

  void draw(Rng& rng) {
    for (int64_t k = 0; k < size; ++k) {
      int64_t j = k + static_cast<int64_t>(rng.below(static_cast<uint64_t>(rows - k)));
      std::swap(order[k], order[j]);
    }
    for (std::size_t t = 0; t < full.size(); ++t) {
      const Node& src = full[t].node();
      Node& dst = leaf[t].node();
      const std::size_t row = value_bytes(src) / static_cast<std::size_t>(rows);
      auto* out = static_cast<unsigned char*>(dst.val);
      const auto* in = static_cast<const unsigned char*>(src.val);
      for (int64_t k = 0; k < size; ++k) std::memcpy(out + k * row, in + order[k] * row, row);
      leaf[t].g->touch(leaf[t].id);
    }
  }
};

}  // namespace

void Interpreter::exec_train(const Train& t, const Stmt& s, Ctx& ctx) {
  // ---- the options ----
  const int64_t steps = to_integer(eval(t.steps, ctx), t.steps.span, "the number of steps");
  if (steps < 0)
    throw Error(t.steps.span, fmt::format("the number of steps must be at least 0, got {}", steps));
  int64_t log_every = 0;
  if (t.log_every) {
    log_every = to_integer(eval(*t.log_every, ctx), t.log_every->span, "the logging interval");
    if (log_every < 1) throw Error(t.log_every->span, "the logging interval must be at least 1");
  }
  Value ov = eval(t.optimizer, ctx);
  if (!ov.is_optimizer())
    throw Error(t.optimizer.span,
                fmt::format("expected an optimizer such as adam(lr=0.01), got {}", a_kind(ov)));
  const OptimizerSpec& spec = *std::get<std::shared_ptr<const OptimizerSpec>>(ov.v);
  std::string record_path;
  if (t.record_grads) record_path = to_path(*t.record_grads, ctx, "record grads");

  // ---- the loss, rebuilt over batch leaves for mini-batches ----
  Tensor loss;
  Batcher batcher;
  if (t.batch) {
    const Batch& b = *t.batch;
    batcher.size = to_integer(eval(b.size, ctx), b.size.span, "the batch size");
    if (batcher.size < 1) throw Error(b.size.span, "the batch size must be at least 1");
    std::vector<Binding*> data;
    for (const Identifier& id : b.from) {
      Binding* bd = lookup(id.text, ctx);
      if (!bd) unknown_name(id.text, id.span, ctx);
      if (!bd->value.is_tensor() || bd->value.tensor().rank() == 0)
        throw Error(id.span, fmt::format("batches are drawn from tensors with rows; '{}' is {}", id.text,
                                         a_kind(bd->value)));
      if (bd->is_param) throw Error(id.span, fmt::format("'{}' is a param; batches come from data", id.text));
      at_span(id.span, [&] { refresh(bd->value); });
      const Tensor& x = bd->value.tensor();
      if (batcher.rows == 0) batcher.rows = x.shape().dims[0];
      if (x.shape().dims[0] != batcher.rows)
        throw Error(id.span, fmt::format("'{}' has {} rows but '{}' has {}", id.text, x.shape().dims[0],
                                         b.from[0].text, batcher.rows));
      data.push_back(bd);
    }
    if (batcher.size > batcher.rows)
      throw Error(b.size.span,
                  fmt::format("a batch of {} rows from data of {} rows", batcher.size, batcher.rows));
    // Which expression to rebuild: the `let` behind a named loss, or the loss itself.
    const Expr* expr = &t.loss;
    std::shared_ptr<const Source> expr_source = ctx.source;
    if (const Name* n = t.loss.get_if<Name>()) {
      Binding* lb = lookup(n->text, ctx);
      if (lb && lb->defining && !lb->is_param) {
        expr = lb->defining;
        expr_source = lb->source;
      }
    }
    // A tensor binding the expression uses that was itself computed from the data
    // would keep the full data in the rebuilt loss: say so before evaluating.
    std::vector<std::string> used;
    collect_names(*expr, used);
    for (const std::string& name : used) {
      Binding* ub = lookup(name, ctx);
      if (!ub || !ub->value.is_tensor() || ub->is_param) continue;
      if (std::find(data.begin(), data.end(), ub) != data.end()) continue;
      const auto deps = ancestors(graph_, ub->value.tensor().id);
      for (std::size_t k = 0; k < data.size(); ++k)
        if (std::binary_search(deps.begin(), deps.end(), data[k]->value.tensor().id))
          throw Error(s.span,
                      fmt::format("the loss uses '{}', which was computed from all of '{}', so batches "
                                  "cannot replace it; write the model as a function (def f(x) = ...) "
                                  "and the loss in terms of f({})",
                                  name, b.from[k].text, b.from[k].text));
    }
    std::vector<Value> saved;
    for (std::size_t k = 0; k < data.size(); ++k) {
      const Tensor& x = data[k]->value.tensor();
      std::vector<int64_t> dims(x.shape().dims.begin(), x.shape().dims.begin() + x.rank());
      dims[0] = batcher.size;
      stamp(ctx, b.from[k].span);
      Tensor leaf = at_span(b.from[k].span, [&] { return graph_.full(Shape::of(dims), 0.0, x.dtype()); });
      graph_[leaf.id].origin = origins_.with_binding(graph_[leaf.id].origin, b.from[k].text);
      batcher.full.push_back(x);
      batcher.leaf.push_back(leaf);
      saved.push_back(data[k]->value);
      data[k]->value = Value(leaf);
    }
    Value lv;
    try {
      Ctx ectx{expr_source, ctx.locals, ctx.base_dir, false};
      lv = eval(*expr, ectx);
    } catch (const Error& e) {
      for (std::size_t k = 0; k < data.size(); ++k) data[k]->value = saved[k];
      if (expr_source != ctx.source) throw SourcedError(expr_source, e.diagnostic());
      throw;
    } catch (...) {
      for (std::size_t k = 0; k < data.size(); ++k) data[k]->value = saved[k];
      throw;
    }
    for (std::size_t k = 0; k < data.size(); ++k) data[k]->value = saved[k];
    if (!lv.is_tensor() || lv.tensor().numel() != 1)
      throw Error(t.loss.span, fmt::format("the loss must be a tensor with one element, got {}", a_kind(lv)));
    loss = lv.tensor();
    // The rebuilt loss must see the data only through the batch leaves.
    const auto deps = ancestors(graph_, loss.id);
    for (std::size_t k = 0; k < batcher.full.size(); ++k) {
      if (std::binary_search(deps.begin(), deps.end(), batcher.full[k].id))
        throw Error(s.span, fmt::format("the loss still uses all of '{}' through another binding, so batches "
                                        "cannot replace it; write the model as a function (def f(x) = ...) "
                                        "and the loss in terms of f({})",
                                        b.from[k].text, b.from[k].text));
      if (!std::binary_search(deps.begin(), deps.end(), batcher.leaf[k].id))
        throw Error(b.from[k].span, fmt::format("the loss does not use '{}'", b.from[k].text));
    }
    batcher.order.resize(static_cast<std::size_t>(batcher.rows));
    for (int64_t k = 0; k < batcher.rows; ++k) batcher.order[k] = k;
  } else {
    Value lv = eval(t.loss, ctx);
    if (!lv.is_tensor())
      throw Error(t.loss.span, fmt::format("the loss must be a tensor with one element, got {}", a_kind(lv)));
    loss = lv.tensor();
    if (loss.numel() != 1)
      throw Error(t.loss.span,
                  fmt::format("the loss must have one element, got a tensor {} (use mean or sum)",
                              to_string(loss.shape())));
  }
  if (!loss.requires_grad())
    throw Error(t.loss.span, "the loss does not depend on any param (declare trainable values with `param`)");

  // The loop reads only the loss and the params, so layers may run fused (Note
  // [Fused layers]); data prepared by ops is computed once, unless it comes from a
  // batch leaf.
  const ReplayOptions fast{.fuse_layers = true, .fold_constants = true, .inputs = batcher.leaf};
  auto replay = at_span(t.loss.span, [&] { return std::make_unique<Replay>(loss, fast); });
  const std::vector<Tensor> params = replay->params();
  if (params.empty())
    throw Error(t.loss.span, "the loss does not depend on any param (declare trainable values with `param`)");
  std::unique_ptr<Optimizer> opt = make_optimizer(spec, params, t.optimizer.span);
  std::unique_ptr<LrSchedule> schedule = make_schedule(spec, opt->lr(), steps, t.optimizer.span);

  // Gradient norms per step, one column per param, named by their bindings.
  std::vector<std::string> param_names(params.size());
  for (std::size_t k = 0; k < params.size(); ++k) {
    for (const auto& [name, b] : globals_)
      if (b.is_param && b.value.is_tensor() && b.value.tensor().id == params[k].id) param_names[k] = name;
    if (param_names[k].empty()) {
      const Origin* o = origins_.find(params[k].node().origin);
      param_names[k] = o && !o->binding.empty() ? o->binding : fmt::format("param{}", k + 1);
    }
  }
  std::vector<double> norms;
  if (!record_path.empty()) norms.reserve(static_cast<std::size_t>(steps) * params.size());

  Snapshot snapshot(params);
  report::ProgressOptions popts;
  popts.log_every = log_every;
  popts.batches = t.batch.has_value();
  if (options_.clock) popts.clock = options_.clock;
  if (options_.display) {
    static int trains = 0;  // each run's display has its own id
    popts.display = [this](const Display& d) { show(d); };
    popts.display_id = fmt::format("train-{}", ++trains);
  }
  std::unique_ptr<report::Progress> progress;
  if (!t.quiet) progress = std::make_unique<report::Progress>(steps, options_.terminal, out(), popts);

  auto finish_record = [&](int64_t done) {
    if (record_path.empty()) return;
    std::string csv = "step";
    for (const std::string& n : param_names) (csv += ',') += n;
    csv += "\n";
    for (int64_t st = 0; st < done; ++st) {
      csv += fmt::format("{}", st + 1);
      for (std::size_t k = 0; k < params.size(); ++k)
        (csv += ',') += format_number(norms[st * params.size() + k]);
      csv += "\n";
    }
    note_write(at_span(t.record_grads->span, [&] { return write_file_atomic(record_path, csv); }),
               record_path);
  };

  // The searches for the op that made a NaN read interior nodes, which a fused
  // replay leaves stale: they run the step again node by node first.
  auto replay_node_by_node = [&](bool with_backward) {
    if (replay->fused_layers() == 0) return;
    replay.reset();
    replay = std::make_unique<Replay>(loss);
    replay->forward();
    if (with_backward) replay->backward();
  };

  // ---- the loop: replay only ----
  int64_t done = 0;
  for (int64_t step = 1; step <= steps; ++step) {
    if (interrupt_requested()) {
      if (progress) progress->interrupted();  // no more passes: the user asked to stop
      replay.reset();
      finish_record(done);
      fmt::print(out(), "training interrupted after step {} of {}; the parameters are those of step {}\n",
                 done, steps, done);
      std::fflush(out());
      throw Interrupted{ctx.source, s.span, true};
    }
    if (schedule) opt->set_lr(schedule->lr(step - 1));
    if (t.batch) batcher.draw(rng_);
    replay->forward();
    const double value = loss.item();
    if (!std::isfinite(value)) {
      // Name the first node (tape order) that made a non-finite value.
      replay_node_by_node(false);
      uint32_t culprit = 0;
      std::string op;
      for (const Tensor& p : params)
        if (!all_finite(p.node(), false) && culprit == 0) {
          culprit = p.node().origin;
          op = "param";
        }
      // Data before ops: an inf in the inputs (`ys` read from a file, say) is the
      // cause, not the first op that passes it on (mse's '-').
      std::string data_at;
      for (NodeId id : replay->nodes()) {
        const Node& n = graph_[id];
        for (int k = 0; k < n.nin && culprit == 0; ++k) {
          const Node& in = graph_[n.input(k)];
          if (!in.is_leaf() || in.is_param()) continue;
          const int64_t at = first_non_finite(in);
          if (at < 0) continue;
          culprit = in.origin ? in.origin : n.origin;
          data_at = fmt::format("{} at {}", format_number(value_at(in, at)), index_text(in.shape(), at));
        }
        if (culprit != 0) break;
      }
      if (!data_at.empty()) {
        if (step > 1) snapshot.restore();
        if (progress) progress->interrupted(progress->last_loss());  // the params that gave it
        replay.reset();
        finish_record(done);
        const Origin* o = origins_.find(culprit);
        const std::string what =
            fmt::format("training stopped at step {}: the loss is {}; the data {} holds {}; {}", step,
                        format_number(value),
                        o && !o->binding.empty() ? "`" + o->binding + "`" : std::string("here"), data_at,
                        step > 1 ? fmt::format("the parameters are restored to those of step {}", step - 1)
                                 : std::string("the parameters are unchanged"));
        if (o) throw SourcedError(o->source, {o->span, what});
        throw Error(s.span, what);
      }
      for (NodeId id : replay->nodes()) {
        if (culprit != 0) break;
        const Node& n = graph_[id];
        if (!all_finite(n, false)) {
          culprit = n.origin;
          op = user_op_name(n.op);
          break;
        }
      }
      if (step > 1) snapshot.restore();
      if (progress) progress->interrupted(progress->last_loss());  // the params that gave it
      replay.reset();
      finish_record(done);
      const std::string restored =
          step > 1
              ? fmt::format("the parameters are restored to those that gave the last finite loss (step {})",
                            step - 1)
              : std::string("the parameters are unchanged");
      const std::string what =
          fmt::format("training stopped at step {}: the loss is {}", step, format_number(value));
      const Origin* o = origins_.find(culprit);
      if (o)
        throw SourcedError(
            o->source,
            {o->span, fmt::format("{}; '{}' here produced the first non-finite value{}; {}", what, op,
                                  o->binding.empty() ? "" : " (in '" + o->binding + "')", restored)});
      throw Error(s.span, fmt::format("{}; {}", what, restored));
    }
    replay->backward();
    for (const Tensor& p : params) {
      if (all_finite(p.node(), true)) continue;
      // The gradient went non-finite: find the op whose backward produced it.
      replay_node_by_node(true);
      std::string op = "?";
      uint32_t where = 0;
      const auto nodes = replay->nodes();
      for (auto it = nodes.rbegin(); it != nodes.rend() && where == 0; ++it) {
        const Node& n = graph_[*it];
        if (!n.grad || !all_finite(n, true)) continue;
        for (int k = 0; k < n.nin; ++k) {
          const Node& in = graph_[n.input(k)];
          if (in.requires_grad() && in.grad && !all_finite(in, true)) {
            op = user_op_name(n.op);
            where = n.origin ? n.origin : 0;
            break;
          }
        }
      }
      if (progress) {  // the params stay those that gave this step's loss
        progress->update(step, value);
        progress->interrupted(value);
      }
      replay.reset();
      finish_record(done);
      const std::string what = fmt::format(
          "training stopped at step {}: the gradient of '{}' is not finite; {}", step,
          param_names[&p - params.data()],
          step > 1 ? fmt::format("the parameters are kept as they were at step {} (not updated)", step)
                   : std::string("the parameters are unchanged"));
      const Origin* o = origins_.find(where);
      if (o)
        throw SourcedError(
            o->source,
            {o->span, fmt::format("{} (it first appears in the backward of '{}' here)", what, op)});
      throw Error(s.span, what);
    }
    if (!record_path.empty())
      for (const Tensor& p : params) norms.push_back(grad_norm(p.node()));
    snapshot.take();
    opt->step();
    ++done;
    if (progress) progress->update(step, value);
  }
  // The replay lets go of the graph (a compiled scalar program gives the params'
  // values back as it dies). The report's `final` is the loss of the params that
  // training leaves, which no step computed (a step's loss is taken before its
  // update): refreshed as the next read of the loss would be (Note [Live
  // bindings]), so it is the number `print loss` shows.
  // With mini-batches `loss` is the last batch's: `final` is then the training
  // target evaluated on all the data, as `print loss` reads it.
  replay.reset();
  finish_record(done);
  if (progress) {
    Tensor trained = loss;
    try {
      if (t.batch) trained = to_tensor(eval(t.loss, ctx), t.loss.span, "the loss");
      graph_.refresh(trained.id);
    } catch (const hinge::Interrupted&) {  // Ctrl-C in that pass: the report says `last`
      progress->interrupted();
      throw;
    }
    progress->finish(trained.item());
  }
}

}  // namespace hinge::lang
