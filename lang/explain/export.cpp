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
                                    NoteKind::convention, NoteKind::closed};
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
  if (!r.fd.empty()) s += fmt::format(R"(, "fd": {}, "fd_error": {})", jvalue(r.fd), jnum(r.fd_error));
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

std::string render_dot(const Explanation& ex) {
  std::string dot = trace_dot(ex.root, export_options(ex, false));
  // A legend of the colours, as a note in the corner.
  const std::string legend =
      "  legend [shape=none, margin=0, fontsize=9, label=\"param: blue   data: grey   root: green\\n"
      "blocked: red   saturated / vanishing: orange   NaN: purple\"];\n";
  dot.insert(dot.rfind('}'), legend);
  return dot;
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
