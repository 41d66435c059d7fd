// How values print: numbers in the shortest form that reads back exactly, tensors
// numpy-style (aligned, abbreviated when large), lists, strings and the rest; and
// fmt format specs applied to values for string interpolation.
#pragma once

#include <functional>
#include <string>

#include "value.hpp"

namespace hinge::lang {

// "1", "0.1", "1e+20", "nan", "-inf": fmt's shortest round-trip form.
std::string format_number(double x);

// numpy-style: [[1, 2.5],
//               [3,   4]]
// `indent` is the column the first '[' sits at (continuation lines align under it).
// Axes longer than 6 are shown as 3 ... 3 once the tensor has more than 100 elements.
// A float32 tensor ends with " (f32)".
std::string format_tensor(const Tensor& t, std::size_t indent = 0);
// The same layout with each element formatted by `element` (a format spec).
std::string format_tensor(const Tensor& t, std::size_t indent, const std::function<std::string(double)>& element);

// What `print` shows: strings raw, everything else as format_repr.
std::string format_plain(const Value& v, std::size_t indent = 0);
// What the REPL echoes: strings quoted, lists with their items' reprs.
std::string format_repr(const Value& v, std::size_t indent = 0);

// Applies a format spec (".4f", ">8", "e") to a value: a number, a tensor (each
// element), a string or a bool. Throws fmt::format_error when the spec does not
// suit the value; the caller turns that into an error at the interpolation.
std::string format_with_spec(const Value& v, const std::string& spec);

}  // namespace hinge::lang
