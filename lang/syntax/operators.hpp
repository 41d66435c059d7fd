// The operators of the language and their spellings: the vocabulary that both the
// grammar's tree (ast.hpp) and the compact tree (tree.hpp) are written in.
#pragma once

namespace hinge::lang::syntax {

enum class UnaryOp { neg, not_ };  // -x, not x

// ORDER BINARYOP: to_string() and the printer follow this order.
enum class BinaryOp {
  add,
  sub,
  mul,
  div,
  matmul,
  pow,  // + - * / @ ^
  eq,
  ne,
  lt,
  le,
  gt,
  ge,  // == != < <= > >=
  and_,
  or_,  // and, or (short-circuit: evaluate rhs only if needed)
};

// ORDER PLOTKIND
enum class PlotKind { line, scatter, regions, hist };

/// The operator as written: "+", "not", "line".
const char* to_string(BinaryOp op);
const char* to_string(UnaryOp op);
const char* to_string(PlotKind kind);

}  // namespace hinge::lang::syntax
