// The pattern statement: `pattern f at X` calls f at X and prints which ReLU units
// are open. When f is a model (its graph has relu nodes) every relu node is a
// layer with its own bit string; when f gives a layer's pre-activations, their
// signs are the bits. Each distinct pattern is one linear piece of the network;
// for a batch X [N, d] the distinct patterns (pieces visited) are counted.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "eval/format_value.hpp"
#include "eval/interpreter.hpp"
#include "explain/explain.hpp"
#include "hinge/backward.hpp"

namespace hinge::lang {

using namespace syntax;

namespace {

// One relu node of f(X): its input values and how to read units off them.
struct ReluLayer {
  NodeId id;
  int64_t batch = 1;  // rows that are separate inputs (1 for a single point)
  int64_t units = 0;  // units per input
  std::vector<double> input;
  std::string where;
};

// "1011..." for input b: a unit is open when its input is > 0 (relu'(0) = 0).
std::string bits(const ReluLayer& l, int64_t b) {
  std::string s(static_cast<std::size_t>(l.units), '0');
  for (int64_t u = 0; u < l.units; ++u)
    if (l.input[b * l.units + u] > 0) s[u] = '1';
  return s;
}

int64_t ones(const std::string& s) { return std::count(s.begin(), s.end(), '1'); }

bool has_relu(const Graph& g, Tensor y, NodeId first_new) {
  for (NodeId id : ancestors(g, y.id))
    if (id >= first_new && g[id].op == OpKind::relu) return true;
  return false;
}

// The relu nodes f built, in tape order (input to output): one "layer" each.
std::vector<ReluLayer> relu_layers(Interpreter& in, Tensor y, NodeId first_new, int64_t n_inputs) {
  Graph& g = in.graph();
  std::vector<ReluLayer> layers;
  for (NodeId id : ancestors(g, y.id)) {
    const Node& n = g[id];
    if (id < first_new || n.op != OpKind::relu) continue;
    ReluLayer l;
    l.id = id;
    l.input = Tensor{&g, n.input(0)}.values();
    if (n_inputs > 1 && n.shape().rank == 2 && n.shape()[0] == n_inputs) {
      l.batch = n_inputs;
      l.units = n.shape()[1];
    } else {
      l.units = n.numel();  // one point: every element is a unit
    }
    if (const Origin* o = in.origins().find(n.origin)) {
      const Location loc = o->source->location(o->span.begin);
      l.where = fmt::format("{}:{} {}", loc.line, loc.column,
                            abbreviate(o->source->text.substr(o->span.begin, o->span.size()), 32));
    }
    layers.push_back(std::move(l));
  }
  return layers;
}

// f gave a layer's pre-activations (no relu inside): their signs are the pattern.
void show_preactivations(Interpreter& in, const Pattern& p, Ctx& ctx, const Value& out, int64_t n_inputs) {
  std::FILE* o = in.out();
  const std::vector<double> pre = out.is_number() ? std::vector<double>{out.number()} : out.tensor().values();
  const int64_t rows = out.is_tensor() && out.tensor().rank() == 2 ? out.tensor().shape()[0] : 1;
  if (rows != n_inputs)
    throw Error(p.model.span, fmt::format("the function gave {} rows for {} point{}", rows, n_inputs,
                                          n_inputs == 1 ? "" : "s"));
  const auto units = static_cast<int64_t>(pre.size()) / rows;
  for (int64_t r = 0; r < rows; ++r) {
    std::string bits;
    int64_t open = 0;
    for (int64_t u = 0; u < units; ++u) {
      bits += pre[r * units + u] > 0 ? '1' : '0';
      open += pre[r * units + u] > 0;
    }
    const std::string at = rows == 1 ? in.text_of(ctx, p.point.span) : fmt::format("row {}", r);
    fmt::print(o, "pattern {} at {}: {} ({} of {} units open)\n", in.text_of(ctx, p.model.span), at, bits,
               open, units);
    if (rows == 1 && units <= 16) {
      // Six significant digits, aligned on the widest: a table, not a dump
      // (printing the layer's output gives every digit).
      std::vector<std::string> shown;
      std::size_t width = 0;
      for (int64_t k = 0; k < units; ++k) {
        shown.push_back(fmt::format("{:.6g}", pre[k]));
        width = std::max(width, shown.back().size());
      }
      const std::size_t unit_width = std::to_string(units).size();
      for (int64_t k = 0; k < units; ++k)
        fmt::print(o, "  unit {:<{}}  {:>{}}  {}\n", k + 1, unit_width, shown[k], width,
                   pre[k] > 0 ? "open" : "closed");
    }
  }
}

}  // namespace

// pattern F at POINT. POINT is a number, a vector [d] or a row [1, d] (called as
// the row [1, d]), or a batch [N, d].
void Interpreter::exec_pattern(const Pattern& p, const Stmt& s, Ctx& ctx) {
  Value f = eval(p.model, ctx);
  if (!f.is_function() && !f.is_builtin())
    throw Error(p.model.span, fmt::format("pattern needs a function of points [N, d] (the layer's "
                                          "pre-activations), got {}",
                                          a_kind(f)));
  Value pt = eval(p.point, ctx);
  Value x;
  if (pt.is_tensor() && pt.tensor().rank() == 2) {
    x = pt;
  } else if (pt.is_number() || (pt.is_tensor() && pt.tensor().rank() <= 1)) {
    const std::vector<double> coords =
        pt.is_number() ? std::vector<double>{pt.number()} : pt.tensor().values();
    stamp(ctx, p.point.span);
    x = at_span(p.point.span, [&] {
      return Value(graph_.constant(Shape{1, static_cast<int64_t>(coords.size())}, coords));
    });
  } else {
    throw Error(p.point.span,
                fmt::format("the point must be a number or a vector of numbers, got {}", a_kind(pt)));
  }
  Graph& g = graph_;
  const NodeId first_new = g.size();
  Value out = call(f, {{x, p.point.span}}, {}, p.model.span, ctx);
  if (!out.is_tensor() && !out.is_number())
    throw Error(p.model.span, fmt::format("the function gave {}, not pre-activations", a_kind(out)));
  if (out.is_number() || !has_relu(g, out.tensor(), first_new)) {
    show_preactivations(*this, p, ctx, out, x.tensor().shape()[0]);
    return;
  }
  const std::string fx =
      fmt::format("{} at {}", text_of(ctx, p.model.span), abbreviate(text_of(ctx, p.point.span), 32));
  const int64_t n_inputs = x.tensor().shape()[0];
  std::vector<ReluLayer> layers = relu_layers(*this, out.tensor(), first_new, n_inputs);
  std::FILE* o = this->out();
  if (n_inputs == 1) {
    int64_t open = 0, total = 0;
    for (const ReluLayer& l : layers) {
      open += ones(bits(l, 0));
      total += l.units;
    }
    fmt::print(o,
               "pattern {}: {} of {} relu units open (1 = open: input > 0; relu'(0) = 0 counts as closed)\n",
               fx, open, total);
    for (std::size_t k = 0; k < layers.size(); ++k) {
      const ReluLayer& l = layers[k];
      const std::string b = bits(l, 0);
      fmt::print(o, "layer {} ({} units): {}  {} open{}\n", k + 1, l.units, b, ones(b),
                 l.where.empty() ? "" : "  at " + l.where);
    }
    fmt::print(o, "near this point {} is the affine map this pattern selects (one linear piece)\n",
               text_of(ctx, p.model.span));
    return;
  }

  // A batch: the distinct patterns per layer and over all layers (pieces visited).
  // Only relu nodes with one row per input take part (not, say, one after a sum).
  std::erase_if(layers, [&](const ReluLayer& l) { return l.batch != n_inputs; });
  if (layers.empty())
    throw Error(p.point.span, fmt::format("no relu node of {} keeps one row per input of the batch",
                                          text_of(ctx, p.model.span)));
  fmt::print(o, "pattern {}: {} inputs, {} relu layer{}\n", fx, n_inputs, layers.size(),
             layers.size() == 1 ? "" : "s");
  std::map<std::string, std::pair<int64_t, int64_t>> joint;  // pattern -> (count, first input)
  for (int64_t b = 0; b < n_inputs; ++b) {
    std::string all;
    for (const ReluLayer& l : layers) all += bits(l, b) + "|";
    auto [it, fresh] = joint.try_emplace(all, 0, b);
    ++it->second.first;
  }
  constexpr std::size_t kShown = 8;
  for (std::size_t k = 0; k < layers.size(); ++k) {
    const ReluLayer& l = layers[k];
    std::map<std::string, std::pair<int64_t, int64_t>> seen;
    std::vector<int64_t> open_count(static_cast<std::size_t>(l.units), 0);
    for (int64_t b = 0; b < l.batch; ++b) {
      const std::string pat = bits(l, b);
      auto [it, fresh] = seen.try_emplace(pat, 0, b);
      ++it->second.first;
      for (int64_t u = 0; u < l.units; ++u) open_count[u] += pat[u] == '1';
    }
    int64_t dead = 0;
    for (int64_t c : open_count) dead += c == 0;
    fmt::print(o, "layer {} ({} units): {} distinct patterns{}{}\n", k + 1, l.units, seen.size(),
               dead ? fmt::format("; {} dead units (closed on all {} inputs)", dead, l.batch) : "",
               l.where.empty() ? "" : "  at " + l.where);
    // In order of first appearance: along a linspace that is left to right.
    std::vector<std::pair<int64_t, std::string>> order;
    for (const auto& [pat, cf] : seen) order.emplace_back(cf.second, pat);
    std::sort(order.begin(), order.end());
    for (std::size_t i = 0; i < order.size() && i < kShown; ++i) {
      const auto& [first, pat] = order[i];
      fmt::print(o, "  {}  {} open  on {} inputs (first: input {})\n", pat, ones(pat), seen[pat].first,
                 first);
    }
    if (order.size() > kShown) fmt::print(o, "  ... {} more patterns\n", order.size() - kShown);
  }
  fmt::print(o,
             "{} distinct activation patterns over all layers: the {} inputs lie on {} linear pieces of {}\n",
             joint.size(), n_inputs, joint.size(), text_of(ctx, p.model.span));
}

}  // namespace hinge::lang
