// Layers of an explained trace, found from the graph: a matmul and the elementwise
// ops that follow it up to its activation. The per-layer summary (gradient norm,
// mean local slope) makes vanishing gradients visible in one screen.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "explain/explain.hpp"

namespace hinge::lang {

namespace {

bool is_elementwise(const std::string& op) {
  static const char* const kOps[] = {
      "add",        "sub", "mul",  "div",      "pow",     "minimum", "maximum", "neg",   "abs",
      "exp",        "log", "sqrt", "sin",      "cos",     "erf",     "powc",    "clamp", "relu",
      "leaky_relu", "elu", "gelu", "softplus", "sigmoid", "tanh",    "step",    "where", "cast"};
  for (const char* o : kOps)
    if (op == o) return true;
  return false;
}

bool is_activation(const std::string& op) {
  return op == "relu" || op == "leaky_relu" || op == "elu" || op == "gelu" || op == "softplus" ||
         op == "sigmoid" || op == "tanh" || op == "step";
}

std::string num(double x) { return std::isnan(x) ? "-" : fmt::format("{:.3g}", x); }

// The row that stands for a layer's parameter: a param itself, or a slice of one
// (`Ws[i]` of a param Ws holding every layer's weights: a slice, then a reshape).
// Its adjoint is the gradient of that layer's part of the param. -1: neither.
int param_part(const std::vector<Row>& rows, int in) {
  static const char* const kViews[] = {"slice",  "reshape", "transpose", "index",  "gather",
                                       "select", "squeeze", "unsqueeze", "permute"};
  int at = in;
  for (int step = 0; step < 6; ++step) {
    const Row& r = rows[static_cast<std::size_t>(at)];
    if (r.role == Role::param) return in;
    if (r.inputs.empty() ||
        std::none_of(std::begin(kViews), std::end(kViews), [&](const char* v) { return r.op == v; }))
      return -1;
    at = r.inputs[0];
  }
  return -1;
}

}  // namespace

void add_layers(Explanation& ex, double saturation, double vanishing) {
  auto& rows = ex.rows;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Row& r = rows[i];
    if (r.op == "matmul") {
      r.layer = static_cast<int>(ex.layers.size());
      ex.layers.emplace_back();
    } else if (is_elementwise(r.op)) {
      // Joins the latest layer among its inputs, unless that layer already ended
      // in its activation (then this op belongs to what comes next).
      int from = -1;
      for (int in : r.inputs)
        if (rows[in].layer > (from < 0 ? -1 : rows[from].layer)) from = in;
      if (from < 0 || is_activation(rows[from].op)) continue;
      r.layer = rows[from].layer;
    } else {
      continue;
    }
    ex.layers[r.layer].rows.push_back(static_cast<int>(i));
  }

  for (Layer& l : ex.layers) {
    double sq = 0;
    bool any_grad = false;
    for (int ri : l.rows) {
      const Row& r = rows[ri];
      l.signature += fmt::format("{} {};", r.op, to_string(r.shape));
      for (int in : r.inputs) {
        const Row& p = rows[in];
        if (param_part(rows, in) < 0 || std::find(l.params.begin(), l.params.end(), in) != l.params.end())
          continue;
        l.params.push_back(in);
        l.signature += fmt::format("param {};", to_string(p.shape));
        if (!p.grad.empty()) {
          any_grad = true;
          const double n = stats_of(p.grad).norm;
          sq += n * n;
        }
      }
      if (is_activation(r.op)) {
        l.activation = r.op;
        if (!r.slope.empty()) l.mean_slope = stats_of(r.slope).mean;
        if ((r.op == "sigmoid" || r.op == "tanh") && !r.slope.empty()) {
          int64_t sat = 0;
          for (double s : r.slope) sat += s < saturation;
          l.saturated = static_cast<double>(sat) / static_cast<double>(r.slope.size());
        }
        if (r.op == "relu") {
          int64_t closed = 0;
          for (double x : rows[r.inputs[0]].value) closed += x <= 0;
          l.closed = static_cast<double>(closed) / static_cast<double>(rows[r.inputs[0]].value.size());
        }
      }
    }
    if (any_grad) l.param_grad_norm = std::sqrt(sq);
    const Row& out = rows[l.rows.back()];
    if (!out.grad.empty()) l.out_grad_norm = stats_of(out.grad).norm;
  }

  // A layer whose params get a tiny share of the largest layer's gradient is where
  // the gradient vanished: a note on its last row (the DOT export colours it).
  std::size_t top = 0;
  for (std::size_t k = 0; k < ex.layers.size(); ++k)
    if (ex.layers[k].param_grad_norm > ex.layers[top].param_grad_norm ||
        std::isnan(ex.layers[top].param_grad_norm))
      top = k;
  const double largest = ex.layers.empty() ? kNaN : ex.layers[top].param_grad_norm;
  if (ex.layers.size() < 2 || !(largest > 0)) return;
  for (std::size_t k = 0; k < ex.layers.size(); ++k) {
    const double mine = ex.layers[k].param_grad_norm;
    if (!(mine < vanishing * largest)) continue;
    Row& last = rows[static_cast<std::size_t>(ex.layers[k].rows.back())];
    last.notes.push_back(
        {NoteKind::vanishing,
         fmt::format("gradient vanishing in layer {}: |grad params| {} is {} x that of layer {}", k + 1,
                     num(mine), num(mine / largest), top + 1)});
  }
}

std::string render_layers(const Explanation& ex) {
  if (ex.layers.size() < 2) return "";
  std::string out =
      fmt::format("layers ({}; a layer is a matmul and the elementwise ops after it):\n", ex.layers.size());
  out += fmt::format("  {:<5} {:<11} {:<22} {:>12} {:>12} {:>10}  {}\n", "layer", "rows", "ops",
                     "|grad params|", "|grad out|", "mean slope", "units");
  for (std::size_t k = 0; k < ex.layers.size(); ++k) {
    const Layer& l = ex.layers[k];
    std::string ops;
    for (int ri : l.rows) ops += (ops.empty() ? "" : " ") + ex.rows[ri].op;
    const std::string span = fmt::format("%{}..%{}", l.rows.front(), l.rows.back());
    std::string units;
    if (!std::isnan(l.closed)) units = fmt::format("{:.0f}% closed", 100 * l.closed);
    if (l.saturated > 0) units = fmt::format("{:.0f}% saturated", 100 * l.saturated);
    std::string line = fmt::format("  {:<5} {:<11} {:<22} {:>13} {:>12} {:>10}  {}", k + 1, span,
                                   abbreviate(ops, 22), num(l.param_grad_norm), num(l.out_grad_norm),
                                   l.activation.empty() ? "linear" : num(l.mean_slope), units);
    while (line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  // The one-line verdict a person looks for: how much the first layer gets.
  const Layer& first = ex.layers.front();
  const Layer& last = ex.layers.back();
  if (first.param_grad_norm > 0 && last.param_grad_norm > 0) {
    const double ratio = first.param_grad_norm / last.param_grad_norm;
    out += fmt::format("  first/last layer |grad params| = {}", num(ratio));
    if (ratio < 1e-3)
      out += "  (vanishing)";
    else if (ratio > 1e3)
      out += "  (exploding)";
    out += "\n";
  }
  return out;
}

}  // namespace hinge::lang
