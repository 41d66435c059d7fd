// `hinge --install-kernel`: registers the Jupyter kernel (hinge-kernel, beside the
// hinge command) by writing its kernel spec where Jupyter looks for one.
#pragma once
#include <string>
#include <vector>

namespace hinge::lang {

// args: what follows --install-kernel: nothing (the system's kernels folder,
// /usr/local/share/jupyter/kernels), --user (the user's, as `jupyter --data-dir`
// finds it) or --prefix P (P/share/jupyter/kernels). Returns the exit status.
int install_kernel(const std::vector<std::string>& args);

}  // namespace hinge::lang
