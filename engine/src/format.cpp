// Printing numbers and tensors: the shortest text that reads back as the same
// number, and tensors numpy-style (aligned columns, abbreviated when large).
#include "hinge/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <fmt/format.h>

namespace hinge {

namespace {

constexpr std::size_t kLineWidth = 75;    // numpy's linewidth
constexpr int64_t kSummarizeAbove = 100;  // elements; smaller tensors print in full
constexpr int64_t kEdgeItems = 3;         // kept at each end of a long axis

// Shortest form, but at most 8 significant digits inside tensors (numpy's
// precision) so a column of thirds stays readable; scalars use format_number.
std::string tensor_element(double x, DType t) {
  if (std::isnan(x)) return "nan";  // fmt writes a NaN's sign bit as "-nan"; format_number does not
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

}  // namespace

std::string format_number(double x) { return std::isnan(x) ? std::string("nan") : fmt::format("{}", x); }

std::string format_number(double x, DType t) {
  if (t == DType::f32 && !std::isnan(x)) return fmt::format("{}", static_cast<float>(x));
  return format_number(x);
}

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
    std::string s = format_number(t.item(), dt);
    return dt == DType::f32 ? s + " (f32)" : s;
  }
  return format_tensor(t, indent, [dt](double x) { return tensor_element(x, dt); });
}

}  // namespace hinge
