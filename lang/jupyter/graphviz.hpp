// The trace's graph drawn by Graphviz for a notebook: `dot -Tsvg` run as a child
// process (never through a shell), bounded in time and in output.
#pragma once
#include <chrono>
#include <optional>
#include <string>

namespace hinge::lang::jupyter {

// The SVG that Graphviz's `dot` draws of `dot_source`, or nothing when `dot` is
// not installed, fails, prints more than 16 MiB, or takes longer than `timeout`
// (it is killed). The notebook then shows the trace's table alone.
std::optional<std::string> render_dot_svg(const std::string& dot_source,
                                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace hinge::lang::jupyter
