// Engine errors: typed, thrown while a graph is built (never from backward),
// always naming the op and the offending shapes or values.
#pragma once
#include <stdexcept>
#include <string>

namespace hinge {

// Base of every error the engine throws; lang turns these into diagnostics.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
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
