// (being written) op family: softmax, log_softmax
#include "op_table.hpp"
namespace hinge::detail {
const std::span<const OpImplRow> kSoftmaxImpls = {};
}
