// Values as HTML for hosts that show it (the Jupyter kernel's text/html): a tensor
// of rank 1 or 2 as a table, abbreviated like the text form, with its shape and
// dtype in the caption; everything else has no HTML form.
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "eval/format_value.hpp"
#include "explain/explain.hpp"
#include "hinge/escape.hpp"

namespace hinge::lang {

namespace {

constexpr int64_t kEdge = 8;  // rows and columns shown at each end of a long axis

// The indices of an axis of length n to show: all, or kEdge at each end with a gap
// (-1) between them.
std::vector<int64_t> shown(int64_t n) {
  std::vector<int64_t> out;
  if (n <= 2 * kEdge + 1) {
    for (int64_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  for (int64_t i = 0; i < kEdge; ++i) out.push_back(i);
  out.push_back(-1);
  for (int64_t i = n - kEdge; i < n; ++i) out.push_back(i);
  return out;
}

std::string number_cell(double x, DType t) {
  return t == DType::f32 ? fmt::format("{}", static_cast<float>(x)) : format_number(x);
}

}  // namespace

std::string format_html(const Value& v) {
  if (!v.is_tensor()) return "";
  const Tensor& t = v.tensor();
  if (t.rank() < 1 || t.rank() > 2) return "";
  const int64_t rows = t.rank() == 2 ? t.shape().dims[0] : 1;
  const int64_t cols = t.shape().dims[t.rank() - 1];
  const std::vector<double> values = t.values();
  std::string out = "<table class=\"hinge-tensor\">";
  out += fmt::format("<caption style=\"text-align:left\">tensor {}{}</caption>", to_string(t.shape()),
                     t.dtype() == DType::f32 ? " f32" : "");
  const std::vector<int64_t> rs = shown(rows), cs = shown(cols);
  for (int64_t r : rs) {
    out += "<tr>";
    for (int64_t c : cs) {
      if (r < 0 || c < 0) {
        out += "<td style=\"text-align:center\">&hellip;</td>";
        continue;
      }
      out += fmt::format("<td style=\"text-align:right;font-family:monospace\">{}</td>",
                         xml_escape(number_cell(values[static_cast<std::size_t>(r * cols + c)], t.dtype())));
    }
    out += "</tr>";
  }
  return out + "</table>";
}

}  // namespace hinge::lang
