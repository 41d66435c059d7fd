// What the engine runs on: the set of vector kernels chosen for this CPU.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace hinge {

// The instruction sets the hot kernels (elementwise ops, reductions, fused layers,
// the scalar program, optimizer updates) are compiled for. A portable build holds
// all three and picks one at the first kernel call: the best the CPU supports, or
// the one HINGE_CPU=baseline|avx2|avx512 names. Every set computes the same numbers:
// no fused multiply-add, and the same order of additions.
enum class CpuKernels { baseline, avx2, avx512 };

std::string_view cpu_kernels_name(CpuKernels k);

// The set the kernels use (chosen once, at the first call).
CpuKernels cpu_kernels();

// Why HINGE_CPU cannot be honoured (an unknown name, or a set this CPU or this build
// lacks), or nothing when it is unset or fine. The kernels then use the best set.
std::optional<std::string> cpu_kernels_problem();

}  // namespace hinge
