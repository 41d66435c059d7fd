// How values print: numbers and tensors as the engine prints them (hinge/format.hpp),
// lists, strings and the rest; and fmt format specs applied to values for string
// interpolation.
#pragma once

#include <functional>
#include <string>

#include "eval/value.hpp"
#include "hinge/format.hpp"

namespace hinge::lang {

// What `print` shows: strings raw, everything else as format_repr.
std::string format_plain(const Value& v, std::size_t indent = 0);
// What the REPL echoes: strings quoted, lists with their items' reprs.
std::string format_repr(const Value& v, std::size_t indent = 0);

// The HTML form of a value for hosts that show it (format_html.cpp): a tensor of
// rank 1 or 2 as a table; "" for values that have none.
std::string format_html(const Value& v);

// Applies a format spec (".4f", ">8", "e") to a value: a number, a tensor (each
// element), a string or a bool. Throws fmt::format_error when the spec does not
// suit the value; the caller turns that into an error at the interpolation.
/// Widths and precisions above kMaxSpecNumber, and results longer than `max_bytes`,
/// are a fmt::format_error raised before any formatting.
inline constexpr int kMaxSpecNumber = 1000;
std::string format_with_spec(const Value& v, const std::string& spec,
                             std::size_t max_bytes = std::size_t{16} << 20);

}  // namespace hinge::lang
