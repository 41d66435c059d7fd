// The X3 syntax tree: what the grammar in parser_def.hpp produces, one struct per rule,
// verbose (one Expression per precedence level). lower.cpp turns it into tree.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/optional.hpp>
#include <boost/spirit/home/x3/support/ast/variant.hpp>

#include "syntax/operators.hpp"

namespace hinge::lang::ast {

namespace x3 = boost::spirit::x3;
using syntax::BinaryOp;
using syntax::PlotKind;
using syntax::UnaryOp;
// boost::optional, not std::optional: X3 in Boost 1.74 only knows boost's as optional
// and would otherwise parse straight into the field, keeping half-matched values.
using boost::optional;

/// Byte offsets [begin, end) of a node, set by the annotation handler in parser_def.hpp
/// (Note [Annotation]). Not fusion-adapted: the grammar never fills these directly.
struct Located {
  uint32_t begin = 0;
  uint32_t end = 0;
};

// ---------------------------------------------------------------- expressions

struct Nil {};
struct Number : Located {
  std::string text;
};  // the literal as written
struct String : Located {
  std::string text;
};  // raw, quotes and escapes included
struct Bool : Located {
  bool value = false;
};
struct Name : Located {
  std::string text;
};

struct List;
struct Unary;
struct Postfix;
struct Expression;

using Operand = x3::variant<Nil, Number, String, Bool, Name, x3::forward_ast<List>, x3::forward_ast<Unary>,
                            x3::forward_ast<Postfix>, x3::forward_ast<Expression>>;

/// `op operand` after the first operand of a precedence level.
struct Operation : Located {
  BinaryOp op{};
  Operand operand;
};

/// first (op operand)*: one precedence level (calc9 style). Comparison and power hold
/// at most one operation (non-associative / right-recursive).
struct Expression : Located {
  Operand first;
  std::vector<Operation> rest;
};

struct Unary : Located {
  UnaryOp op{};
  Operand operand;
};

struct List : Located {
  std::vector<Expression> items;
};

/// One call argument: `value` or `name=value` (keyword holds "name=" as written, with
/// any blanks; the name starts at `begin`).
struct Arg : Located {
  optional<std::string> keyword;
  Expression value;
};

struct CallArgs : Located {
  std::vector<Arg> args;
};

/// `:step` part of a slice (the expression may be missing: x[::]).
struct StepPart : Located {
  bool present = true;  // only so the struct has two members (X3 collapses one)
  optional<Expression> value;
};

/// `:stop[:step]` part of a slice.
struct SliceTail : Located {
  optional<Expression> stop;
  optional<StepPart> step;
};

/// `start` or `[start]:[stop][:[step]]`.
struct Subscript : Located {
  optional<Expression> start;
  optional<SliceTail> tail;  // set iff this is a slice
};

struct Subscripts : Located {
  std::vector<Subscript> items;
};

using Suffix = x3::variant<CallArgs, Subscripts>;

/// primary followed by calls and indexing: f(x)[0].
struct Postfix : Located {
  Operand primary;
  std::vector<Suffix> suffixes;
};

// ---------------------------------------------------------------- statements

struct Block;
struct DefStmt;
struct IfStmt;
struct ForStmt;

struct LetStmt : Located {
  Name name;
  std::vector<Name> more;  // `let X, y = ...`: the names after the first
  Expression value;
};
struct ParamStmt : Located {
  Name name;
  Expression value;
};
struct AssignStmt : Located {
  Name name;
  Expression value;
};

struct PrintStmt : Located {
  std::vector<Expression> values;
};

struct LogEvery : Located {
  Expression every;
};
struct BatchOption : Located {
  Expression size;
  std::vector<Name> from;
};
struct RecordGrads : Located {
  Expression path;
};
struct Quiet : Located {
  bool quiet = true;
};
using TrainOption = x3::variant<LogEvery, BatchOption, RecordGrads, Quiet>;

struct TrainStmt : Located {
  Expression loss, optimizer, steps;
  std::vector<TrainOption> options;
};

struct GradStmt : Located {
  Expression target;
  std::vector<Expression> wrt;
};

enum class TraceFlag { check, full };
struct TraceStmt : Located {
  Expression target;
  std::vector<TraceFlag> flags;
  optional<Expression> to;
};

struct GradCheckStmt : Located {
  Expression target;
  std::vector<Expression> wrt;
};

struct Series : Located {
  Expression value;
  optional<Expression> label;
};
struct KeywordArg : Located {
  Name name;
  Expression value;
};
struct PlotStmt : Located {
  optional<PlotKind> kind;
  Expression subject;
  std::vector<Series> series;
  optional<Expression> to;
  std::vector<KeywordArg> options;
};

struct PatternStmt : Located {
  Expression model;
  Expression point;
};
struct SaveStmt : Located {
  std::vector<Expression> values;
  Expression path;
};

/// `load e`, `import e`, `return e`: a keyword and one expression.
enum class KeywordKind { load, import, return_ };
struct KeywordStmt : Located {
  KeywordKind keyword{};
  Expression value;
};

struct ExprStmt : Located {
  Expression value;
};

using Statement =
    x3::variant<LetStmt, ParamStmt, AssignStmt, x3::forward_ast<DefStmt>, x3::forward_ast<IfStmt>,
                x3::forward_ast<ForStmt>, PrintStmt, TrainStmt, GradStmt, TraceStmt, GradCheckStmt, PlotStmt,
                PatternStmt, SaveStmt, KeywordStmt, ExprStmt>;

struct Block : Located {
  std::vector<Statement> stmts;
};

using DefBody = x3::variant<Expression, Block>;  // `= expr` or `{ ... }`
struct DefStmt : Located {
  Name name;
  std::vector<Name> params;
  DefBody body;
};

using ElsePart = x3::variant<x3::forward_ast<IfStmt>, Block>;  // `else if ...` or `else {}`
struct IfStmt : Located {
  Expression condition;
  Block then_block;
  optional<ElsePart> else_part;
};

struct ForStmt : Located {
  Name var;
  Expression iterable;
  Block body;
};

using Program = std::vector<Statement>;

}  // namespace hinge::lang::ast
