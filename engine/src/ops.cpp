// Op names and arities (from ops.hpp), and the implementation table assembled
// from the rows each op family provides.
#include "hinge/ops.hpp"

#include <array>
#include <stdexcept>

#include "op_table.hpp"

namespace hinge {

std::string_view op_name(OpKind op) {
  static constexpr std::string_view names[] = {
#define HINGE_OP_NAME(name, arity) #name,
      HINGE_OPS(HINGE_OP_NAME)
#undef HINGE_OP_NAME
  };
  return names[static_cast<int>(op)];
}

int op_arity(OpKind op) {
  static constexpr int arities[] = {
#define HINGE_OP_ARITY(name, arity) arity,
      HINGE_OPS(HINGE_OP_ARITY)
#undef HINGE_OP_ARITY
  };
  return arities[static_cast<int>(op)];
}

namespace detail {

namespace {
std::array<OpImpl, kOpCount> build_table() {
  std::array<OpImpl, kOpCount> table{};
  for (auto rows : {kBinaryImpls, kUnaryImpls, kReduceImpls, kShapeImpls, kLinalgImpls, kSoftmaxImpls})
    for (const OpImplRow& r : rows) table[static_cast<int>(r.op)] = r.impl;
  return table;
}
}  // namespace

const OpImpl& op_impl(OpKind op) {
  static const std::array<OpImpl, kOpCount> table = build_table();
  return table[static_cast<int>(op)];
}

}  // namespace detail
}  // namespace hinge
