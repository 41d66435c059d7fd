// The spellings of the operators and plot kinds (operators.hpp).
#include "syntax/operators.hpp"

namespace hinge::lang::syntax {

const char* to_string(BinaryOp op) {
  switch (op) {  // ORDER BINARYOP
    case BinaryOp::add: return "+";
    case BinaryOp::sub: return "-";
    case BinaryOp::mul: return "*";
    case BinaryOp::div: return "/";
    case BinaryOp::matmul: return "@";
    case BinaryOp::pow: return "^";
    case BinaryOp::eq: return "==";
    case BinaryOp::ne: return "!=";
    case BinaryOp::lt: return "<";
    case BinaryOp::le: return "<=";
    case BinaryOp::gt: return ">";
    case BinaryOp::ge: return ">=";
    case BinaryOp::and_: return "and";
    case BinaryOp::or_: return "or";
  }
  return "?";
}

const char* to_string(UnaryOp op) { return op == UnaryOp::neg ? "-" : "not"; }

const char* to_string(PlotKind kind) {
  switch (kind) {  // ORDER PLOTKIND
    case PlotKind::line: return "line";
    case PlotKind::scatter: return "scatter";
    case PlotKind::regions: return "regions";
    case PlotKind::hist: return "hist";
  }
  return "?";
}

}  // namespace hinge::lang::syntax
