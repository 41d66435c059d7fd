// The grad and gradcheck statements: gradients of a one-element tensor printed
// with a summary (norm, zero entries), and their check against finite differences.
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "eval/format_value.hpp"
#include "eval/interpreter.hpp"
#include "hinge/backward.hpp"
#include "hinge/gradcheck.hpp"

namespace hinge::lang {

using namespace syntax;

namespace {

bool is_identifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

// "loss" stays as written; "mse(f(x), y)" gets parentheses: d(mse(f(x), y))/dw.
std::string operand(const std::string& text) { return is_identifier(text) ? text : "(" + text + ")"; }

// "w[3]" or "w[1, 2]" for the row-major element k of a tensor of shape s.
std::string element_name(const std::string& name, const Shape& s, int64_t k) {
  if (s.rank == 0) return name;
  std::vector<int64_t> idx(static_cast<std::size_t>(s.rank));
  for (int a = s.rank - 1; a >= 0; --a) {
    idx[a] = k % s.dims[a];
    k /= s.dims[a];
  }
  return fmt::format("{}[{}]", name, fmt::join(idx, ", "));
}

}  // namespace

// The params y depends on, in tape order, with their bound names ("paramK" for a
// param bound to no name): what grad and gradcheck take without `wrt`.
void Interpreter::params_of(const Tensor& y, std::vector<Tensor>& xs, std::vector<std::string>& names) {
  for (NodeId id : ancestors(graph_, y.id)) {
    if (!graph_[id].is_param()) continue;
    xs.push_back({&graph_, id});
    std::string name;
    for (const auto& [n, b] : globals_)
      if (b.is_param && b.value.is_tensor() && b.value.tensor().id == id) name = n;
    names.push_back(name.empty() ? fmt::format("param{}", xs.size()) : name);
  }
}

// grad TARGET [wrt X, Y, ...]
void Interpreter::exec_grad(const Grad& g, Ctx& ctx) {
  Value tv = eval(g.target, ctx);
  if (!tv.is_tensor())
    throw Error(
        g.target.span,
        fmt::format("grad needs a tensor target, got {} (it does not depend on anything)", a_kind(tv)));
  const Tensor y = tv.tensor();
  if (y.numel() != 1)
    throw Error(g.target.span,
                fmt::format("grad needs a target with one element, got a tensor {} (use sum or mean)",
                            to_string(y.shape())));
  std::vector<Tensor> xs;
  std::vector<std::string> names;
  if (g.wrt.empty()) {
    params_of(y, xs, names);
    if (xs.empty()) throw Error(g.target.span, "grad: the target does not depend on any param");
  }
  for (const Expr& w : g.wrt) {
    Value v = eval(w, ctx);
    if (!v.is_tensor())
      throw Error(w.span, fmt::format("grad is taken with respect to a tensor (a param), got {}", a_kind(v)));
    xs.push_back(v.tensor());
    names.push_back(text_of(ctx, w.span));
  }
  std::vector<Tensor> gs = at_span(g.target.span, [&] {
    NoGradScope ng(graph_);
    return grad(y, xs, false);
  });
  const std::string target = operand(text_of(ctx, g.target.span));
  for (std::size_t k = 0; k < xs.size(); ++k) {
    const std::string head = fmt::format("d{}/d{} = ", target, operand(names[k]));
    fmt::print(out(), "{}{}\n", head, format_tensor(gs[k], head.size()));
    const auto vals = gs[k].values();
    double sq = 0;
    int64_t zeros = 0;
    for (double v : vals) {
      sq += v * v;
      zeros += v == 0;
    }
    const auto n = static_cast<int64_t>(vals.size());
    fmt::print(out(), "  norm {}, zero {} of {} ({:.0f}%)\n", format_number(std::sqrt(sq)), zeros, n,
               n ? 100.0 * static_cast<double>(zeros) / static_cast<double>(n) : 0.0);
  }
}

// gradcheck TARGET [wrt X, ...]: without wrt, every param the target depends on.
void Interpreter::exec_gradcheck(const GradCheck& g, Ctx& ctx) {
  Value tv = eval(g.target, ctx);
  if (!tv.is_tensor() || tv.tensor().numel() != 1)
    throw Error(g.target.span, fmt::format("gradcheck needs a target with one element, got {}", a_kind(tv)));
  const Tensor y = tv.tensor();
  if (y.dtype() != DType::f64)
    throw Error(g.target.span,
                "gradcheck needs float64 values (finite differences in f32 are too coarse); "
                "run without --dtype f32");
  std::vector<Tensor> xs;
  std::vector<std::string> names;
  if (g.wrt.empty()) {
    params_of(y, xs, names);
    if (xs.empty()) throw Error(g.target.span, "gradcheck: the target does not depend on any param");
  } else {
    for (const Expr& w : g.wrt) {
      Value v = eval(w, ctx);
      if (!v.is_tensor() || !v.tensor().node().is_leaf() || !v.tensor().requires_grad())
        throw Error(w.span, fmt::format("gradcheck perturbs params; this is {}", a_kind(v)));
      xs.push_back(v.tensor());
      names.push_back(text_of(ctx, w.span));
    }
  }
  GradcheckResult r = at_span(g.target.span, [&] { return gradcheck(y, xs); });
  const std::string head =
      fmt::format("gradcheck {} wrt {}", text_of(ctx, g.target.span), fmt::join(names, ", "));
  if (r.input < 0) {
    fmt::print(out(), "{}: nothing to check\n", head);
    return;
  }
  const std::string at =
      element_name(names[static_cast<std::size_t>(r.input)], xs[r.input].shape(), r.element);
  if (r.ok) {
    fmt::print(out(), "{}: ok, {} elements, worst relative error {:.1e} at {}\n", head, r.checked,
               r.worst_error, at);
  } else {
    fmt::print(out(), "{}: FAILED at {}: analytic {}, numeric {} (relative error {:.1e})\n", head, at,
               format_number(r.analytic), format_number(r.numeric), r.worst_error);
  }
}

}  // namespace hinge::lang
