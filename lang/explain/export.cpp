// DOT and JSON forms of an explained trace, built on the engine's exporter
// (hinge/trace_export.hpp) so the ids, ops and summaries agree with it: we supply
// the gradients we computed, the labels (name, source, note), the colours and the
// extra JSON members (partials, contributions, notes, check, layers).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "explain/explain.hpp"
#include "hinge/trace_export.hpp"

namespace hinge::lang {

namespace {

const Row& row_by_id(const Explanation& ex, NodeId id) {
  auto it =
      std::lower_bound(ex.rows.begin(), ex.rows.end(), id, [](const Row& r, NodeId x) { return r.id < x; });
  return *it;
}

const char* role_name(Role r) {
  switch (r) {
    case Role::param: return "param";
    case Role::data: return "data";
    case Role::op: return "op";
    case Role::root: return "root";
  }
  return "";
}

// The note that colours a node: the most serious one.
const Note* main_note(const Row& r) {
  static const NoteKind kOrder[] = {NoteKind::nonfinite,  NoteKind::blocked,   NoteKind::no_grad,
                                    NoteKind::saturated,  NoteKind::vanishing, NoteKind::exploding,
                                    NoteKind::convention, NoteKind::closed,    NoteKind::cancelled};
  for (NoteKind k : kOrder)
    for (const Note& n : r.notes)
      if (n.kind == k) return &n;
  return nullptr;
}

std::string dot_style(const Row& r) {
  if (const Note* n = main_note(r)) {
    switch (n->kind) {
      case NoteKind::nonfinite: return "style=filled, fillcolor=\"#c9a0ff\", color=\"#6a1fb0\"";
      case NoteKind::blocked:
      case NoteKind::no_grad: return "style=filled, fillcolor=\"#ff9a9a\", color=\"#c00000\"";
      case NoteKind::saturated:
      case NoteKind::vanishing:
      case NoteKind::exploding: return "style=filled, fillcolor=\"#ffc266\", color=\"#c06000\"";
      default: break;  // conventions and partly closed layers keep their role colour
    }
  }
  switch (r.role) {
    case Role::root: return "style=filled, fillcolor=\"#b8e6b8\"";
    case Role::param: return "style=filled, fillcolor=\"#cfe6ff\"";
    case Role::data: return "style=filled, fillcolor=\"#eeeeee\"";
    case Role::op: return "style=solid";
  }
  return "";
}

std::string label(const Row& r) {
  std::string s = r.source.name;
  if (!r.source.where.empty())
    s += (s.empty() ? "" : "\n") + r.source.where + " " + abbreviate(r.source.text, 24);
  if (const Note* n = main_note(r)) s += "\n" + n->text;
  return s;
}

std::string jnum(double x) {
  if (std::isnan(x)) return "\"nan\"";
  if (std::isinf(x)) return x > 0 ? "\"inf\"" : "\"-inf\"";
  return fmt::format("{}", x);
}

std::string jarray(const std::vector<double>& v) {
  std::string s = "[";
  for (std::size_t k = 0; k < v.size(); ++k) s += (k ? ", " : "") + jnum(v[k]);
  return s + "]";
}

std::string jstats(const Stats& s) {
  return fmt::format(
      R"({{"count": {}, "min": {}, "max": {}, "mean": {}, "norm": {}, "zeros": {}, "nans": {}, "infs": {}}})",
      s.count, jnum(s.min), jnum(s.max), jnum(s.mean), jnum(s.norm), s.zeros, s.nans, s.infs);
}

// A number for a one-element vector, else its statistics.
std::string jvalue(const std::vector<double>& v) { return v.size() == 1 ? jnum(v[0]) : jstats(stats_of(v)); }

std::string jstring_or_null(const std::string& s) { return s.empty() ? "null" : json_quote(s); }

std::string json_extra(const Explanation& ex, const Row& r, bool full) {
  std::string s =
      fmt::format(R"("role": "{}", "name": {}, "where": {}, "text": {}, "depth": {}, "layer": {})",
                  role_name(r.role), jstring_or_null(r.source.name), jstring_or_null(r.source.where),
                  jstring_or_null(r.source.text), r.depth, r.layer < 0 ? "null" : fmt::format("{}", r.layer));
  s += fmt::format(R"(, "value_stats": {}, "grad_stats": {})", jstats(stats_of(r.value)),
                   r.grad.empty() ? "null" : jstats(stats_of(r.grad)));
  if (full) {
    s += ", \"values\": " + jarray(r.value);
    if (!r.grad.empty()) s += ", \"grads\": " + jarray(r.grad);
  }
  std::string partials;
  for (std::size_t k = 0; k < r.partials.size(); ++k) {
    if (r.value.size() != 1 || ex.rows[r.inputs[k]].value.size() != 1) continue;
    partials += fmt::format(R"({}{{"input": {}, "name": {}, "value": {}}})", partials.empty() ? "" : ", ",
                            r.inputs[k], json_quote(partial_name(ex, r.inputs[k])), jnum(r.partials[k]));
  }
  s += ", \"partials\": [" + partials + "]";
  std::string contributions;
  for (const Contribution& c : r.contributions)
    contributions += fmt::format(
        R"({}{{"from": {}, "local": {}, "consumer_grad": {}, "value": {}}})",
        contributions.empty() ? "" : ", ", c.consumer, std::isnan(c.local) ? "null" : jnum(c.local),
        std::isnan(c.consumer_grad) ? "null" : jnum(c.consumer_grad), jvalue(c.value));
  s += ", \"contributions\": [" + contributions + "]";
  std::string notes;
  for (const Note& n : r.notes)
    notes += fmt::format(R"({}{{"kind": "{}", "text": {}}})", notes.empty() ? "" : ", ", to_string(n.kind),
                         json_quote(n.text));
  s += ", \"notes\": [" + notes + "]";
  if (!r.fd.empty())
    s += fmt::format(R"(, "fd": {}, "fd_error": {}, "fd_unresolved": {})", jvalue(r.fd), jnum(r.fd_error),
                     r.fd_unresolved);
  return s;
}

TraceOptions export_options(const Explanation& ex, bool full) {
  TraceOptions o;
  o.label = [&ex](NodeId id) { return label(row_by_id(ex, id)); };
  o.grad = [&ex](NodeId id) { return row_by_id(ex, id).grad; };
  o.dot_style = [&ex](NodeId id) { return dot_style(row_by_id(ex, id)); };
  o.json_extra = [&ex, full](NodeId id) { return json_extra(ex, row_by_id(ex, id), full); };
  return o;
}

}  // namespace

namespace {

// Note [Short DOT labels]
// A label holds what a reader scans the picture for: the row, its name and op, its
// shape, and its value and gradient as one number each (the number itself for one
// element, else the norm, written |v|). Everything else (where it was written, the
// min/max/mean of value and gradient, the notes) goes into the tooltip, which
// Graphviz's SVG shows on hover. With every statistic on the label, a 16-node MLP
// drew 9575 px wide. Top to bottom, as the model reads from input to loss.
std::string dot_number(const std::vector<double>& v, const char* what) {
  if (v.size() == 1) return fmt::format("{} {:.4g}", what, v[0]);
  return fmt::format("|{}| {:.3g}", what, stats_of(v).norm);
}

std::string dot_quote(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string render_dot(const Explanation& ex) {
  std::string dot =
      "digraph trace {\n"
      "  rankdir=TB;\n"
      "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n";
  for (std::size_t i = 0; i < ex.rows.size(); ++i) {
    const Row& r = ex.rows[i];
    std::string head = fmt::format("%{} ", i);
    const bool leaf = r.inputs.empty();  // "w (param)"; an op reads "y = relu"
    if (!r.source.name.empty()) head += r.source.name + (leaf ? " " : " = ");
    head += leaf ? fmt::format("({})", r.op) : r.op;
    std::string label = abbreviate(head, 28);
    // (fmt, not "\n" + s: g++ 12 warns falsely about that concatenation, -Wrestrict)
    if (r.shape.rank > 0) label += fmt::format("\n{}", to_string(r.shape));
    label += fmt::format("\n{}", dot_number(r.value, "value"));
    if (!r.grad.empty()) label += fmt::format("\n{}", dot_number(r.grad, "grad"));
    std::string tip =
        r.source.where.empty() ? "" : fmt::format("{} {}\n", r.source.where, abbreviate(r.source.text, 80));
    tip += fmt::format("value: {}", stats_text(stats_of(r.value), true));
    if (!r.grad.empty()) tip += fmt::format("\ngrad: {}", stats_text(stats_of(r.grad), true));
    for (const Note& n : r.notes) tip += fmt::format("\nnote: {}", n.text);
    std::string style = dot_style(r);
    // The style of a role or a note fills the box; keep the rounded corners.
    if (style.rfind("style=filled", 0) == 0) style.replace(0, 12, "style=\"rounded,filled\"");
    dot += fmt::format("  n{} [label=\"{}\", tooltip=\"{}\", {}];\n", i, dot_quote(label), dot_quote(tip),
                       style);
  }
  for (std::size_t i = 0; i < ex.rows.size(); ++i)
    for (int in : ex.rows[i].inputs) dot += fmt::format("  n{} -> n{};\n", in, i);
  // A legend of the colours, as a note in the corner.
  dot +=
      "  legend [shape=none, margin=0, fontsize=9, label=\"param: blue   data: grey   root: green\\n"
      "blocked: red   saturated / vanishing: orange   NaN: purple\"];\n";
  return dot + "}\n";
}

std::string render_json(const Explanation& ex, bool full) {
  std::string json = trace_json(ex.root, export_options(ex, full));
  // The engine's document ends "  ]\n}\n"; the layers and unused params join it.
  std::string layers;
  for (std::size_t k = 0; k < ex.layers.size(); ++k) {
    const Layer& l = ex.layers[k];
    std::vector<std::string> ops;
    for (int ri : l.rows) ops.push_back(json_quote(ex.rows[ri].op));
    layers += fmt::format(
        R"({}    {{"rows": [{}], "ops": [{}], "params": [{}], "activation": {}, "param_grad_norm": {}, "out_grad_norm": {}, "mean_slope": {}, "closed": {}}})",
        k ? ",\n" : "", fmt::join(l.rows, ", "), fmt::join(ops, ", "), fmt::join(l.params, ", "),
        jstring_or_null(l.activation), jnum(l.param_grad_norm), jnum(l.out_grad_norm), jnum(l.mean_slope),
        jnum(l.closed));
  }
  std::vector<std::string> unused;
  for (const std::string& p : ex.unused_params) unused.push_back(json_quote(p));
  const std::string tail = fmt::format(",\n  \"layers\": [\n{}\n  ],\n  \"unused_params\": [{}]\n}}\n",
                                       layers, fmt::join(unused, ", "));
  const auto end = json.rfind("\n}");
  return json.substr(0, end) + tail;
}

}  // namespace hinge::lang
