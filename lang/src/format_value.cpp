// Printing values: shortest round-trip numbers, numpy-style tensors, lists,
// strings, functions; fmt format specs for interpolation.
#include "format_value.hpp"

#include <cmath>
#include <cstdint>
#include <vector>

#include <fmt/format.h>

#include "builtin.hpp"

namespace hinge::lang {

namespace {

constexpr std::size_t kLineWidth = 75;       // numpy's linewidth
constexpr int64_t kSummarizeAbove = 100;     // elements; smaller tensors print in full
constexpr int64_t kEdgeItems = 3;            // kept at each end of a long axis

// Shortest form, but at most 8 significant digits inside tensors (numpy's
// precision) so a column of thirds stays readable; scalars use format_number.
std::string tensor_element(double x, DType t) {
  std::string s = t == DType::f32 ? fmt::format("{}", static_cast<float>(x)) : fmt::format("{}", x);
  int digits = 0;
  bool exponent = false;
  for (char c : s) {
    if (c == 'e') exponent = true;
    if (!exponent && c >= '0' && c <= '9') ++digits;
  }
  if (digits > 9) s = fmt::format("{:.8g}", x);
  return s;
}

// Indices shown along an axis of length n; -1 marks the "..." gap.
std::vector<int64_t> shown_indices(int64_t n, bool summarize) {
  std::vector<int64_t> out;
  if (summarize && n > 2 * kEdgeItems) {
    for (int64_t i = 0; i < kEdgeItems; ++i) out.push_back(i);
    out.push_back(-1);
    for (int64_t i = n - kEdgeItems; i < n; ++i) out.push_back(i);
  } else {
    for (int64_t i = 0; i < n; ++i) out.push_back(i);
  }
  return out;
}

class TensorPrinter {
 public:
  TensorPrinter(const Tensor& t, const std::function<std::string(double)>& element)
      : shape_(t.shape()), values_(t.values()) {
    summarize_ = t.numel() > kSummarizeAbove;
    strides_.assign(static_cast<std::size_t>(shape_.rank), 1);
    for (int a = shape_.rank - 2; a >= 0; --a) strides_[a] = strides_[a + 1] * shape_.dims[a + 1];
    cells_.resize(values_.size());
    collect(0, 0, element);
    // Each column (index along the last axis) is as wide as its widest entry.
    const int64_t cols = shape_.rank > 0 ? shape_.dims[shape_.rank - 1] : 1;
    widths_.assign(static_cast<std::size_t>(std::max<int64_t>(cols, 1)), 0);
    if (shape_.rank > 1)
      for (std::size_t k = 0; k < cells_.size(); ++k)
        widths_[k % widths_.size()] = std::max(widths_[k % widths_.size()], cells_[k].size());
  }

  std::string print(std::size_t indent) { return block(0, 0, indent); }

 private:
  // Formats only the elements that will be shown (a summarized tensor may be huge).
  void collect(int axis, int64_t base, const std::function<std::string(double)>& element) {
    if (axis == shape_.rank) {
      cells_[base] = element(values_[base]);
      return;
    }
    for (int64_t i : shown_indices(shape_.dims[axis], summarize_))
      if (i >= 0) collect(axis + 1, base + i * strides_[axis], element);
  }

  std::string block(int axis, int64_t base, std::size_t col) {
    std::string out = "[";
    const auto idx = shown_indices(shape_.dims[axis], summarize_);
    if (axis == shape_.rank - 1) {
      std::size_t line = col + 1;
      for (std::size_t k = 0; k < idx.size(); ++k) {
        std::string item = idx[k] < 0 ? std::string("...") : pad(cells_[base + idx[k]], idx[k]);
        if (k > 0) {
          if (line + 2 + item.size() + 1 > kLineWidth) {
            out += ",\n" + std::string(col + 1, ' ');
            line = col + 1;
          } else {
            out += ", ";
            line += 2;
          }
        }
        out += item;
        line += item.size();
      }
    } else {
      const std::string sep = ",\n" + std::string(static_cast<std::size_t>(shape_.rank - axis - 2), '\n') +
                              std::string(col + 1, ' ');
      for (std::size_t k = 0; k < idx.size(); ++k) {
        if (k > 0) out += sep;
        out += idx[k] < 0 ? std::string("...") : block(axis + 1, base + idx[k] * strides_[axis], col + 1);
      }
    }
    return out + "]";
  }

  std::string pad(const std::string& s, int64_t column) const {
    const std::size_t w = widths_[static_cast<std::size_t>(column) % widths_.size()];
    return s.size() >= w ? s : std::string(w - s.size(), ' ') + s;
  }

  Shape shape_;
  std::vector<double> values_;
  std::vector<std::string> cells_;
  std::vector<int64_t> strides_;
  bool summarize_ = false;
  std::vector<std::size_t> widths_;  // per column of the last axis
};

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

std::string format_optimizer(const OptimizerSpec& o) {
  std::string out = o.kind + "(";
  bool first = true;
  for (const auto& [k, v] : o.options) {
    out += fmt::format("{}{}={}", first ? "" : ", ", k, format_number(v));
    first = false;
  }
  if (o.schedule != "constant") {
    out += fmt::format("{}schedule=\"{}\"", first ? "" : ", ", o.schedule);
    for (const auto& [k, v] : o.schedule_options) out += fmt::format(", {}={}", k, format_number(v));
  }
  return out + ")";
}

std::string format_any(const Value& v, std::size_t indent, bool repr) {
  return std::visit(
      [&](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "none";
        } else if constexpr (std::is_same_v<T, double>) {
          return format_number(x);
        } else if constexpr (std::is_same_v<T, bool>) {
          return x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return repr ? quote(x) : x;
        } else if constexpr (std::is_same_v<T, Tensor>) {
          return format_tensor(x, indent);
        } else if constexpr (std::is_same_v<T, ListPtr>) {
          std::string out = "[";
          for (std::size_t k = 0; k < x->size(); ++k) {
            if (k > 0) out += ", ";
            // The column where this item starts: after an item that spans several
            // lines (a matrix), it is counted from the last line break.
            const std::size_t nl = out.rfind('\n');
            const std::size_t column = nl == std::string::npos ? indent + out.size() : out.size() - nl - 1;
            out += format_any((*x)[k], column, true);
          }
          return out + "]";
        } else if constexpr (std::is_same_v<T, std::shared_ptr<const Function>>) {
          std::string params;
          for (std::size_t k = 0; k < x->params.size(); ++k) params += (k ? ", " : "") + x->params[k];
          return fmt::format("<function {}({})>", x->name, params);
        } else if constexpr (std::is_same_v<T, const Builtin*>) {
          return fmt::format("<builtin {}({})>", x->name, x->params);
        } else {
          return format_optimizer(*x);
        }
      },
      v.v);
}

// The last character of a spec is its presentation type when it is a letter.
char spec_type(const std::string& spec) {
  if (spec.empty()) return 0;
  char c = spec.back();
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? c : 0;
}

std::string number_with_spec(double x, const std::string& spec) {
  const std::string f = "{:" + spec + "}";
  switch (spec_type(spec)) {
    case 'd': case 'x': case 'X': case 'b': case 'B': case 'o': case 'c':
      if (std::isfinite(x) && x == std::trunc(x) && std::fabs(x) < 9.2e18)
        return fmt::format(fmt::runtime(f), static_cast<int64_t>(x));
      throw fmt::format_error(fmt::format("'{}' needs a whole number, got {}", spec, format_number(x)));
    case 's':
      return fmt::format(fmt::runtime(f), format_number(x));
    default:
      return fmt::format(fmt::runtime(f), x);
  }
}

}  // namespace

std::string format_number(double x) { return std::isnan(x) ? std::string("nan") : fmt::format("{}", x); }

std::string format_tensor(const Tensor& t, std::size_t indent,
                          const std::function<std::string(double)>& element) {
  const DType dt = t.dtype();
  std::string out;
  if (t.rank() == 0) {
    out = element(t.item());
  } else if (t.numel() == 0) {
    out = t.rank() == 1 ? "[]" : fmt::format("[] (shape {})", to_string(t.shape()));
  } else {
    out = TensorPrinter(t, element).print(indent);
  }
  if (dt == DType::f32) out += " (f32)";
  return out;
}

std::string format_tensor(const Tensor& t, std::size_t indent) {
  const DType dt = t.dtype();
  if (t.rank() == 0) {
    std::string s = dt == DType::f32 ? fmt::format("{}", static_cast<float>(t.item())) : format_number(t.item());
    return dt == DType::f32 ? s + " (f32)" : s;
  }
  return format_tensor(t, indent, [dt](double x) { return tensor_element(x, dt); });
}

std::string format_plain(const Value& v, std::size_t indent) { return format_any(v, indent, false); }
std::string format_repr(const Value& v, std::size_t indent) { return format_any(v, indent, true); }

std::string format_with_spec(const Value& v, const std::string& spec) {
  if (v.is_number()) return number_with_spec(v.number(), spec);
  if (v.is_tensor()) {
    const Tensor& t = v.tensor();
    if (t.numel() == 1) return number_with_spec(t.item(), spec);
    // Validate the spec once so a bad one fails even for an empty tensor.
    number_with_spec(0.0, spec);
    return format_tensor(t, 0, [&](double x) { return number_with_spec(x, spec); });
  }
  if (v.is_bool()) return fmt::format(fmt::runtime("{:" + spec + "}"), std::string(std::get<bool>(v.v) ? "true" : "false"));
  return fmt::format(fmt::runtime("{:" + spec + "}"), format_plain(v));
}

}  // namespace hinge::lang
