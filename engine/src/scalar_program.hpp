// ScalarProgram: a Replay's fast path for graphs made only of one-number nodes
// (micrograd-style scalar graphs). See Note [Scalar programs].
#pragma once
#include <memory>
#include <span>
#include <vector>

#include "hinge/graph.hpp"

namespace hinge::detail {

// Note [Scalar programs]
// Replaying a scalar graph node by node costs a table lookup, a function call,
// a dtype switch and three 64-byte node records per node: the nodes, not the
// arithmetic, fill the cache. When every node a Replay visits holds one number
// and has an op listed in scalar_program.cpp, the Replay compiles them into a
// dense program: one small instruction per node over contiguous value and
// gradient arrays, run by one switch loop per pass. The nodes' val/grad pointers are
// pointed into those arrays while the program lives, so Tensor::item(), the
// optimizers and set_values() keep working unchanged (and the nodes' bits that
// let faster paths read the inline slots are cleared, Note [Inline scalars]);
// when the program is destroyed, the values are copied back and the pointers
// and bits restored. Programs
// nest (a gradcheck inside a training loop) as long as they die in reverse order.
class ScalarProgram {
 public:
  virtual ~ScalarProgram() = default;
  virtual void forward() = 0;
  // Zeroes every gradient of the program, seeds the root with 1, backpropagates.
  virtual void backward() = 0;

  // A program for `nodes` (tape order, root last), or nullptr when some node
  // is not a scalar, not of one dtype, or has an op without a scalar kernel.
  static std::unique_ptr<ScalarProgram> compile(Graph& g, std::span<const NodeId> nodes);
};

}  // namespace hinge::detail
