// Operand errors with their detail (operand_errors.hpp).
#include "operand_errors.hpp"

#include <fmt/format.h>

#include "hinge/errors.hpp"

namespace hinge::detail {

namespace {

std::vector<int64_t> dims_of(const Shape& s) {
  std::vector<int64_t> out;
  for (int i = 0; i < s.rank; ++i) out.push_back(s[i]);
  return out;
}

}  // namespace

void throw_broadcast_error(std::string_view op, const Shape& a, const Shape& b) {
  throw ShapeError(fmt::format("shape mismatch in '{}': {} vs {}", op, to_string(a), to_string(b)),
                   {ErrorRule::broadcast, std::string(op), {dims_of(a), dims_of(b)}, {}, -1, {}});
}

void throw_matmul_error(const Shape& a, const Shape& b) {
  // Say which dimensions disagree: the shapes alone ("[2, 3] vs [2, 3]") leave the
  // reader to remember the rule.
  std::string why;
  if (a.rank < 1 || a.rank > 3 || b.rank < 1 || b.rank > 3) {
    why = "both sides need rank 1, 2 or 3";
  } else {
    const int64_t ka = a.dims[a.rank - 1];
    const int64_t kb = b.rank == 1 ? b.dims[0] : b.dims[b.rank - 2];
    if (ka != kb)
      why = fmt::format("the inner dimensions must agree: {} vs {} (the left's last, the right's {})", ka, kb,
                        b.rank == 1   ? "only"
                        : b.rank == 2 ? "first"
                                      : "second");
    else
      why = fmt::format("the batch dimensions must agree: {} vs {}", a.dims[0], b.dims[0]);
  }
  throw ShapeError(fmt::format("shape mismatch in 'matmul': {} vs {}; {}", to_string(a), to_string(b), why),
                   {ErrorRule::matmul, "matmul", {dims_of(a), dims_of(b)}, {}, -1, why});
}

void throw_dtype_error(std::string_view op, DType a, DType b) {
  throw DomainError(
      fmt::format("dtype mismatch in '{}': {} vs {} (use cast)", op, dtype_name(a), dtype_name(b)),
      {ErrorRule::dtype,
       std::string(op),
       {},
       {std::string(dtype_name(a)), std::string(dtype_name(b))},
       1,
       {}});
}

void throw_graph_error(std::string_view op) {
  throw DomainError(fmt::format("'{}' of tensors from different graphs", op),
                    {ErrorRule::graph, std::string(op), {}, {}, 1, {}});
}

}  // namespace hinge::detail
