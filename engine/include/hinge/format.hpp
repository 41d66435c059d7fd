// Printing numbers and tensors, as hinge shows them everywhere: numbers in the
// shortest form that reads back as the same number, tensors numpy-style.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "hinge/tensor.hpp"

namespace hinge {

// "1", "0.1", "1e+20", "nan", "-inf": fmt's shortest round-trip form.
std::string format_number(double x);
// The same at the precision of dtype `t`: a number computed from float32 values
// shows the digits a float32 has (0.4474394, not 0.44743940234184265).
std::string format_number(double x, DType t);

// numpy-style: [[1, 2.5],
//               [3,   4]]
// `indent` is the column the first '[' sits at (continuation lines align under it).
// Axes longer than 6 are shown as 3 ... 3 once the tensor has more than 100 elements.
// A float32 tensor ends with " (f32)".
std::string format_tensor(const Tensor& t, std::size_t indent = 0);
// The same layout with each element formatted by `element` (a format spec).
std::string format_tensor(const Tensor& t, std::size_t indent,
                          const std::function<std::string(double)>& element);

}  // namespace hinge
