// Writes the kernel spec folder `hinge`: kernel.json (how Jupyter starts the
// kernel and interrupts it) and the logos of jupyter/kernelspec, each file atomically.
#include "app/kernelspec.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "app/cli.hpp"
#include "app/kernelspec_files.hpp"
#include "hinge/atomic_file.hpp"
#include "hinge/errors.hpp"
#include "hinge/escape.hpp"

namespace hinge::lang {

namespace fs = std::filesystem;

namespace {

constexpr int kExitUnavailable = 69;  // sysexits: the kernel program is missing

// The user's Jupyter data folder, as Jupyter finds it.
fs::path user_data_dir() {
  if (const char* d = std::getenv("JUPYTER_DATA_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return fs::path(x) / "jupyter";
  if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".local" / "share" / "jupyter";
  return {};
}

// A message may quote a path as it was given: escaped for the terminal.
int fail(const std::string& message) {
  fmt::print(stderr, "hinge: {}\n", terminal_escape(message));
  return kExitFailure;
}

}  // namespace

int install_kernel(const std::vector<std::string>& args) {
  fs::path data;
  if (args.empty()) {
    data = "/usr/local/share/jupyter";
  } else if (args.size() == 1 && args[0] == "--user") {
    data = user_data_dir();
    if (data.empty()) return fail("--user: neither JUPYTER_DATA_DIR, XDG_DATA_HOME nor HOME is set");
  } else if (args.size() == 2 && args[0] == "--prefix" && !args[1].empty()) {
    data = fs::path(args[1]) / "share" / "jupyter";
  } else {
    fmt::print(stderr, "hinge: usage: hinge --install-kernel [--user | --prefix DIR]\n");
    return kExitUsage;
  }

  // The kernel program is built and installed beside the hinge command.
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  const fs::path kernel = self.parent_path() / "hinge-kernel";
  if (ec || !fs::is_regular_file(kernel, ec)) {
    fmt::print(stderr, "hinge: the Jupyter kernel is not built: no {} (install xeus-dev and build again)\n",
               terminal_escape(kernel.string()));
    return kExitUnavailable;
  }

  const fs::path dir = data / "kernels" / "hinge";
  fs::create_directories(dir, ec);
  if (ec) return fail(fmt::format("cannot make {}: {}", dir.string(), ec.message()));
  // kernel.json from its template, with the kernel program's absolute path.
  std::string spec(kernelspec::k_kernel_json_in.bytes);
  const std::string_view placeholder = "@HINGE_KERNEL_JSON@";
  spec.replace(spec.find(placeholder), placeholder.size(), json_quote(fs::absolute(kernel).string()));
  try {
    write_file_atomic((dir / "kernel.json").string(), spec);
    for (const auto& logo :
         {kernelspec::k_logo_svg_svg, kernelspec::k_logo_32x32_png, kernelspec::k_logo_64x64_png})
      write_file_atomic((dir / logo.name).string(), logo.bytes);
  } catch (const hinge::Error& e) {
    return fail(e.what());
  }
  fmt::print("installed the hinge kernel in {}\n", terminal_escape(dir.string()));
  return kExitOk;
}

}  // namespace hinge::lang
