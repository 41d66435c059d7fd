// (being written) op family: matmul
#include "op_table.hpp"
namespace hinge::detail {
const std::span<const OpImplRow> kLinalgImpls = {};
}
