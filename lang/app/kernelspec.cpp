// Writes the kernel spec folder `hinge`: kernel.json (how Jupyter starts the
// kernel and interrupts it) and the logo, each file atomically.
#include "app/kernelspec.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "app/cli.hpp"
#include "hinge/atomic_file.hpp"
#include "hinge/errors.hpp"

namespace hinge::lang {

namespace fs = std::filesystem;

namespace {

constexpr int kExitUnavailable = 69;  // sysexits: the kernel program is missing

// The hinge of the name: a line that bends once, as a ReLU does.
constexpr const char* kLogo =
    R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">
<rect width="64" height="64" rx="10" fill="#1f3b57"/>
<polyline points="8,44 30,44 56,14" fill="none" stroke="#f2a541" stroke-width="7" stroke-linecap="round" stroke-linejoin="round"/>
<circle cx="30" cy="44" r="5" fill="#ffffff"/>
</svg>
)";

// A JSON string literal of `s` (paths may hold quotes or backslashes).
std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\')
      out += fmt::format("\\{}", c);
    else if (u < 0x20)
      out += fmt::format("\\u{:04x}", u);
    else
      out += c;
  }
  return out + "\"";
}

// The user's Jupyter data folder, as Jupyter finds it.
fs::path user_data_dir() {
  if (const char* d = std::getenv("JUPYTER_DATA_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return fs::path(x) / "jupyter";
  if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".local" / "share" / "jupyter";
  return {};
}

int fail(const std::string& message) {
  fmt::print(stderr, "hinge: {}\n", message);
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
               kernel.string());
    return kExitUnavailable;
  }

  const fs::path dir = data / "kernels" / "hinge";
  fs::create_directories(dir, ec);
  if (ec) return fail(fmt::format("cannot make {}: {}", dir.string(), ec.message()));
  const std::string spec = fmt::format(
      "{{\n"
      "  \"argv\": [{}, \"-f\", \"{{connection_file}}\"],\n"
      "  \"display_name\": \"hinge\",\n"
      "  \"language\": \"hinge\",\n"
      "  \"interrupt_mode\": \"signal\",\n"
      "  \"metadata\": {{\"file_extension\": \".hinge\", \"codemirror_mode\": \"python\"}}\n"
      "}}\n",
      json_string(fs::absolute(kernel).string()));
  try {
    write_file_atomic((dir / "kernel.json").string(), spec);
    write_file_atomic((dir / "logo-svg.svg").string(), kLogo);
  } catch (const hinge::Error& e) {
    return fail(e.what());
  }
  fmt::print("installed the hinge kernel in {}\n", dir.string());
  return kExitOk;
}

}  // namespace hinge::lang
