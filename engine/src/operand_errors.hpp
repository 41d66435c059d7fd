// The errors about how an op's operands fit together, thrown with their detail
// (Note [Structured errors] in hinge/errors.hpp), and their messages in one place.
#pragma once
#include <string_view>

#include "hinge/dtype.hpp"
#include "hinge/shape.hpp"

namespace hinge::detail {

// "shape mismatch in 'op': [3] vs [2]": elementwise shapes that do not broadcast,
// or (for ops that do not broadcast) shapes that differ.
[[noreturn]] void throw_broadcast_error(std::string_view op, const Shape& a, const Shape& b);
// "shape mismatch in 'matmul': [2, 3] vs [2, 3]; the inner dimensions must agree: ...":
// inner or batch dimensions, or ranks.
[[noreturn]] void throw_matmul_error(const Shape& a, const Shape& b);
// "dtype mismatch in 'op': f32 vs f64 (use cast)".
[[noreturn]] void throw_dtype_error(std::string_view op, DType a, DType b);
// "'op' of tensors from different graphs".
[[noreturn]] void throw_graph_error(std::string_view op);

}  // namespace hinge::detail
