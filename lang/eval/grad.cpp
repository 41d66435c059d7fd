// The grad and gradcheck statements: gradients of a one-element tensor printed
// with a summary (norm, zero entries), and their check against finite differences.
#include <cctype>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "eval/format_value.hpp"
#include "eval/interpreter.hpp"
#include "explain/explain.hpp"
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

// The widest a target's and a param's source text is shown in a header.
constexpr std::size_t kHeaderTarget = 60;
constexpr std::size_t kHeaderName = 40;

}  // namespace

// Note [No gradient reaches it]
// `grad y wrt t` and gradient(y, t) for a t that requires no gradient (a
// constant, sign(w), a comparison, detach) give the same error, naming t as
// written and why: "t = sign(w) has no gradient: sign is piecewise constant".
// All zeros would read like a vanishing gradient.
std::string Interpreter::no_gradient_reason(const Tensor& t, Span span, const Ctx& ctx) const {
  const std::string name = abbreviate(text_of(ctx, span), 40);
  std::string built = name;  // "t = sign(w)" when t names a node built elsewhere
  if (const Origin* o = origins_.find(t.node().origin); o && o->span.begin < o->source->text.size()) {
    const std::string text = abbreviate(o->source->text.substr(o->span.begin, o->span.size()), 40);
    if (text != name && !t.node().is_leaf()) built = name + " = " + text;
  }
  const Node& n = t.node();
  if (n.is_leaf())
    return fmt::format(
        "{} is a constant, so no gradient reaches it; make it a param "
        "(param xs = linspace(-5, 5, 101)) or compute it from one",
        name);
  switch (n.op) {
    case OpKind::sign:
    case OpKind::eq:
    case OpKind::ne:
    case OpKind::lt:
    case OpKind::le:
    case OpKind::gt:
    case OpKind::ge: return fmt::format("{} has no gradient: {} is piecewise constant", built, op_name(n.op));
    case OpKind::detach: return fmt::format("{} has no gradient: detach stops it", built);
    default: return fmt::format("{} depends on no param, so no gradient reaches it", built);
  }
}

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
// `grad y wrt w[0]`: w[0] is a slice made when the line ran, which y was not
// computed from, so its gradient is 0 although y depends on w. When x is such a
// computed value and a param it came from is one y depends on, say so.
static std::string made_after_hint(const Graph& g, const OriginTable& origins, Tensor y, Tensor x,
                                   const std::string& target) {
  if (g[x.id].is_leaf()) return "";
  const std::vector<NodeId> of_y = ancestors(g, y.id);
  for (NodeId a : ancestors(g, x.id)) {
    if (!g[a].is_param() || !std::binary_search(of_y.begin(), of_y.end(), a)) continue;
    const Origin* o = origins.find(g[a].origin);
    const std::string param = o && !o->binding.empty() ? o->binding : "the param";
    return fmt::format(
        ": it is a value computed from {}, which {} depends on; take grad {} wrt {} and read "
        "its elements",
        param, target, target, param);
  }
  return "";
}

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
    if (!v.tensor().requires_grad()) throw Error(w.span, no_gradient_reason(v.tensor(), w.span, ctx));
    xs.push_back(v.tensor());
    names.push_back(abbreviate(text_of(ctx, w.span), kHeaderName));
  }
  std::vector<Tensor> gs = at_span(g.target.span, [&] {
    NoGradScope ng(graph_);
    return grad(y, xs, false);
  });
  const std::string target = operand(abbreviate(text_of(ctx, g.target.span), kHeaderTarget));
  std::optional<Explanation> explained;
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
    fmt::print(out(), "  norm {}, zero {} of {} ({:.0f}%)\n", format_number(std::sqrt(sq), gs[k].dtype()),
               zeros, n, n ? 100.0 * static_cast<double>(zeros) / static_cast<double>(n) : 0.0);
    if (n > 0 && zeros == n) {
      // All zero: say why, as trace would (explained once, for every such param).
      if (!explained) explained = at_span(g.target.span, [&] { return explain(y, explain_options(ctx)); });
      const ZeroReason why = why_gradient_is_zero(*explained, xs[k].id);
      switch (why.kind) {
        case ZeroReason::unrelated:
          fmt::print(out(), "  zero because {} does not depend on {}{}\n", target, names[k],
                     made_after_hint(graph_, origins_, y, xs[k], target));
          break;
        case ZeroReason::stopped: fmt::print(out(), "  zero because {}\n", why.text); break;
        case ZeroReason::cancelled:
          fmt::print(out(), "  zero because the paths from {} cancel (trace {} shows each step)\n", names[k],
                     target);
          break;
      }
    }
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
      names.push_back(abbreviate(text_of(ctx, w.span), kHeaderName));
    }
  }
  GradcheckResult r = at_span(g.target.span, [&] { return gradcheck(y, xs); });
  const std::string target = abbreviate(text_of(ctx, g.target.span), kHeaderTarget);
  const std::string head = fmt::format("gradcheck {} wrt {}", target, fmt::join(names, ", "));
  fmt::print(out(), "{}: {}\n", head, r.describe(operand(target), [&](int i, int64_t k) {
    const auto in = static_cast<std::size_t>(i);
    return element_name(names[in], xs[in].shape(), k);
  }));
}

}  // namespace hinge::lang
