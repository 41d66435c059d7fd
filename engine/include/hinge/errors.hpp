// Engine errors: typed, thrown while a graph is built (never from backward),
// always naming the op and the offending shapes or values.
#pragma once
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace hinge {

// Note [Structured errors]
// Every engine error has a message in the engine's words ("shape mismatch in 'mul':
// [3] vs [2]"). An error about how an op's operands fit together also carries what it
// is about as data (ErrorDetail): the op, the rule its operands broke, their shapes
// and dtypes, which operand broke it, and the rule in words. A caller that speaks of the op in other
// words (the language says '*' where the engine says 'mul', and points at the
// operand) words the message from the detail; it never edits the engine's text.

// The rule an op's operands broke.
enum class ErrorRule {
  none,       // no detail: the message is all there is
  broadcast,  // elementwise: the shapes do not broadcast (numpy rules)
  matmul,     // matrix product: the inner dimensions differ, or a rank is not 1..3
  dtype,      // the operands' dtypes differ (no implicit cast)
  graph,      // the operands belong to different graphs
};

struct ErrorDetail {
  ErrorRule rule = ErrorRule::none;
  std::string op;                            // the engine's op name: "mul", "matmul"
  std::vector<std::vector<int64_t>> shapes;  // each operand's dims, in operand order
  std::vector<std::string> dtypes;           // each operand's dtype ("f32", "f64")
  int operand = -1;                          // the operand that breaks the rule; -1: they
                                             // break it together (broadcast, matmul)
  std::string why;                           // the rule as it applies here, in words that
                                             // name no op: "the inner dimensions must
                                             // agree: 3 vs 2 (...)"; may be empty
};

// Base of every error the engine throws; lang turns these into diagnostics.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  Error(const std::string& what, const ErrorDetail& detail)
      : std::runtime_error(what), detail_(std::make_shared<const ErrorDetail>(detail)) {}

  // What the error is about (Note [Structured errors]); rule none when not known.
  const ErrorDetail& detail() const {
    static const ErrorDetail kNone;
    return detail_ ? *detail_ : kNone;
  }

 private:
  std::shared_ptr<const ErrorDetail> detail_;  // shared: exceptions are copied
};

// Shapes that do not fit an op: "shape mismatch in 'add': [3] vs [4]".
class ShapeError : public Error {
 public:
  using Error::Error;
};

// A value outside an op's domain or a bad argument (axis out of range, ...).
class DomainError : public Error {
 public:
  using Error::Error;
};

// A resource limit was hit (tensor too large, arena exhausted).
class LimitError : public Error {
 public:
  using Error::Error;
};

// A file could not be read or written, or its contents are corrupt.
class IoError : public Error {
 public:
  using Error::Error;
};

}  // namespace hinge
