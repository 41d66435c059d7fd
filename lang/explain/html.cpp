// The HTML form of an explained trace, for hosts that show HTML (the Jupyter
// kernel): one table row per node in tape order, with its op, source, value and
// gradient, and its notes highlighted by kind beneath it.
#include <fmt/format.h>

#include "explain/explain.hpp"
#include "hinge/escape.hpp"

namespace hinge::lang {

namespace {

// Rows beyond this are left to `trace Y to "y.txt"` (a cell is not a file viewer).
constexpr std::size_t kMaxRows = 400;

// A note's background, by kind (ORDER NOTEKIND): red where the gradient stops or
// breaks, amber where it fades, blue for what is only informative.
const char* note_colour(NoteKind k) {
  switch (k) {
    case NoteKind::blocked: return "#fde2e1";
    case NoteKind::convention: return "#e3edfb";
    case NoteKind::saturated: return "#fff1cc";
    case NoteKind::closed: return "#e3edfb";
    case NoteKind::vanishing: return "#fff1cc";
    case NoteKind::exploding: return "#fde2e1";
    case NoteKind::nonfinite: return "#fde2e1";
    case NoteKind::no_grad: return "#fff1cc";
    case NoteKind::cancelled: return "#e3edfb";
  }
  return "#eeeeee";
}

std::string cell_number(double x, DType t) {
  return t == DType::f32 ? fmt::format("{}", static_cast<float>(x)) : short_number(x);
}

// A value or gradient: the number, or its statistics.
std::string summary(const std::vector<double>& v, const Row& r, bool grad) {
  if (v.empty()) return "";
  if (v.size() == 1) return cell_number(v[0], r.dtype);
  return stats_text(stats_of(v), grad);
}

}  // namespace

std::string render_html(const Explanation& ex, const TextOptions& opt) {
  const std::string title = opt.title.empty() ? "the value" : opt.title;
  const bool grads = ex.root.numel() == 1;
  std::string out = "<div class=\"hinge-trace\">";
  out +=
      fmt::format("<p><b>trace {}</b>: {} nodes{}</p>", xml_escape(title), ex.rows.size(),
                  grads ? xml_escape(fmt::format(", grad = d({})/d(node)", title))
                        : xml_escape(fmt::format(" (no gradients: the value has shape {}, not one element)",
                                                 to_string(ex.root.shape()))));
  out +=
      "<table style=\"font-family:monospace;font-size:90%\"><thead><tr>"
      "<th>node</th><th>op</th><th>source</th><th>shape</th><th>value</th><th>grad</th></tr></thead><tbody>";
  const std::size_t shown = opt.full ? ex.rows.size() : std::min(ex.rows.size(), kMaxRows);
  for (std::size_t i = 0; i < shown; ++i) {
    const Row& r = ex.rows[i];
    std::string op = r.op;
    if (!r.inputs.empty()) {
      op += "(";
      for (std::size_t k = 0; k < r.inputs.size(); ++k)
        op += fmt::format("{}%{}", k ? ", " : "", r.inputs[k]);
      op += ")";
    }
    const std::string source =
        r.source.where.empty() ? "" : r.source.where + " " + abbreviate(r.source.text, opt.text_width);
    const char* style = r.notes.empty() ? "" : " style=\"font-weight:bold\"";
    out +=
        fmt::format("<tr{}><td>%{}{}</td><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td></tr>",
                    style, i, r.source.name.empty() ? "" : " " + xml_escape(r.source.name), xml_escape(op),
                    xml_escape(source), xml_escape(to_string(r.shape)), r.dtype == DType::f32 ? " f32" : "",
                    xml_escape(summary(r.value, r, false)), xml_escape(summary(r.grad, r, true)));
    for (const Note& n : r.notes)
      out += fmt::format(
          "<tr class=\"hinge-note hinge-note-{}\" style=\"background:{}\"><td></td><td colspan=\"5\">note: "
          "{}</td></tr>",
          to_string(n.kind), note_colour(n.kind), xml_escape(n.text));
  }
  out += "</tbody></table>";
  if (shown < ex.rows.size())
    out += fmt::format("<p>{} more nodes (<code>trace {} to \"trace.txt\"</code> writes them all)</p>",
                       ex.rows.size() - shown, xml_escape(title));
  if (!ex.unused_params.empty())
    out += fmt::format("<p>params {} does not depend on (no gradient reaches them): {}</p>",
                       xml_escape(title), xml_escape(fmt::format("{}", fmt::join(ex.unused_params, ", "))));
  if (const std::string layers = render_layers(ex); !layers.empty())
    out += "<pre>" + xml_escape(layers) + "</pre>";
  return out + "</div>";
}

}  // namespace hinge::lang
